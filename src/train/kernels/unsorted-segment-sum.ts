/**
 * A plain-JS `UnsortedSegmentSum` kernel. `tf.gather`'s gradient needs it, and the wasm backend has none
 * ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"), so token and position embeddings
 * could not train on wasm. The cpu backend has one, but it loops over every segment with full-tensor
 * ops (O(numSegments · N · D): ~250 passes over the gradient for a byte vocabulary), so this one-pass
 * scatter-add replaces it there too. Accumulation order is fixed (row order), so results are
 * deterministic.
 */
import type { Tf } from "../types.js";

interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: string;
}

interface BackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput?: (shape: number[], dtype: string, offset?: number, values?: Float32Array) => TensorInfoLike;
  makeTensorInfo?: (shape: number[], dtype: string, values?: Float32Array) => TensorInfoLike;
}

function unsortedSegmentSum(args: {
  inputs: Record<string, TensorInfoLike | undefined>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}): TensorInfoLike {
  const backend = args.backend as BackendLike;
  const x = args.inputs["x"]!;
  const ids = args.inputs["segmentIds"]!;
  const numSegments = Number(args.attrs?.["numSegments"]);
  const xv = backend.readSync(x.dataId);
  const iv = backend.readSync(ids.dataId);
  const rows = ids.shape.reduce((a, b) => a * b, 1);
  const inner = rows === 0 ? 0 : x.shape.reduce((a, b) => a * b, 1) / rows;
  const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
  const out = new Float32Array(numSegments * inner);
  for (let r = 0; r < rows; r++) {
    const seg = iv[r]!;
    if (seg < 0 || seg >= numSegments) continue; // TF semantics: out-of-range ids are dropped
    const o = seg * inner;
    const s = r * inner;
    for (let j = 0; j < inner; j++) out[o + j]! += xv[s + j]!;
  }
  // cpu: makeTensorInfo(shape, dtype, values); wasm has no makeTensorInfo but makeOutput(shape, dtype,
  // offset, values). (cpu's own makeOutput takes (values, shape, dtype) — do not use it.)
  if (backend.makeTensorInfo) return backend.makeTensorInfo(outShape, "float32", out);
  return backend.makeOutput!(outShape, "float32", undefined, out);
}

/**
 * Registers the JS `UnsortedSegmentSum` kernel for `backendName` ("wasm" or "cpu"), replacing any
 * existing one. Idempotent.
 *
 * @param tf - the tfjs namespace.
 * @param backendName - backend to register for.
 */
export function registerUnsortedSegmentSum(tf: Tf, backendName: string): void {
  const existing = tf.getKernel("UnsortedSegmentSum", backendName);
  if (existing && (existing.kernelFunc as unknown) === unsortedSegmentSum) return;
  if (existing) tf.unregisterKernel("UnsortedSegmentSum", backendName);
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName,
    kernelFunc: unsortedSegmentSum as unknown as Parameters<Tf["registerKernel"]>[0]["kernelFunc"],
  });
}
