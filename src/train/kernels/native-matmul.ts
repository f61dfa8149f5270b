/**
 * The wasm backend's `BatchMatMul` (what `tf.matMul` and autodiff's matmul gradients run) and the
 * slice matmul of `attentionImpl: "xnn"`, computed by the native GEMM addon (`native-gemm.ts`) directly
 * on the wasm heap. Float32 products with equal or broadcast (size-1) batch dims go native, with any
 * transpose flags; everything else goes to the stock kernel.
 */
import type * as tf from "@tensorflow/tfjs";
import type { NativeGemm } from "./native-gemm.js";
import { hasWasmInternals, heapOffset, type WasmBackendInternals } from "./wasm-internals.js";

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** NumPy broadcasting of two batch shapes, or undefined when they do not broadcast. */
function broadcastDims(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/**
 * `op(a) · op(b)` for `a [...batch, ·, ·]`, `b [...batch | 1, ·, ·]` (or the reverse broadcast) on the
 * native GEMM; returns undefined for a problem it does not take (other dtypes, ranks < 2, partial
 * broadcasting), so the caller can fall back.
 *
 * @param addon - the loaded addon.
 * @param backend - the wasm backend.
 * @param a - left operand.
 * @param b - right operand.
 * @param transposeA - use `aᵀ` (last two axes).
 * @param transposeB - use `bᵀ`.
 */
export function nativeBatchMatMul(
  addon: NativeGemm,
  backend: WasmBackendInternals,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo | undefined {
  if (a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ar = a.shape.length;
  const br = b.shape.length;
  const [a0, a1] = [a.shape[ar - 2]!, a.shape[ar - 1]!];
  const [b0, b1] = [b.shape[br - 2]!, b.shape[br - 1]!];
  const [M, K] = transposeA ? [a1, a0] : [a0, a1];
  const [Kb, N] = transposeB ? [b1, b0] : [b0, b1];
  if (K !== Kb) return undefined;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const nA = product(batchA);
  const nB = product(batchB);
  const outBatch = broadcastDims(batchA, batchB);
  if (outBatch === undefined) return undefined;
  // Each operand is either one matrix for every slice or one matrix per slice (contiguous).
  if ((nA !== 1 && nA !== product(outBatch)) || (nB !== 1 && nB !== product(outBatch))) return undefined;
  const batch = product(outBatch);
  const out = backend.makeOutput([...outBatch, M, N], "float32");
  if (batch === 0 || M === 0 || N === 0) return out;
  // Offsets after makeOutput: allocating may grow (and replace) the heap buffer.
  addon.gemm(
    backend.wasm.HEAPU8.buffer as ArrayBuffer,
    heapOffset(backend, a),
    heapOffset(backend, b),
    heapOffset(backend, out),
    M,
    N,
    K,
    transposeA ? 1 : 0,
    transposeB ? 1 : 0,
    batch,
    nA === 1 ? 0 : M * K,
    nB === 1 ? 0 : K * N,
    M * N,
  );
  return out;
}

/**
 * Wraps the stock wasm `BatchMatMul` kernel: native for the problems {@link nativeBatchMatMul} takes,
 * stock otherwise.
 *
 * @param stock - the stock kernel function.
 * @param addon - the addon to use, or null to run the stock kernel (checked on every call).
 */
export function makeNativeBatchMatMul(stock: tf.KernelFunc, addon: () => NativeGemm | null): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const { a, b } = args.inputs;
    const backend = args.backend;
    const native = addon();
    if (native !== null && a !== undefined && b !== undefined && hasWasmInternals(backend)) {
      const out = nativeBatchMatMul(native, backend, a, b, args.attrs?.["transposeA"] === true, args.attrs?.["transposeB"] === true);
      if (out !== undefined) return out;
    }
    return stock(args as never);
  }) as unknown as tf.KernelFunc;
}
