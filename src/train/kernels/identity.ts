/**
 * A zero-copy `Identity` for the wasm backend: the output shares the input's heap buffer (reference
 * counted), exactly as the stock wasm `Reshape` and the cpu backend's `Identity` do.
 *
 * Why: tfjs clones every tensor a custom gradient saves for the backward pass through `Identity`, and
 * the stock wasm kernel copies the data. With the fused layers that was ~80 copies per training step
 * (the step's saved activations), about 15 % of its time. tfjs never writes into an existing tensor's
 * buffer (variables get new buffers on assign, every kernel writes fresh outputs), so sharing is safe
 * and the values are bit-identical.
 */
import type * as tf from "@tensorflow/tfjs";

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type RefCounted = { incRef(dataId: object): void };

/** Builds the replacement kernel around the stock one (still used for string tensors). */
export function makeSharedIdentity(stock: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const x = args.inputs["x"];
    const backend = args.backend as Partial<RefCounted>;
    if (x === undefined || x.dtype === "string" || typeof backend.incRef !== "function") return stock(args as never);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }) as unknown as tf.KernelFunc;
}
