/**
 * The fused training-step kernels of the native addon (`native/ops.c`) as tfjs kernels on the wasm
 * backend, and the differentiable layers built from them: linear (+ bias, or the tied head), LayerNorm,
 * causal multi-head attention on `[B, T, C]`, GELU and the weighted cross-entropy. Each forward or
 * backward pass is one kernel call where the tfjs-op versions in `layers.ts` take 5–25, and attention
 * needs no head transposes. `layers.ts` and the `"xnn"` attention use these whenever
 * {@link activeNativeOps} returns the addon (installed and self-tested, see `self-test.ts`).
 */
import * as tf from "@tensorflow/tfjs";
import { activeNativeGemm, type NativeGemm } from "./native-gemm.js";
import { hasWasmInternals, heapOffset, type WasmBackendInternals } from "./wasm-internals.js";

/** The addon's fused ops (argument order as in `native/ops.h`; pointers are heap byte offsets, -1 = none). */
export interface NativeOps extends NativeGemm {
  linearFwd(heap: ArrayBuffer, x: number, w: number, b: number, y: number, N: number, nIn: number, nOut: number, transW: number): void;
  linearBwd(heap: ArrayBuffer, dy: number, x: number, w: number, dx: number, dw: number, db: number, N: number, nIn: number, nOut: number, transW: number): void;
  layerNormFwd(heap: ArrayBuffer, x: number, g: number, b: number, y: number, mean: number, rstd: number, N: number, C: number, eps: number): void;
  layerNormBwd(heap: ArrayBuffer, dy: number, x: number, g: number, mean: number, rstd: number, dx: number, dg: number, db: number, N: number, C: number): void;
  attentionFwd(heap: ArrayBuffer, q: number, k: number, v: number, out: number, att: number, B: number, T: number, C: number, H: number): void;
  attentionBwd(heap: ArrayBuffer, dout: number, q: number, k: number, v: number, att: number, dq: number, dk: number, dv: number, B: number, T: number, C: number, H: number): void;
  geluFwd(heap: ArrayBuffer, x: number, y: number, n: number): void;
  geluBwd(heap: ArrayBuffer, dy: number, x: number, dx: number, n: number): void;
  crossEntropy(heap: ArrayBuffer, logits: number, targets: number, weights: number, loss: number, dlogits: number, N: number, V: number): void;
  adamw(
    heap: ArrayBuffer, p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number,
    gradScale: number, beta1: number, beta2: number, c1: number, c2: number, stepScale: number, invBc2: number, eps: number, decayFactor: number,
  ): void;
  sumSquares(heap: ArrayBuffer, x: number, n: number): number;
}

const OP_NAMES = [
  "linearFwd", "linearBwd", "layerNormFwd", "layerNormBwd", "attentionFwd", "attentionBwd", "geluFwd", "geluBwd", "crossEntropy", "adamw", "sumSquares",
] as const;

/** True when the loaded addon has every fused op (an older build may have only the GEMM). */
export function hasNativeOps(addon: NativeGemm | null): addon is NativeOps {
  return addon !== null && OP_NAMES.every((n) => typeof (addon as unknown as Record<string, unknown>)[n] === "function");
}

let opsEnabled = false;

/** Enables the fused layers (self-test only, after they matched the tfjs-op reference). */
export function setNativeOpsEnabled(on: boolean): void {
  opsEnabled = on;
}

/** The addon when the fused native layers are in use on this thread (wasm backend active), else null. */
export function activeNativeOps(): NativeOps | null {
  const addon = activeNativeGemm();
  return opsEnabled && hasNativeOps(addon) && tf.getBackend() === "wasm" ? addon : null;
}

// ---- kernels ----------------------------------------------------------------------------------------

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type Ctx = { be: WasmBackendInternals; ops: NativeOps; off: (t: tf.TensorInfo | undefined) => number; heap: () => ArrayBuffer };

function context(args: KernelArgs, name: string): Ctx {
  const be = args.backend;
  const ops = activeNativeOps();
  if (!hasWasmInternals(be) || ops === null) throw new Error(`${name}: needs the wasm backend and the native addon`);
  return {
    be,
    ops,
    off: (t) => (t === undefined ? -1 : heapOffset(be, t)),
    // Read the buffer after every allocation: growing the heap replaces it.
    heap: () => be.wasm.HEAPU8.buffer as ArrayBuffer,
  };
}

function input(args: KernelArgs, name: string, key: string): tf.TensorInfo {
  const t = args.inputs[key];
  if (t === undefined) throw new Error(`${name}: missing input ${key}`);
  return t;
}

const last = (t: tf.TensorInfo): number => t.shape[t.shape.length - 1] ?? 1;
const rows = (t: tf.TensorInfo): number => t.shape.reduce((a, b) => a * b, 1) / last(t);

const KERNELS: Record<string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]> = {
  TunixLinear: (args) => {
    const c = context(args, "TunixLinear");
    const x = input(args, "TunixLinear", "x");
    const w = input(args, "TunixLinear", "w");
    const transW = args.attrs?.["transW"] === true;
    const [nIn, nOut] = transW ? [w.shape[1]!, w.shape[0]!] : [w.shape[0]!, w.shape[1]!];
    const y = c.be.makeOutput([...x.shape.slice(0, -1), nOut], "float32");
    c.ops.linearFwd(c.heap(), c.off(x), c.off(w), c.off(args.inputs["b"]), c.off(y), rows(x), nIn, nOut, transW ? 1 : 0);
    return y;
  },
  TunixLinearGrad: (args) => {
    const c = context(args, "TunixLinearGrad");
    const dy = input(args, "TunixLinearGrad", "dy");
    const x = input(args, "TunixLinearGrad", "x");
    const w = input(args, "TunixLinearGrad", "w");
    const transW = args.attrs?.["transW"] === true;
    const hasBias = args.attrs?.["hasBias"] === true;
    const [nIn, nOut] = transW ? [w.shape[1]!, w.shape[0]!] : [w.shape[0]!, w.shape[1]!];
    const dx = c.be.makeOutput(x.shape, "float32");
    const dw = c.be.makeOutput(w.shape, "float32");
    const db = hasBias ? c.be.makeOutput([nOut], "float32") : undefined;
    c.ops.linearBwd(c.heap(), c.off(dy), c.off(x), c.off(w), c.off(dx), c.off(dw), c.off(db), rows(x), nIn, nOut, transW ? 1 : 0);
    return db ? [dx, dw, db] : [dx, dw];
  },
  TunixLayerNorm: (args) => {
    const c = context(args, "TunixLayerNorm");
    const x = input(args, "TunixLayerNorm", "x");
    const N = rows(x);
    const y = c.be.makeOutput(x.shape, "float32");
    const mean = c.be.makeOutput([N], "float32");
    const rstd = c.be.makeOutput([N], "float32");
    const eps = Number(args.attrs?.["eps"] ?? 1e-5);
    c.ops.layerNormFwd(c.heap(), c.off(x), c.off(args.inputs["g"]), c.off(args.inputs["b"]), c.off(y), c.off(mean), c.off(rstd), N, last(x), eps);
    return [y, mean, rstd];
  },
  TunixLayerNormGrad: (args) => {
    const c = context(args, "TunixLayerNormGrad");
    const x = input(args, "TunixLayerNormGrad", "x");
    const C = last(x);
    const dx = c.be.makeOutput(x.shape, "float32");
    const dg = c.be.makeOutput([C], "float32");
    const db = c.be.makeOutput([C], "float32");
    const i = args.inputs;
    c.ops.layerNormBwd(c.heap(), c.off(i["dy"]), c.off(x), c.off(i["g"]), c.off(i["mean"]), c.off(i["rstd"]), c.off(dx), c.off(dg), c.off(db), rows(x), C);
    return [dx, dg, db];
  },
  TunixAttention: (args) => {
    const c = context(args, "TunixAttention");
    const q = input(args, "TunixAttention", "q");
    const [B, T, C] = q.shape as [number, number, number];
    const H = Number(args.attrs?.["nHead"]);
    const out = c.be.makeOutput(q.shape, "float32");
    const att = c.be.makeOutput([B, H, T, T], "float32");
    c.ops.attentionFwd(c.heap(), c.off(q), c.off(args.inputs["k"]), c.off(args.inputs["v"]), c.off(out), c.off(att), B, T, C, H);
    return [out, att];
  },
  TunixAttentionGrad: (args) => {
    const c = context(args, "TunixAttentionGrad");
    const q = input(args, "TunixAttentionGrad", "q");
    const [B, T, C] = q.shape as [number, number, number];
    const H = Number(args.attrs?.["nHead"]);
    const dq = c.be.makeOutput(q.shape, "float32");
    const dk = c.be.makeOutput(q.shape, "float32");
    const dv = c.be.makeOutput(q.shape, "float32");
    const i = args.inputs;
    c.ops.attentionBwd(c.heap(), c.off(i["dy"]), c.off(q), c.off(i["k"]), c.off(i["v"]), c.off(i["att"]), c.off(dq), c.off(dk), c.off(dv), B, T, C, H);
    return [dq, dk, dv];
  },
  TunixGelu: (args) => {
    const c = context(args, "TunixGelu");
    const x = input(args, "TunixGelu", "x");
    const y = c.be.makeOutput(x.shape, "float32");
    c.ops.geluFwd(c.heap(), c.off(x), c.off(y), rows(x) * last(x));
    return y;
  },
  TunixGeluGrad: (args) => {
    const c = context(args, "TunixGeluGrad");
    const x = input(args, "TunixGeluGrad", "x");
    const dx = c.be.makeOutput(x.shape, "float32");
    c.ops.geluBwd(c.heap(), c.off(args.inputs["dy"]), c.off(x), c.off(dx), rows(x) * last(x));
    return dx;
  },
  TunixCrossEntropy: (args) => {
    const c = context(args, "TunixCrossEntropy");
    const logits = input(args, "TunixCrossEntropy", "logits");
    const [N, V] = logits.shape as [number, number];
    const loss = c.be.makeOutput([], "float32");
    const dlogits = c.be.makeOutput(logits.shape, "float32");
    c.ops.crossEntropy(c.heap(), c.off(logits), c.off(args.inputs["targets"]), c.off(args.inputs["weights"]), c.off(loss), c.off(dlogits), N, V);
    return [loss, dlogits];
  },
};

/** Registers the fused kernels on the wasm backend (idempotent). */
export function registerNativeOpKernels(): void {
  for (const [kernelName, fn] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, "wasm") !== undefined) continue;
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: fn as unknown as tf.KernelFunc });
  }
}

// ---- differentiable layers ----------------------------------------------------------------------------

type Tensor = tf.Tensor;
const run = (name: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown> = {}): Tensor | Tensor[] =>
  tf.engine().runKernel(name, inputs as never, attrs as never) as Tensor | Tensor[];

/**
 * `x @ w + b` (w `[in, out]`), or `x @ wᵀ + b` with `transW` (w `[out, in]`, the tied output head),
 * as one fused kernel forward and one backward (dx, dW, db together). `b` may be null.
 */
export function nativeLinear(x: Tensor, w: Tensor, b: Tensor | null, transW = false): Tensor {
  if (b === null) {
    const f = tf.customGrad(((xx: Tensor, ww: Tensor, save: tf.GradSaveFunc) => {
      save([xx, ww]);
      return {
        value: run("TunixLinear", { x: xx, w: ww }, { transW }) as Tensor,
        gradFunc: (dy: Tensor, [sx, sw]: Tensor[]) => run("TunixLinearGrad", { dy, x: sx!, w: sw! }, { transW, hasBias: false }) as Tensor[],
      };
    }) as never) as unknown as (a: Tensor, b: Tensor) => Tensor;
    return f(x, w);
  }
  const f = tf.customGrad(((xx: Tensor, ww: Tensor, bb: Tensor, save: tf.GradSaveFunc) => {
    save([xx, ww]);
    return {
      value: run("TunixLinear", { x: xx, w: ww, b: bb }, { transW }) as Tensor,
      gradFunc: (dy: Tensor, [sx, sw]: Tensor[]) => run("TunixLinearGrad", { dy, x: sx!, w: sw! }, { transW, hasBias: true }) as Tensor[],
    };
  }) as never) as unknown as (a: Tensor, b: Tensor, c: Tensor) => Tensor;
  return f(x, w, b);
}

/** LayerNorm over the last axis (gain `g`, bias `b`), one kernel each way. */
export function nativeLayerNorm(x: Tensor, g: Tensor, b: Tensor, eps: number): Tensor {
  const f = tf.customGrad(((xx: Tensor, gg: Tensor, bb: Tensor, save: tf.GradSaveFunc) => {
    const [y, mean, rstd] = run("TunixLayerNorm", { x: xx, g: gg, b: bb }, { eps }) as Tensor[];
    save([xx, gg, mean!, rstd!]);
    return {
      value: y!,
      gradFunc: (dy: Tensor, [sx, sg, sm, sr]: Tensor[]) => run("TunixLayerNormGrad", { dy, x: sx!, g: sg!, mean: sm!, rstd: sr! }) as Tensor[],
    };
  }) as never) as unknown as (a: Tensor, b: Tensor, c: Tensor) => Tensor;
  return f(x, g, b);
}

/** Causal multi-head attention on `q, k, v [B, T, C]` (heads packed in C), one kernel each way. */
export function nativeCausalAttention(q: Tensor, k: Tensor, v: Tensor, nHead: number): Tensor {
  const f = tf.customGrad(((qq: Tensor, kk: Tensor, vv: Tensor, save: tf.GradSaveFunc) => {
    const [out, att] = run("TunixAttention", { q: qq, k: kk, v: vv }, { nHead }) as Tensor[];
    save([qq, kk, vv, att!]);
    return {
      value: out!,
      gradFunc: (dy: Tensor, [sq, sk, sv, sa]: Tensor[]) => run("TunixAttentionGrad", { dy, q: sq!, k: sk!, v: sv!, att: sa! }, { nHead }) as Tensor[],
    };
  }) as never) as unknown as (a: Tensor, b: Tensor, c: Tensor) => Tensor;
  return f(q, k, v);
}

/** GELU (tanh approximation), one kernel each way. */
export function nativeGelu(x: Tensor): Tensor {
  const f = tf.customGrad(((xx: Tensor, save: tf.GradSaveFunc) => {
    save([xx]);
    return {
      value: run("TunixGelu", { x: xx }) as Tensor,
      gradFunc: (dy: Tensor, [sx]: Tensor[]) => run("TunixGeluGrad", { dy, x: sx! }) as Tensor,
    };
  }) as never) as unknown as (a: Tensor) => Tensor;
  return f(x);
}

/**
 * Σᵢ wᵢ·CE(logitsᵢ, targetᵢ) as a scalar; the forward kernel also computes the gradient
 * `wᵢ·(softmax − onehot)`, which the backward pass only scales. Rows with weight 0 cost nothing.
 */
export function nativeCrossEntropySum(logits: Tensor, targets: Tensor, weights: Tensor): Tensor {
  const f = tf.customGrad(((lg: Tensor, save: tf.GradSaveFunc) => {
    const [loss, dlogits] = run("TunixCrossEntropy", { logits: lg, targets, weights }) as Tensor[];
    save([dlogits!]);
    return { value: loss!, gradFunc: (dy: Tensor, [dl]: Tensor[]) => tf.mul(dl!, dy) };
  }) as never) as unknown as (a: Tensor) => Tensor;
  return f(logits);
}
