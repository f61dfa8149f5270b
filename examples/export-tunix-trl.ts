/**
 * Export a dataset for other trainers:
 * - Google Tunix / the Python tunix-rt: `tunix_sft` records (`{id, prompts, final_answer, metadata}`),
 *   optionally formatted exactly as Python's `json.dumps` so files diff cleanly against its exporter;
 * - Hugging Face TRL `SFTTrainer`: the conversational `messages` format, or `prompt_completion` for
 *   completion-only loss.
 * Run: `npx tsx examples/export-tunix-trl.ts [out-dir]`.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDataset, createMemoryStore, exportDataset, generateTraces, writeJsonl } from "../src/index.js";

const outDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), "tunix-export-"));
const store = createMemoryStore();
await store.putMany(generateTraces({ mix: { arithmetic: 2, word_problem: 1, logic: 1 }, count: 200, seed: "export" }));
const manifest = await buildDataset(store, { name: "export-demo", version: "v1", strategy: "random", seed: 5, splits: { train: 0.9, test: 0.1 } });

// Tunix / Python tunix-rt: the legacy layout and Python json.dumps formatting (", " and ": " separators, \u escapes).
const tunix = await writeJsonl(
  exportDataset(manifest, store, { format: "tunix_sft", split: "train", compat: "tunix-rt" }),
  join(outDir, "train.tunix_sft.jsonl"),
  { python: true },
);
// TRL: conversational messages (the chat template is applied by the trainer's tokenizer).
const trl = await writeJsonl(exportDataset(manifest, store, { format: "messages", split: "train" }), join(outDir, "train.messages.jsonl"));
// TRL completion-only loss: prompt (with the generation prompt) + completion.
const pc = await writeJsonl(exportDataset(manifest, store, { format: "prompt_completion", split: "test" }), join(outDir, "test.prompt_completion.jsonl"));

console.log(`wrote ${tunix.lines} tunix_sft, ${trl.lines} messages and ${pc.lines} prompt_completion records to ${outDir}`);
console.log("tunix_sft line:", readFileSync(join(outDir, "train.tunix_sft.jsonl"), "utf8").split("\n")[0]!.slice(0, 300));
console.log("messages line: ", readFileSync(join(outDir, "train.messages.jsonl"), "utf8").split("\n")[0]!.slice(0, 300));
await store.close();
