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
import { makeFastTranspose } from "./transpose.js";
import { makeFastGather } from "./gather.js";
import { makeSharedIdentity } from "./identity.js";
import { fusedAdamW, registerFusedAdamW, sumOfSquares } from "./adamw-fused.js";
import { activeNativeGemm, loadNativeGemm, setActiveNativeGemm, suspendNativeGemm } from "./native-gemm.js";
import { makeNativeBatchMatMul } from "./native-matmul.js";
import { hasNativeOps, registerNativeOpKernels, setNativeOpsEnabled } from "./native-ops.js";
import { checkNativeOps } from "./native-ops-check.js";

/** Whether the fast wasm kernels are in use on the current backend, and why not if they are not. */
export interface FastKernelStatus {
  /** True when the fast kernels run; false means stock tfjs ops are used instead. */
  readonly enabled: boolean;
  /** The active tfjs backend name. */
  readonly backend: string;
  /** Why the fast kernels are disabled (empty when enabled). */
  readonly reason: string;
  /**
   * The native GEMM micro-kernel computing the matmuls ("avx512", "avx2", "scalar"), or "" when the
   * matmuls run on the wasm kernels (XNNPACK). Results are deterministic for one value of this field.
   */
  readonly native: string;
  /** Why the native GEMM is not in use (empty when it is). */
  readonly nativeReason: string;
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

/** Checks the fused AdamW kernel and the heap sum of squares against tf ops (float32 tolerance). */
function checkFusedAdamW(): string {
  registerFusedAdamW();
  return tf.tidy(() => {
    const p = ramp([5, 7], 0.1);
    const g = ramp([5, 7], 0.2);
    const m = tf.mul(ramp([5, 7], 0.3), 0.1);
    const v = tf.abs(tf.mul(ramp([5, 7], 0.4), 0.01));
    const h = { lr: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, bc1: 0.19, bc2: 0.0975, decayFactor: 0.999, gradScale: 0.5 };
    const [p1, m1, v1] = fusedAdamW(p, g, m, v, h);
    const gs = tf.mul(g, h.gradScale);
    const mr = tf.add(tf.mul(m, h.beta1), tf.mul(gs, 1 - h.beta1));
    const vr = tf.add(tf.mul(v, h.beta2), tf.mul(tf.square(gs), 1 - h.beta2));
    const upd = tf.div(tf.div(mr, h.bc1), tf.add(tf.sqrt(tf.div(vr, h.bc2)), h.eps));
    const pr = tf.sub(tf.mul(p, h.decayFactor), tf.mul(upd, h.lr));
    const errs = [maxRelErr(p1, pr), maxRelErr(m1, mr), maxRelErr(v1, vr)];
    if (!errs.every((e) => e <= 1e-5)) return `fused AdamW differs from tf ops (rel err ${errs.join(", ")})`;
    const ss = sumOfSquares([p, g]);
    const want = tf.add(tf.sum(tf.square(p)), tf.sum(tf.square(g))).dataSync()[0] ?? NaN;
    if (!(Math.abs(ss - want) <= 1e-5 * (1 + want))) return `heap sum of squares ${ss} differs from ${want}`;
    return "";
  });
}

/** Inputs whose transposes and gathers the data-movement kernels are checked on (bit-exact). */
function dataMovementCases(): Array<() => tf.Tensor> {
  return [
    () => tf.transpose(ramp([37, 70], 0.3)),
    () => tf.transpose(ramp([128, 96], 0.35)),
    () => tf.transpose(ramp([2, 64, 160], 0.45), [0, 2, 1]),
    () => tf.transpose(ramp([2, 5, 3, 4], 0.2), [0, 2, 1, 3]),
    () => tf.transpose(ramp([3, 33, 65], 0.4), [0, 2, 1]),
    () => tf.transpose(ramp([2, 3, 4, 5, 6], 0.5), [1, 0, 3, 2, 4]),
    () => tf.transpose(ramp([4, 1, 6], 0.6), [2, 1, 0]),
    () => tf.transpose(tf.cast(tf.mul(ramp([6, 7], 0.1), 1000), "int32")),
    () => tf.gather(ramp([9, 5], 0.7), tf.tensor1d([3, 0, 8, 3], "int32")),
    () => tf.gather(ramp([7, 2, 3], 0.8), tf.tensor2d([[6, 1], [0, 0]], [2, 2], "int32")),
    () => tf.clone(ramp([3, 5], 0.9)),
  ];
}

function bitsOf(make: () => tf.Tensor): Uint8Array {
  return tf.tidy(() => {
    const t = make();
    const d = t.dataSync();
    return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
  });
}

let dataKernelsInstalled = false;

/**
 * Swaps the wasm backend's `Transpose`, `GatherV2` and `Identity` for the heap-copy / zero-copy versions (bit-exact, so they
 * change speed only), after checking them against the stock kernels; restores the stock kernels and
 * returns a reason if any output differs.
 */
function installDataMovementKernels(): string {
  if (dataKernelsInstalled) return "";
  const names = ["Transpose", "GatherV2", "Identity"] as const;
  const stock = names.map((n) => tf.getKernel(n, "wasm"));
  if (stock.some((k) => k === undefined)) return "stock Transpose/GatherV2/Identity kernels not found";
  const cases = dataMovementCases();
  const want = cases.map(bitsOf);
  const swap = (configs: tf.KernelConfig[]): void => {
    for (const c of configs) {
      tf.unregisterKernel(c.kernelName, "wasm");
      tf.registerKernel(c);
    }
  };
  const original = stock as tf.KernelConfig[];
  swap([
    { ...original[0]!, kernelFunc: makeFastTranspose(original[0]!.kernelFunc) },
    { ...original[1]!, kernelFunc: makeFastGather(original[1]!.kernelFunc) },
    { ...original[2]!, kernelFunc: makeSharedIdentity(original[2]!.kernelFunc) },
  ]);
  for (let i = 0; i < cases.length; i++) {
    const got = bitsOf(cases[i]!);
    const ref = want[i]!;
    if (got.length !== ref.length || got.some((b, j) => b !== ref[j])) {
      swap(original);
      return `fast data-movement kernel differs from stock on case ${i}`;
    }
  }
  dataKernelsInstalled = true;
  return "";
}

/** Products the native GEMM is checked on against the stock kernel: transposes, batches, broadcasts, edges. */
const NATIVE_CASES: Array<[number[], number[], boolean, boolean]> = [
  [[9, 7], [7, 3], false, false],
  [[37, 70], [70, 45], false, false],
  [[70, 37], [70, 45], true, false],
  [[37, 70], [45, 70], false, true],
  [[70, 37], [45, 70], true, true],
  [[2, 3, 5, 7], [2, 3, 7, 4], false, false],
  [[2, 3, 7, 5], [2, 3, 4, 7], true, true],
  [[2, 9, 7], [7, 33], false, false],
  [[1, 300], [300, 40], false, false],
  [[3, 260, 17], [3, 260, 19], true, false],
];

/**
 * Swaps the wasm `BatchMatMul` for the native GEMM when the addon loads and agrees with the stock
 * kernel (relative error ≤ 1e-5) on {@link NATIVE_CASES}; returns why not otherwise.
 */
function installNativeMatMul(): string {
  if (activeNativeGemm() !== null) return "";
  const load = loadNativeGemm();
  if (load.addon === null) return load.reason;
  // Only the AVX2/AVX-512 micro-kernels are measured faster than XNNPACK. The portable fmaf kernel (x86
  // without AVX2+FMA: far slower; other architectures: not measured) is used only when asked for, with
  // TUNIX_RT_NATIVE=1 or a forced TUNIX_RT_GEMM_ISA (tests, benchmarks).
  const forced = process.env["TUNIX_RT_NATIVE"] === "1" || process.env["TUNIX_RT_GEMM_ISA"] !== undefined;
  if (load.addon.isa() === "scalar" && !forced) {
    return process.arch === "x64"
      ? "CPU lacks AVX2/FMA (the portable native kernel would be slower than the wasm one)"
      : `no vector micro-kernel for ${process.arch} (set TUNIX_RT_NATIVE=1 to try the portable one)`;
  }
  const stock = tf.getKernel("BatchMatMul", "wasm");
  if (stock === undefined) return "stock BatchMatMul kernel not found";
  const inputs = NATIVE_CASES.map(([sa, sb], i) => [ramp(sa, 0.1 + i), ramp(sb, 0.5 + i)] as const);
  try {
    const want = NATIVE_CASES.map(([, , ta, tb], i) => tf.matMul(inputs[i]![0], inputs[i]![1], ta, tb));
    tf.unregisterKernel("BatchMatMul", "wasm");
    tf.registerKernel({ ...stock, kernelFunc: makeNativeBatchMatMul(stock.kernelFunc, activeNativeGemm) });
    setActiveNativeGemm(load.addon);
    for (let i = 0; i < NATIVE_CASES.length; i++) {
      const [, , ta, tb] = NATIVE_CASES[i]!;
      const got = tf.matMul(inputs[i]![0], inputs[i]![1], ta, tb);
      const err = got.shape.join(",") === want[i]!.shape.join(",") ? maxRelErr(got, want[i]!) : Infinity;
      got.dispose();
      if (!(err <= 1e-5)) return restoreStock(stock, `native GEMM differs from the stock BatchMatMul on case ${i} (rel err ${err})`);
    }
    tf.dispose(want);
  } finally {
    tf.dispose(inputs.flat());
  }
  if (!hasNativeOps(load.addon)) return restoreStock(stock, "native addon lacks the fused ops (rebuild it: npm run build:native)");
  registerNativeOpKernels();
  setNativeOpsEnabled(true);
  const opsProblem = checkNativeOps();
  return opsProblem === "" ? "" : restoreStock(stock, opsProblem);
}

/** Puts the stock BatchMatMul back and switches the native layers off; returns `reason`. */
function restoreStock(stock: tf.KernelConfig, reason: string): string {
  setNativeOpsEnabled(false);
  setActiveNativeGemm(null);
  tf.unregisterKernel("BatchMatMul", "wasm");
  tf.registerKernel(stock);
  return reason;
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
  if (cached !== undefined) return forcedOff ? offStatus(cached) : cached;
  let reason = "";
  let nativeReason = "";
  if (name !== "wasm") reason = `backend is ${name}, fast kernels are wasm-only`;
  else if (tf.version_core !== PINNED_TFJS_VERSION) {
    reason = `tfjs ${tf.version_core} is not the pinned ${PINNED_TFJS_VERSION}`;
  } else if (!hasWasmInternals(backend)) reason = "wasm backend internals not found";
  else {
    try {
      registerSliceMatMul();
      reason = runChecks() || checkFusedAdamW() || installDataMovementKernels();
      if (reason === "") nativeReason = installNativeMatMul();
    } catch (e) {
      reason = `self-test threw: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (reason !== "") nativeReason = "fast kernels disabled";
  const status: FastKernelStatus = {
    enabled: reason === "",
    backend: name,
    reason,
    native: reason === "" && nativeReason === "" ? (activeNativeGemm()?.isa() ?? "") : "",
    nativeReason,
  };
  statusByBackend.set(backend, status);
  return forcedOff ? offStatus(status) : status;
}

function offStatus(s: FastKernelStatus): FastKernelStatus {
  return { ...s, enabled: false, reason: "disabled by caller", native: "", nativeReason: "fast kernels disabled" };
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
  suspendNativeGemm(!enabled);
}

/**
 * Installs the fast wasm kernels for the current backend (slice matmul for `attentionImpl: "xnn"`,
 * heap-copy `Transpose`/`GatherV2`), each after its self-test; a no-op elsewhere. Call it once after
 * `initBackend()`; `xnnAttention` also calls it lazily. Returns the status.
 */
export function installFastKernels(): FastKernelStatus {
  return fastKernelStatus();
}
