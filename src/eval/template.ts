import { GEMMA_TEMPLATES, type GemmaTemplate } from "../render/index.js";
import { TunixError } from "../errors.js";

/**
 * sha256 of the official Gemma chat templates (the `chat_template` text of the Hugging Face tokenizer
 * configs) that `renderChat` reproduces byte for byte: gemma2 = google/gemma-2-2b-it, gemma3 =
 * google/gemma-3-1b-it. A test checks them against the reference files.
 */
export const GEMMA_TEMPLATE_SHA256: Readonly<Record<GemmaTemplate, string>> = Object.freeze({
  gemma2: "ecd6ae513fe103f0eb62e8ab5bfa8d0fe45c1074fa398b089c93a7e70c15cfd6",
  gemma3: "7de1c58e208eda46e9c7f86397df37ec49883aeece39fb961e0a6b24088dd3c4",
});

/** A chat template's identity as recorded in reports and evaluation manifests. */
export interface TemplateIdentity {
  /** Template name, e.g. `gemma3`. */
  name: string;
  /** sha256 of the template text. */
  hash: string;
}

/**
 * The identity of a built-in Gemma template, for `evaluate({ template })`.
 *
 * @param name - `gemma2` or `gemma3`.
 * @throws TunixError `INVALID_ARGUMENT` for an unknown template.
 */
export function gemmaTemplateIdentity(name: GemmaTemplate): TemplateIdentity {
  if (!GEMMA_TEMPLATES.includes(name)) {
    throw new TunixError("INVALID_ARGUMENT", `Unknown Gemma template ${JSON.stringify(name)} (expected ${GEMMA_TEMPLATES.join(" or ")})`);
  }
  return { name, hash: GEMMA_TEMPLATE_SHA256[name] };
}
