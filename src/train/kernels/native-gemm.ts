/**
 * Native matrix products for the wasm backend: an optional Node-API addon (`native/`, C with AVX-512 /
 * AVX2 FMA micro-kernels) that multiplies tensors where they lie, in the wasm heap, with no copies.
 *
 * Why: every matmul of the training step ends in XNNPACK's wasm SIMD kernels (128-bit, no FMA, one
 * thread; 14–30 GFLOP/s here) or — for transposed and batched products — in tfjs-wasm's naive loop
 * (1–3 GFLOP/s). The same products in native code reach 40–90 GFLOP/s on the reference machine, and
 * transposes cost nothing extra because the packing step reads either layout.
 *
 * The addon ships prebuilt for linux-x64 (`prebuilds/linux-x64/tunix_kernels.node`) and is built from
 * source by the package's install script elsewhere (g++ / clang and Python, as for any node-gyp addon).
 * When it is missing, fails to load, or `TUNIX_RT_NATIVE=0` is set, everything runs on the wasm kernels
 * as before. Results are deterministic (bit-identical on every CPU the addon runs on) but not bit-equal
 * to XNNPACK's, so a run's determinism holds for one kernel choice: `fastKernelStatus().native` and the
 * run manifest record it.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The addon's functions (see `native/binding.c`). */
export interface NativeGemm {
  /**
   * For `i` in `[0, batch)`: `C_i = op(A_i) · op(B_i)` on float32 data at byte offsets of `heap`;
   * strides in elements (0 broadcasts an operand). Throws a RangeError for operands outside `heap`.
   */
  gemm(
    heap: ArrayBuffer,
    aOff: number,
    bOff: number,
    cOff: number,
    M: number,
    N: number,
    K: number,
    transposeA: number,
    transposeB: number,
    batch: number,
    strideA: number,
    strideB: number,
    strideC: number,
  ): void;
  /** The micro-kernel in use: "avx512", "avx2" or "scalar". */
  isa(): string;
}

/** Where the addon was looked for and what happened. */
export interface NativeGemmLoad {
  /** The loaded addon, or null. */
  readonly addon: NativeGemm | null;
  /** The file it was loaded from (empty when none). */
  readonly path: string;
  /** Why it is not in use (empty when loaded). */
  readonly reason: string;
}

/** File name of the compiled addon (node-gyp target `tunix_kernels`). */
export const NATIVE_ADDON_FILE = "tunix_kernels.node";

function packageRoot(): string | undefined {
  // tsup's `shims` provides import.meta.url in the CJS build as well.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "tunix-rt") return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** Candidate addon paths, most specific first: the shipped prebuild, then a local node-gyp build. */
export function nativeAddonCandidates(root = packageRoot()): string[] {
  if (root === undefined) return [];
  return [
    join(root, "prebuilds", `${process.platform}-${process.arch}`, NATIVE_ADDON_FILE),
    join(root, "native", "build", "Release", NATIVE_ADDON_FILE),
  ];
}

let loaded: NativeGemmLoad | undefined;

/**
 * Loads the native addon once per thread (worker_threads load their own copy). Never throws: a missing
 * or broken addon gives `{addon: null, reason}`.
 */
export function loadNativeGemm(): NativeGemmLoad {
  if (loaded !== undefined) return loaded;
  const flag = process.env["TUNIX_RT_NATIVE"];
  if (flag === "0" || flag === "false" || flag === "off") {
    loaded = { addon: null, path: "", reason: "disabled by TUNIX_RT_NATIVE" };
    return loaded;
  }
  const req = createRequire(import.meta.url);
  const tried: string[] = [];
  for (const path of nativeAddonCandidates()) {
    if (!existsSync(path)) continue;
    try {
      const addon = req(path) as NativeGemm;
      if (typeof addon.gemm !== "function" || typeof addon.isa !== "function") throw new Error("unexpected exports");
      loaded = { addon, path, reason: "" };
      return loaded;
    } catch (e) {
      tried.push(`${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  loaded = {
    addon: null,
    path: "",
    reason: tried.length > 0 ? `native addon failed to load (${tried.join("; ")})` : "native addon not built for this platform",
  };
  return loaded;
}

let active: NativeGemm | null = null;
let suspended = false;

/**
 * The addon when it computes this thread's matmuls (installed into the wasm backend after its
 * self-test), else null. Kernels use it to skip explicit transposes, which only help XNNPACK.
 */
export function activeNativeGemm(): NativeGemm | null {
  return suspended ? null : active;
}

/** Records the installed addon (self-test only). */
export function setActiveNativeGemm(addon: NativeGemm | null): void {
  active = addon;
}

/** Routes matmuls back to the wasm kernels while `off` (for reference runs), without uninstalling. */
export function suspendNativeGemm(off: boolean): void {
  suspended = off;
}
