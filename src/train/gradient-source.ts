/**
 * The default {@link GradientSource}: computes every micro-batch in this process on the main model and
 * sums the results in micro-batch order.
 */
import { lossAndGrads } from "./model.js";
import type { GPT } from "./model.js";
import type { GradientSource, LossAndGrads, Tensor, TokenBatch } from "./types.js";
import { TunixError } from "../errors.js";

/**
 * Sums several {@link LossAndGrads} (in order) into one; disposes the inputs' grads. Used by the
 * in-process source and usable by a worker pool for its shards.
 *
 * @param parts - results to combine, in a fixed order (float addition is not associative).
 * @param tf - the tfjs namespace (for `tf.add`).
 */
export function sumLossAndGrads(parts: readonly LossAndGrads[], tf: GPT["tf"]): LossAndGrads {
  const first = parts[0];
  if (!first) throw new TunixError("INVALID_ARGUMENT", "sumLossAndGrads: nothing to sum");
  let loss = first.loss;
  let tokens = first.tokens;
  const grads: Record<string, Tensor> = { ...first.grads };
  for (const part of parts.slice(1)) {
    loss += part.loss;
    tokens += part.tokens;
    for (const [name, g] of Object.entries(part.grads)) {
      const prev = grads[name]!;
      grads[name] = tf.add(prev, g);
      prev.dispose();
      g.dispose();
    }
  }
  return { loss, tokens, grads };
}

/** In-process gradients: one replica, the main model itself. */
export function createInProcessGradientSource(): GradientSource {
  let model: GPT | undefined;
  return {
    kind: "in-process",
    replicas: 1,
    async init(context) {
      model = context.model;
    },
    async compute(microBatches: readonly TokenBatch[]) {
      if (!model) throw new TunixError("INVALID_ARGUMENT", "gradient source used before init()");
      const m = model;
      // Accumulate as we go so at most two gradient sets are alive at once.
      let acc: LossAndGrads | undefined;
      for (const batch of microBatches) {
        const part = lossAndGrads(m, batch);
        acc = acc ? sumLossAndGrads([acc, part], m.tf) : part;
      }
      if (!acc) throw new TunixError("INVALID_ARGUMENT", "gradient source: no micro-batches for this step");
      return acc;
    },
    async afterStep() {},
    async close() {
      model = undefined;
    },
  };
}
