/**
 * `createGenerateFn(lm)`: a `(prompt) => Promise<completion>` function for evaluation. It renders the
 * user prompt with the Gemma chat template plus the generation prompt (exactly how training prompts
 * were rendered) and batches concurrent calls (e.g. `Promise.all(items.map(fn))`) into one `generate`.
 */
import { renderChat, type GemmaTemplate } from "../render/index.js";
import type { ChatMessage } from "../schema/index.js";
import type { LanguageModel } from "./checkpoint.js";
import { generate, type GenerateOptions } from "./sample.js";

/** Options of {@link createGenerateFn}. */
export interface GenerateFnOptions extends GenerateOptions {
  /** Gemma template to render the user turn with (default `"gemma3"`; match the training render). */
  readonly template?: GemmaTemplate;
  /** Instruction before the prompt in the user turn (as `systemInstruction` in training). */
  readonly systemInstruction?: string;
  /** Most prompts generated together (default 8). */
  readonly batchSize?: number;
}

/**
 * Renders one user prompt as training did: `<bos><start_of_turn>user\n…<end_of_turn>\n<start_of_turn>model\n`.
 *
 * @param prompt - the user's question.
 * @param options - template and system instruction.
 */
export function renderGenerationPrompt(prompt: string, options: { template?: GemmaTemplate; systemInstruction?: string } = {}): string {
  const messages: ChatMessage[] = [];
  const sys = options.systemInstruction ?? "";
  if (sys !== "") messages.push({ role: "system", content: sys });
  messages.push({ role: "user", content: prompt });
  return renderChat(messages, { template: options.template ?? "gemma3", addGenerationPrompt: true });
}

/**
 * A `(prompt: string) => Promise<string>` generator over a trained model. Greedy by default, so equal
 * prompts give equal answers. Calls made in the same tick are generated as one batch.
 *
 * @param lm - model and tokenizer (e.g. `result.model` from `train()`, or `loadModel()`).
 * @param options - generation, render and batching options.
 */
export function createGenerateFn(lm: LanguageModel, options: GenerateFnOptions = {}): (prompt: string) => Promise<string> {
  const batchSize = options.batchSize ?? 8;
  type Pending = { text: string; resolve: (s: string) => void; reject: (e: unknown) => void };
  let queue: Pending[] = [];
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const all = queue;
    queue = [];
    for (let i = 0; i < all.length; i += batchSize) {
      const group = all.slice(i, i + batchSize);
      chain = chain.then(async () => {
        try {
          const gens = await generate(lm, group.map((g) => g.text), options);
          group.forEach((g, k) => g.resolve(gens[k]!.text));
        } catch (e) {
          for (const g of group) g.reject(e);
        }
      });
    }
  };
  return (prompt: string) =>
    new Promise<string>((resolve, reject) => {
      let text: string;
      try {
        text = renderGenerationPrompt(prompt, options);
      } catch (e) {
        reject(e);
        return;
      }
      queue.push({ text, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
