/**
 * Backend selection: `@tensorflow/tfjs-node` when the user installed it (an optional peer, loaded
 * dynamically, never required), else `@tensorflow/tfjs-backend-wasm`, else the plain `cpu` backend.
 * tfjs keeps one global engine, so one backend is active per process (or worker) at a time.
 */
import { TunixError } from "../errors.js";
import { installFastKernels } from "./kernels/self-test.js";
import { registerUnsortedSegmentSum } from "./kernels/unsorted-segment-sum.js";
import { registerXnnAttention } from "./kernels/xnn-attention.js";
import type { BackendName, Tf } from "./types.js";

/** Which backend to ask for; `auto` tries node → wasm → cpu. */
export type BackendPreference = "auto" | BackendName;

/** The initialised tfjs namespace and the backend that is active. */
export interface BackendHandle {
  /** The tfjs namespace to build models with. */
  readonly tf: Tf;
  /** The active backend. */
  readonly backend: BackendName;
}

/** Options for {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * tfjs production mode (skips per-op NaN/debug checks; measured +3 % on wasm). Default true. It is a
   * global tfjs flag.
   */
  readonly prodMode?: boolean;
}

// Kept in a variable so bundlers do not try to resolve the optional peer at build time.
const TFJS_NODE = "@tensorflow/tfjs-node";

async function tryNode(): Promise<Tf | undefined> {
  try {
    return (await import(/* @vite-ignore */ TFJS_NODE)) as Tf;
  } catch {
    return undefined;
  }
}

async function loadTf(): Promise<Tf> {
  return (await import("@tensorflow/tfjs")) as Tf;
}

async function activate(tf: Tf, name: "wasm" | "cpu" | "tensorflow"): Promise<boolean> {
  try {
    if (name === "wasm") await import("@tensorflow/tfjs-backend-wasm");
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Picks and initialises a tfjs backend.
 *
 * - `"node"`: `@tensorflow/tfjs-node` (throws `DRIVER_MISSING` naming the package when absent).
 * - `"wasm"`: `@tensorflow/tfjs-backend-wasm`, with a JS `UnsortedSegmentSum` kernel registered so
 *   `tf.gather`'s gradient (the embeddings) works.
 * - `"cpu"`: the pure-JS backend (slow: ~20× below wasm; for tests and fallback).
 * - `"auto"` (default): node if installed, else wasm, else cpu.
 *
 * @param preference - which backend to use.
 * @param options - see {@link InitBackendOptions}.
 */
export async function initBackend(
  preference: BackendPreference = "auto",
  options: InitBackendOptions = {},
): Promise<BackendHandle> {
  if (!["auto", "node", "wasm", "cpu"].includes(preference)) {
    throw new TunixError("INVALID_ARGUMENT", `backend: expected "auto" | "node" | "wasm" | "cpu", got ${JSON.stringify(preference)}`);
  }
  let handle: BackendHandle | undefined;
  if (preference === "auto" || preference === "node") {
    const nodeTf = await tryNode();
    if (nodeTf && (await activate(nodeTf, "tensorflow"))) handle = { tf: nodeTf, backend: "node" };
    else if (preference === "node") {
      throw new TunixError("DRIVER_MISSING", `backend "node" needs the optional peer ${TFJS_NODE} (npm install ${TFJS_NODE}@4.22.0)`);
    }
  }
  if (!handle) {
    const tf = await loadTf();
    if ((preference === "auto" || preference === "wasm") && (await activate(tf, "wasm"))) {
      registerUnsortedSegmentSum(tf, "wasm");
      // Bit-exact faster Transpose/GatherV2 + the slice matmul behind attentionImpl "xnn", each after a
      // self-test (falls back to the stock kernels on mismatch). See src/train/kernels/.
      installFastKernels();
      handle = { tf, backend: "wasm" };
    } else if (preference === "wasm") {
      throw new TunixError("BACKEND_ERROR", "backend: @tensorflow/tfjs-backend-wasm failed to initialise");
    } else if (await activate(tf, "cpu")) {
      registerUnsortedSegmentSum(tf, "cpu");
      handle = { tf, backend: "cpu" };
    } else {
      throw new TunixError("BACKEND_ERROR", "backend: no tfjs backend could be initialised");
    }
  }
  if (options.prodMode ?? true) handle.tf.enableProdMode();
  // attentionImpl "xnn" is selectable on every backend (it is the default attention off wasm).
  registerXnnAttention();
  return handle;
}
