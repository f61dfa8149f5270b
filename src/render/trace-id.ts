import { parseTrace, type ReasoningTrace } from "../schema/index.js";
import { hashJson } from "../internal/hash.js";

/**
 * A deterministic id for a trace, derived from its content: the sha256 of its canonical JSON (keys
 * sorted, every field including `meta` and unknown keys), shaped as an RFC 9562 version-8 UUID so it fits
 * wherever the Python tunix-rt put a UUID. The same trace gives the same id on every machine; never random.
 *
 * @param trace - a reasoning trace (validated).
 * @returns e.g. `"3f1c0a52-9b7e-8d4a-a1f0-5c2e7d9b8a61"`.
 * @throws TraceValidationError for an invalid trace.
 */
export function traceContentId(trace: ReasoningTrace): string {
  return contentIdOf(parseTrace(trace));
}

/** {@link traceContentId} for an already validated trace. */
export function contentIdOf(trace: ReasoningTrace): string {
  const hex = hashJson(trace).slice(0, 32).split("");
  hex[12] = "8"; // version 8 (custom)
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16); // RFC 9562 variant
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
