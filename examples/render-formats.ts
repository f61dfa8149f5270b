/**
 * Renders one reasoning trace in every training format and parses the model turn back.
 * Run: `npx tsx examples/render-formats.ts` (in your own code, import from "tunix-rt").
 */
import { parseResponse, parseTrace, renderChat, renderTrace, TRACE_FORMATS } from "../src/index.js";

const trace = parseTrace({
  trace_version: "1.0",
  prompt: "A shop sells pens at $3 each. How much do 14 pens cost?",
  final_answer: "$42",
  steps: [
    { i: 0, type: "setup", content: "Cost = price × quantity" },
    { i: 1, type: "calculation", content: "3 × 14 = 42" },
  ],
  meta: { source: "example" },
});

for (const format of TRACE_FORMATS) {
  console.log(`--- ${format}`);
  console.log(JSON.stringify(renderTrace(trace, format, { systemInstruction: "Show your reasoning." }), null, 2));
}

console.log("--- tunix_sft, compat: tunix-rt (the Python export, byte for byte)");
console.log(renderTrace(trace, "tunix_sft", { compat: "tunix-rt" }).prompts);

// What a model would be asked at inference time, and how its answer is read back.
const prompt = renderChat([{ role: "user", content: trace.prompt }], { addGenerationPrompt: true });
const generated = "Reasoning:\n1. Cost = price × quantity\n2. 3 × 14 = 42\nAnswer: $42<end_of_turn>\n<start_of_turn>user";
console.log("--- prompt for generation:", JSON.stringify(prompt));
console.log("--- parsed:", parseResponse(generated));
