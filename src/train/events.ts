/** What the training loop reports: one JSON-able event per step, eval and checkpoint (the JSONL lines). */

/** One optimizer step. Wire format (snake_case), written as a line of the metrics JSONL. */
export interface StepEvent {
  /** Event kind. */
  readonly type: "step";
  /** 1-based optimizer step. */
  readonly step: number;
  /** Mean cross-entropy (nats) over the step's supervised tokens. */
  readonly loss: number;
  /** Learning rate used. */
  readonly lr: number;
  /** Global gradient norm before clipping. */
  readonly grad_norm: number;
  /** Supervised tokens in the step. */
  readonly tokens: number;
  /** Token slots (rows × sequence length, padding included) in the step. */
  readonly token_slots: number;
  /** Token slots per second of this step's wall time. */
  readonly tokens_per_s: number;
  /** Seconds since the run started (resumed runs include earlier sessions). */
  readonly elapsed_s: number;
  /** Data epoch the step's first batch came from. */
  readonly epoch: number;
}

/** One evaluation on the validation split. */
export interface EvalEvent {
  /** Event kind. */
  readonly type: "eval";
  /** Step after which it ran. */
  readonly step: number;
  /** Mean cross-entropy over all supervised validation tokens. */
  readonly val_loss: number;
  /** Supervised validation tokens. */
  readonly val_tokens: number;
  /** Best val_loss so far (including this one). */
  readonly best_val_loss: number;
  /** Seconds since the run started. */
  readonly elapsed_s: number;
}

/** One checkpoint written. */
export interface CheckpointEvent {
  /** Event kind. */
  readonly type: "checkpoint";
  /** Step it holds. */
  readonly step: number;
  /** Its directory (or its artifact key when only an artifact store is used). */
  readonly path: string;
  /** Key of its `checkpoint.json` in the artifact store, when one is used. */
  readonly artifact_key?: string;
  /** sha256 of its weights.bin. */
  readonly weights_sha256: string;
}

/** Any event {@link trainIterator} yields. */
export type TrainEvent = StepEvent | EvalEvent | CheckpointEvent;
