/**
 * A faster `GatherV2` for the wasm backend's row lookups (axis 0, no batch dims): each index copies one
 * contiguous row on the wasm heap with `copyWithin`.
 *
 * Why: the stock kernel checks indices with a closure per index and gathers element by element;
 * measured 6.3 ms for the 1024-row token-embedding lookup of a [261,128] table, ~50× a row copy.
 * Only 32-bit words are moved (Int32Array view), so results are bit-identical; every other case goes
 * to the stock kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { hasWasmInternals, heapOffset } from "./wasm-internals.js";

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** Builds the replacement kernel function around the stock one. */
export function makeFastGather(stock: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const backend = args.backend;
    const x = args.inputs["x"];
    const indices = args.inputs["indices"];
    const axis = Number(args.attrs?.["axis"] ?? 0);
    const batchDims = Number(args.attrs?.["batchDims"] ?? 0);
    if (
      !x ||
      !indices ||
      !hasWasmInternals(backend) ||
      (axis !== 0 && axis !== -x.shape.length) ||
      batchDims !== 0 ||
      (x.dtype !== "float32" && x.dtype !== "int32") ||
      indices.dtype !== "int32" ||
      x.shape.length === 0
    ) {
      return stock(args as never);
    }
    const rows = x.shape[0]!;
    const row = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const n = indices.shape.reduce((a, b) => a * b, 1);
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    if (n === 0 || row === 0) return out;
    const heap = new Int32Array(backend.wasm.HEAPU8.buffer);
    const src = heapOffset(backend, x) >> 2;
    const idx = heapOffset(backend, indices) >> 2;
    let dst = heapOffset(backend, out) >> 2;
    for (let i = 0; i < n; i++) {
      const r = heap[idx + i]!;
      if (!(r >= 0 && r < rows)) {
        backend.disposeData(out.dataId, true);
        throw new Error(`GatherV2: the index value ${r} is not in [0, ${rows - 1}]`);
      }
      const s = src + r * row;
      heap.copyWithin(dst, s, s + row);
      dst += row;
    }
    return out;
  }) as unknown as tf.KernelFunc;
}
