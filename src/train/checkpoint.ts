/**
 * Checkpoints: everything needed to continue a run exactly — model config, weights, AdamW moments and
 * β powers, step, data cursor, tokenizer, config, metrics so far.
 *
 * Layout: `<root>/step-000000042/{checkpoint.json, weights.bin}`. `weights.bin` is the standard tfjs
 * `tf.io.encodeWeights` blob (parameters, then `opt/m/<name>` and `opt/v/<name>`); `checkpoint.json`
 * holds the tfjs `weightsManifest` plus the weights' sha256. A checkpoint is written into
 * `<root>/.tmp-…` (files fsynced) and renamed into place, so a crash (even kill -9) mid-write never
 * leaves a half checkpoint under a `step-*` name; loading verifies the hash anyway and falls back to
 * the previous checkpoint.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { TunixError } from "../errors.js";
import { sha256Hex } from "../internal/hash.js";
import type { BackendHandle } from "./backend.js";
import { createGPT, type GPT, type GPTConfig } from "./model.js";
import type { AdamW, AdamWState } from "./optimizer.js";
import { tokenizerFromSpec, type Tokenizer, type TokenizerSpec } from "./tokenizer.js";
import type { Tensor } from "./types.js";
import type { ArtifactStore } from "../storage/index.js";

/** Format tag of `checkpoint.json`. */
export const CHECKPOINT_FORMAT = "tunix-rt-checkpoint";

/** Contents of `checkpoint.json`. */
export interface CheckpointMeta {
  /** Always {@link CHECKPOINT_FORMAT}. */
  readonly format: typeof CHECKPOINT_FORMAT;
  /** Format version. */
  readonly version: 1;
  /** Optimizer steps completed. */
  readonly step: number;
  /** Model shape. */
  readonly model: GPTConfig;
  /** Attention implementation used (not shape-defining). */
  readonly attentionImpl: string;
  /** Backend that produced it (resuming elsewhere works, but is not bit-identical). */
  readonly backend: string;
  /** Tokenizer definition. */
  readonly tokenizer: TokenizerSpec;
  /** Optimizer scalars (moments are in weights.bin), or null for a weights-only export. */
  readonly optimizer: { step: number; beta1Power: number; beta2Power: number } | null;
  /** Trainer state (config, data cursor, early-stop state, metrics…), opaque to this module. */
  readonly trainer: Record<string, unknown>;
  /** tfjs weights manifest (standard layout). */
  readonly weightsManifest: Array<{ paths: string[]; weights: unknown[] }>;
  /** sha256 of weights.bin. */
  readonly weightsSha256: string;
}

/** A checkpoint read back: metadata plus decoded tensors by name. */
export interface LoadedCheckpoint {
  /** Directory it was read from. */
  readonly path: string;
  /** Metadata. */
  readonly meta: CheckpointMeta;
  /** Decoded tensors (parameters and `opt/m/…`, `opt/v/…`); the caller disposes them. */
  readonly tensors: Record<string, Tensor>;
}

const STEP_DIR = /^step-(\d{9})$/;

async function writeSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(path: string): Promise<void> {
  try {
    const fh = await open(path, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

/** What goes into a checkpoint. */
export interface CheckpointParts {
  /** The model. */
  readonly model: GPT;
  /** The optimizer, or null for weights only. */
  readonly optimizer: AdamW | null;
  /** The tokenizer. */
  readonly tokenizer: Tokenizer;
  /** Trainer state (JSON). */
  readonly trainer: Record<string, unknown>;
  /** Optimizer steps completed. */
  readonly step: number;
}

/**
 * Serialises a checkpoint: `checkpoint.json` metadata (weights file name `weightsPath`) plus the
 * `weights.bin` bytes.
 *
 * @param parts - model, optimizer, tokenizer, trainer state, step.
 * @param weightsPath - name recorded in the weights manifest.
 */
export async function encodeCheckpoint(parts: CheckpointParts, weightsPath = "weights.bin"): Promise<{ meta: CheckpointMeta; bytes: Uint8Array }> {
  const { model, optimizer, tokenizer, step } = parts;
  const tf = model.tf;
  const named: Array<{ name: string; tensor: Tensor }> = model.paramNames.map((n) => ({ name: n, tensor: model.params[n]! }));
  let opt: AdamWState | null = null;
  const extra: Tensor[] = [];
  if (optimizer) {
    opt = optimizer.exportState();
    for (const n of model.paramNames) {
      const shape = model.params[n]!.shape;
      const m = tf.tensor(opt.m[n]!, shape);
      const v = tf.tensor(opt.v[n]!, shape);
      extra.push(m, v);
      named.push({ name: `opt/m/${n}`, tensor: m }, { name: `opt/v/${n}`, tensor: v });
    }
  }
  let encoded: { data: ArrayBuffer; specs: unknown[] };
  try {
    encoded = (await tf.io.encodeWeights(named)) as unknown as { data: ArrayBuffer; specs: unknown[] };
  } finally {
    for (const t of extra) t.dispose();
  }
  const bytes = new Uint8Array(encoded.data);
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    version: 1,
    step,
    model: model.config,
    attentionImpl: model.attentionImpl,
    backend: model.backend,
    tokenizer: tokenizer.spec,
    optimizer: opt ? { step: opt.step, beta1Power: opt.beta1Power, beta2Power: opt.beta2Power } : null,
    trainer: parts.trainer,
    weightsManifest: [{ paths: [weightsPath], weights: encoded.specs }],
    weightsSha256: sha256Hex(bytes),
  };
  return { meta, bytes };
}

/**
 * Writes a checkpoint for `step` under `root` atomically and prunes to the newest `keep`.
 * Returns the checkpoint directory and the weights hash.
 *
 * @param root - checkpoint directory (created if missing).
 * @param parts - model, optimizer (or null for weights only), tokenizer, trainer state, step, keep.
 */
export async function saveCheckpoint(
  root: string,
  parts: CheckpointParts & { keep?: number },
): Promise<{ path: string; weightsSha256: string }> {
  const { meta, bytes } = await encodeCheckpoint(parts);
  const name = `step-${String(parts.step).padStart(9, "0")}`;
  const finalPath = join(root, name);
  const tmp = join(root, `.tmp-${name}-${process.pid}`);
  await mkdir(root, { recursive: true });
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  await writeSynced(join(tmp, "weights.bin"), bytes);
  await writeSynced(join(tmp, "checkpoint.json"), JSON.stringify(meta));
  await syncDir(tmp);
  await rm(finalPath, { recursive: true, force: true });
  await rename(tmp, finalPath);
  await syncDir(root);
  if (parts.keep !== undefined) await pruneCheckpoints(root, parts.keep);
  return { path: finalPath, weightsSha256: meta.weightsSha256 };
}

/**
 * Stores a checkpoint in a content-addressed {@link ArtifactStore}: the weights blob, then
 * `checkpoint.json` naming the weights by key. Returns the key of the JSON (pass it to
 * {@link loadCheckpointArtifact} or `train({resumeFrom})`).
 *
 * @param store - artifact store.
 * @param parts - model, optimizer, tokenizer, trainer state, step.
 */
export async function saveCheckpointArtifact(store: ArtifactStore, parts: CheckpointParts): Promise<{ key: string; weightsSha256: string }> {
  const { meta, bytes } = await encodeCheckpoint(parts);
  const weights = await store.put(bytes);
  const specs = meta.weightsManifest[0]!.weights;
  const json = await store.put(JSON.stringify({ ...meta, weightsManifest: [{ paths: [weights.key], weights: specs }] }));
  return { key: json.key, weightsSha256: meta.weightsSha256 };
}

/**
 * Reads and verifies a checkpoint stored with {@link saveCheckpointArtifact}.
 *
 * @param tf - tfjs namespace.
 * @param store - artifact store.
 * @param key - key of the checkpoint JSON.
 */
export async function loadCheckpointArtifact(tf: BackendHandle["tf"], store: ArtifactStore, key: string): Promise<LoadedCheckpoint> {
  const json = await store.get(key);
  if (!json) throw new TunixError("NOT_FOUND", `checkpoint artifact ${key} not found`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(json)) as CheckpointMeta;
  } catch (cause) {
    throw new TunixError("CHECKPOINT_CORRUPT", `checkpoint artifact ${key}: not JSON`, { cause });
  }
  const weightsKey = meta.weightsManifest?.[0]?.paths[0];
  const bytes = weightsKey ? await store.get(weightsKey) : undefined;
  if (!bytes) throw new TunixError("CHECKPOINT_CORRUPT", `checkpoint artifact ${key}: weights ${String(weightsKey)} missing`);
  return decodeVerified(tf, key, meta, bytes);
}

function decodeVerified(tf: BackendHandle["tf"], where: string, meta: CheckpointMeta, bytes: Uint8Array): LoadedCheckpoint {
  if (meta.format !== CHECKPOINT_FORMAT || meta.version !== 1) {
    throw new TunixError("CHECKPOINT_CORRUPT", `checkpoint ${where}/checkpoint.json: not a ${CHECKPOINT_FORMAT} v1 file`);
  }
  if (sha256Hex(bytes) !== meta.weightsSha256) {
    throw new TunixError("CHECKPOINT_CORRUPT", `checkpoint ${where}/weights.bin: sha256 does not match checkpoint.json`);
  }
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const specs = meta.weightsManifest[0]?.weights ?? [];
  const tensors = tf.io.decodeWeights(buf, specs as Parameters<typeof tf.io.decodeWeights>[1]) as Record<string, Tensor>;
  return { path: where, meta, tensors };
}

/** Checkpoint directories under `root`, newest step first (complete names only; `.tmp-*` ignored). */
export async function listCheckpoints(root: string): Promise<Array<{ step: number; path: string }>> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return [];
  }
  return entries
    .map((e) => ({ m: STEP_DIR.exec(e), e }))
    .filter((x): x is { m: RegExpExecArray; e: string } => x.m !== null)
    .map(({ m, e }) => ({ step: Number(m[1]), path: join(root, e) }))
    .sort((a, b) => b.step - a.step);
}

async function pruneCheckpoints(root: string, keep: number): Promise<void> {
  const all = await listCheckpoints(root);
  for (const old of all.slice(keep)) await rm(old.path, { recursive: true, force: true });
}

/** Removes leftovers of interrupted writes (`.tmp-*`) under `root`. */
export async function cleanCheckpointTemp(root: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(root);
  } catch {
    return;
  }
  for (const e of entries) if (e.startsWith(".tmp-")) await rm(join(root, e), { recursive: true, force: true });
}

/**
 * Reads and verifies one checkpoint directory; throws `CHECKPOINT_CORRUPT` naming the file and the
 * problem (missing file, bad JSON, hash mismatch).
 *
 * @param tf - tfjs namespace (for `tf.io.decodeWeights`).
 * @param path - a `step-*` directory.
 */
export async function loadCheckpoint(tf: BackendHandle["tf"], path: string): Promise<LoadedCheckpoint> {
  let meta: CheckpointMeta;
  let bytes: Uint8Array;
  try {
    meta = JSON.parse(await readFile(join(path, "checkpoint.json"), "utf8")) as CheckpointMeta;
    bytes = await readFile(join(path, "weights.bin"));
  } catch (cause) {
    throw new TunixError("CHECKPOINT_CORRUPT", `checkpoint ${path}: cannot read checkpoint.json/weights.bin`, { cause });
  }
  return decodeVerified(tf, path, meta, bytes);
}

/**
 * The newest checkpoint under `root` that verifies, or undefined. Corrupt ones are skipped (a kill
 * during a write leaves at most a `.tmp-*` directory, which is never considered).
 *
 * @param tf - tfjs namespace.
 * @param root - checkpoint directory.
 */
export async function loadLatestCheckpoint(tf: BackendHandle["tf"], root: string): Promise<LoadedCheckpoint | undefined> {
  for (const c of await listCheckpoints(root)) {
    try {
      return await loadCheckpoint(tf, c.path);
    } catch (e) {
      if (!(e instanceof TunixError)) throw e;
    }
  }
  return undefined;
}

/**
 * Copies checkpoint tensors into a model (and optimizer), checking every shape.
 *
 * @param ckpt - a loaded checkpoint (its tensors are disposed here).
 * @param model - target model with the same config.
 * @param optimizer - target optimizer, or null to skip its state.
 */
export function restoreCheckpoint(ckpt: LoadedCheckpoint, model: GPT, optimizer: AdamW | null): void {
  const t = ckpt.tensors;
  try {
    for (const name of model.paramNames) {
      const src = t[name];
      const dst = model.params[name]!;
      if (!src || src.shape.join(",") !== dst.shape.join(",")) {
        throw new TunixError("CHECKPOINT_INCOMPATIBLE", `checkpoint ${ckpt.path}: parameter ${name} missing or shaped [${src?.shape.join(",")}], model wants [${dst.shape.join(",")}]`);
      }
      dst.assign(src);
    }
    if (optimizer) {
      const o = ckpt.meta.optimizer;
      if (!o) throw new TunixError("CHECKPOINT_INCOMPATIBLE", `checkpoint ${ckpt.path}: has no optimizer state`);
      const m: Record<string, Float32Array> = {};
      const v: Record<string, Float32Array> = {};
      for (const name of model.paramNames) {
        m[name] = (t[`opt/m/${name}`]?.dataSync() as Float32Array | undefined) ?? new Float32Array(0);
        v[name] = (t[`opt/v/${name}`]?.dataSync() as Float32Array | undefined) ?? new Float32Array(0);
      }
      optimizer.importState({ ...o, m, v });
    }
  } finally {
    for (const x of Object.values(t)) x.dispose();
  }
}

/** A trained model ready for generation: the network plus its tokenizer. */
export interface LanguageModel {
  /** The network. */
  readonly gpt: GPT;
  /** Its tokenizer. */
  readonly tokenizer: Tokenizer;
}

/**
 * Loads a model for inference from a checkpoint directory, or from a root holding `step-*` dirs (the
 * newest valid one).
 *
 * @param handle - from `initBackend()`.
 * @param path - a `step-*` directory or a checkpoint root.
 * @param options - `attentionImpl` override.
 */
export async function loadModel(handle: BackendHandle, path: string, options: { attentionImpl?: string } = {}): Promise<LanguageModel> {
  const isDir = await stat(join(path, "checkpoint.json")).then(() => true, () => false);
  const ckpt = isDir ? await loadCheckpoint(handle.tf, path) : await loadLatestCheckpoint(handle.tf, path);
  if (!ckpt) throw new TunixError("NOT_FOUND", `loadModel: no valid checkpoint under ${path}`);
  const tokenizer = tokenizerFromSpec(ckpt.meta.tokenizer);
  const gpt = createGPT(handle, ckpt.meta.model, { attentionImpl: options.attentionImpl ?? "default" });
  restoreCheckpoint(ckpt, gpt, null);
  return { gpt, tokenizer };
}
