import { initBackend, type BackendHandle } from "../../src/train/backend.js";
import type { GPT } from "../../src/train/model.js";
import type { TokenBatch } from "../../src/train/types.js";
import { sha256Hex } from "../../src/internal/hash.js";

let handle: Promise<BackendHandle> | undefined;

/** The wasm backend, initialised once per test file (each file is its own process). */
export function wasm(): Promise<BackendHandle> {
  handle ??= initBackend("wasm");
  return handle;
}

/** sha256 over every parameter's float32 bytes, in canonical order. */
export function weightsHash(model: GPT): string {
  const parts = model.paramNames.map((n) => Buffer.from((model.params[n]!.dataSync() as Float32Array).buffer));
  return sha256Hex(Buffer.concat(parts));
}

/** A deterministic synthetic batch. */
export function syntheticBatch(B: number, T: number, vocab: number, salt = 0): TokenBatch {
  const n = B * T;
  const inputs = new Int32Array(n);
  const targets = new Int32Array(n);
  const weights = new Float32Array(n);
  const positions = new Int32Array(n);
  const segments = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    inputs[i] = (i * 7 + salt * 13 + 5) % vocab;
    targets[i] = (i * 11 + salt * 3 + 2) % vocab;
    weights[i] = i % T >= T / 2 ? 1 : 0;
    positions[i] = i % T;
    segments[i] = 1;
  }
  return { batchSize: B, seqLen: T, inputs, targets, weights, positions, segments, causalOnly: true };
}

/** Toy task: reverse a 3-letter string over `letters`, as rendered Gemma turns. */
export function reversalPairs(letters = "abcde"): Array<{ prompt: string; completion: string }> {
  const out: Array<{ prompt: string; completion: string }> = [];
  for (const a of letters) for (const b of letters) for (const c of letters) {
    out.push({ prompt: `<bos><start_of_turn>user\n${a}${b}${c}<end_of_turn>\n<start_of_turn>model\n`, completion: `${c}${b}${a}<end_of_turn>\n` });
  }
  return out;
}
