/**
 * Start-up self-test of the fast wasm kernels, with automatic fallback.
 *
 * The kernels reach into tfjs wasm internals (`wasm-internals.ts`), so before the first use on a
 * backend instance we check the tfjs version pin, the shape of the internals, and then compare the
 * slice matmul (every transpose combination, batched and broadcast, forward and gradient) against
 * `tf.matMul`. Any mismatch or exception disables the fast path for that backend instance and records
 * why; callers then silently use the stock ops.
 */
import * as tf from "@tensorflow/tfjs";
import { hasWasmInternals, PINNED_TFJS_VERSION } from "./wasm-internals.js";
import { registerSliceMatMul, sliceMatMulRaw } from "./slice-matmul.js";

/** Whether the fast wasm kernels are in use on the current backend, and why not if they are not. */
export interface FastKernelStatus {
  /** True when the fast kernels run; false means stock tfjs ops are used instead. */
  readonly enabled: boolean;
  /** The active tfjs backend name. */
  readonly backend: string;
  /** Why the fast kernels are disabled (empty when enabled). */
  readonly reason: string;
}

const statusByBackend = new WeakMap<object, FastKernelStatus>();
let forcedOff = false;

/** Deterministic test data in [-1, 1] (no RNG needed). */
function ramp(shape: number[], phase: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => tf.sin(tf.add(tf.mul(tf.range(0, n, 1, "float32"), 0.731), phase)).reshape(shape));
}

function maxRelErr(x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => {
    const scale = tf.add(tf.max(tf.abs(y)), 1);
    return tf.div(tf.max(tf.abs(tf.sub(x, y))), scale).dataSync()[0] ?? Infinity;
  });
}

/** Runs the numeric checks; returns an empty string on success or a description of the first failure. */
function runChecks(): string {
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[2, 3, 5, 7], [2, 3, 7, 4], false, false],
    [[2, 3, 7, 5], [2, 3, 7, 4], true, false],
    [[2, 3, 5, 7], [2, 3, 4, 7], false, true],
    [[6, 7, 5], [6, 4, 7], true, true],
    [[9, 7], [7, 3], false, false],
    [[2, 9, 7], [7, 3], false, false],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    const err = tf.tidy(() => {
      const a = ramp(sa, 0.1);
      const b = ramp(sb, 0.7);
      const ap = ta ? tf.transpose(a, swapPerm(sa.length)) : a;
      const bp = tb ? tf.transpose(b, swapPerm(sb.length)) : b;
      const want = tf.matMul(a, b, ta, tb);
      const got = sliceMatMulRaw(ap, bp);
      if (got.shape.join(",") !== want.shape.join(",")) return Infinity;
      return maxRelErr(got, want);
    });
    if (!(err <= 1e-5)) {
      return `slice matmul differs from tf.matMul for [${sa}]x[${sb}] tA=${ta} tB=${tb} (rel err ${err})`;
    }
  }
  return "";
}

function swapPerm(rank: number): number[] {
  const p = [...Array(rank).keys()];
  p[rank - 2] = rank - 1;
  p[rank - 1] = rank - 2;
  return p;
}

/** Computes (once per backend instance) whether the fast kernels can be used. */
export function fastKernelStatus(): FastKernelStatus {
  const name = tf.getBackend();
  const backend = tf.backend() as unknown as object;
  const cached = statusByBackend.get(backend);
  if (cached !== undefined) return forcedOff ? { ...cached, enabled: false, reason: "disabled by caller" } : cached;
  let reason = "";
  if (name !== "wasm") reason = `backend is ${name}, fast kernels are wasm-only`;
  else if (tf.version_core !== PINNED_TFJS_VERSION) {
    reason = `tfjs ${tf.version_core} is not the pinned ${PINNED_TFJS_VERSION}`;
  } else if (!hasWasmInternals(backend)) reason = "wasm backend internals not found";
  else {
    try {
      registerSliceMatMul();
      reason = runChecks();
    } catch (e) {
      reason = `self-test threw: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  const status: FastKernelStatus = { enabled: reason === "", backend: name, reason };
  statusByBackend.set(backend, status);
  return forcedOff ? { ...status, enabled: false, reason: "disabled by caller" } : status;
}

/** True when the fast wasm kernels are active for the current backend (runs the self-test on first call). */
export function fastKernelsReady(): boolean {
  return fastKernelStatus().enabled;
}

/**
 * Turns the fast kernels off (or back on) for the whole process, e.g. to get a reference run.
 * Turning them on still requires the self-test to pass.
 */
export function setFastKernelsEnabled(enabled: boolean): void {
  forcedOff = !enabled;
}
