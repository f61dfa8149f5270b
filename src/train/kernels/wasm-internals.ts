/**
 * Narrow, typed access to the tfjs wasm backend internals the fast kernels use.
 *
 * These are not public tfjs API: `BackendWasm.wasm` (the emscripten module), `dataIdMap`,
 * `dataIdNextNumber`, `makeOutput` and the `BatchMatMul` C export. They are stable within one tfjs
 * release, so everything here is pinned to {@link PINNED_TFJS_VERSION}, and callers run a numeric
 * self-test before they rely on it (see `self-test.ts`).
 */
import * as tf from "@tensorflow/tfjs";

/** The tfjs version whose wasm internals these kernels were written and verified against. */
export const PINNED_TFJS_VERSION = "4.22.0";

/** The emscripten module inside the wasm backend (only the members we call). */
export interface WasmModule {
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _BatchMatMul(
    aId: number,
    aShapePtr: number,
    aShapeLen: number,
    bId: number,
    bShapePtr: number,
    bShapeLen: number,
    transposeA: number,
    transposeB: number,
    outId: number,
  ): void;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

/** Per-tensor record kept by the wasm backend. */
export interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: string;
}

/** The parts of `BackendWasm` the kernels use. */
export interface WasmBackendInternals {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): WasmTensorData | undefined };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * True when `backend` looks like the tfjs 4.22 wasm backend (every member the kernels touch exists).
 * A structural check, not a version check; the version is checked separately.
 */
export function hasWasmInternals(backend: unknown): backend is WasmBackendInternals {
  if (backend === null || typeof backend !== "object") return false;
  const b = backend as Partial<WasmBackendInternals>;
  const w = b.wasm as Partial<WasmModule> | undefined;
  return (
    w !== undefined &&
    w !== null &&
    typeof w._malloc === "function" &&
    typeof w._BatchMatMul === "function" &&
    w.HEAPU8 instanceof Uint8Array &&
    typeof w.tfjs?.registerTensor === "function" &&
    typeof w.tfjs?.disposeData === "function" &&
    typeof b.dataIdNextNumber === "number" &&
    typeof b.makeOutput === "function" &&
    typeof b.dataIdMap?.get === "function"
  );
}

/** The memory offset (bytes into the wasm heap) of a tensor owned by the wasm backend. */
export function heapOffset(backend: WasmBackendInternals, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error("tensor is not on the wasm backend");
  return data.memoryOffset;
}

/** A Float32Array view of a tensor's data on the wasm heap (valid until the heap grows). */
export function heapF32(backend: WasmBackendInternals, t: tf.TensorInfo): Float32Array {
  const size = t.shape.reduce((a, b) => a * b, 1);
  return new Float32Array(backend.wasm.HEAPU8.buffer, heapOffset(backend, t), size);
}

/**
 * Registers a zero-copy view of `size` floats at `offset` as a fresh C++ tensor id. The caller must
 * release it with `wasm.tfjs.disposeData(id)`; that frees no memory (the owner still holds it) but
 * drops XNNPACK operators cached on the id.
 */
export function registerView(backend: WasmBackendInternals, size: number, offset: number): number {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, offset);
  return id;
}
