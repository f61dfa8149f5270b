/**
 * Renderer throughput bench: `npx tsx bench/render.ts [--repeat N]`.
 *
 * Renders the 550 traces of the reference dev-reasoning-v2 dataset (or a synthetic set when
 * ../shared/reference is absent) N times (default 20) in each format, and parses every completion back,
 * printing traces/s. Rendering validates each trace with the zod schema first; that cost is included
 * because every caller pays it.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseResponse, parseTraceJsonl, renderChat, renderTrace, TRACE_FORMATS, type ReasoningTrace } from "../src/index.js";

const i = process.argv.indexOf("--repeat");
const repeat = i >= 0 ? Number(process.argv[i + 1]) : 20;
const dataset = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../shared/reference/tunix-rt/dev-reasoning-v2.dataset.jsonl");
const traces: ReasoningTrace[] = existsSync(dataset)
  ? parseTraceJsonl(readFileSync(dataset, "utf8")).traces
  : Array.from({ length: 550 }, (_, k) => ({
      trace_version: "1.0",
      prompt: `What is ${k} + ${k}?`,
      final_answer: String(2 * k),
      steps: [{ i: 0, type: "calculation", content: `${k} + ${k} = ${2 * k}` }],
    }));

function time(label: string, f: () => void, count: number): void {
  const t0 = process.hrtime.bigint();
  f();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label.padEnd(34)} ${Math.round(count / s).toLocaleString("en-US").padStart(10)} /s   (${count} in ${s.toFixed(2)} s)`);
}

console.log(`${traces.length} traces${existsSync(dataset) ? " (dev-reasoning-v2)" : " (synthetic)"}, x${repeat}`);
for (const format of TRACE_FORMATS) {
  time(`renderTrace ${format}`, () => {
    for (let r = 0; r < repeat; r++) for (const t of traces) renderTrace(t, format);
  }, traces.length * repeat);
}
const messages = traces.map((t) => [{ role: "user" as const, content: t.prompt }, { role: "assistant" as const, content: t.final_answer }]);
time("renderChat (2 turns)", () => {
  for (let r = 0; r < repeat; r++) for (const m of messages) renderChat(m);
}, traces.length * repeat);
const completions = traces.map((t) => renderTrace(t, "prompt_completion").completion);
time("parseResponse", () => {
  for (let r = 0; r < repeat; r++) for (const c of completions) parseResponse(c);
}, traces.length * repeat);
