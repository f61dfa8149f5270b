import { describe, expectTypeOf, it } from "vitest";
// The render area's own entry (the root re-exports it by name; test/package checks that).
import { type ChatMessage, type PromptCompletion, type ReasoningTrace, type TrainingExample } from "../../src/schema/index.js";
import { GEMMA_CONTROL_TOKENS, parseResponse, pythonStrip, renderChat, renderResponse, renderTrace, traceToMessages, type ControlTokenPolicy, type GemmaTemplate, type MessagesRecord, type ParsedResponse, type RenderTraceOptions, type ResponseStyle, type TraceFormat, type TunixSftRecord } from "../../src/render/index.js";

declare const trace: ReasoningTrace;

describe("public render types", () => {
  it("renderTrace has one return type per format", () => {
    // Type-level only: the calls are never executed.
    expectTypeOf(() => renderTrace(trace, "trace")).returns.toEqualTypeOf<ReasoningTrace>();
    expectTypeOf(() => renderTrace(trace, "tunix_sft")).returns.toEqualTypeOf<TunixSftRecord>();
    expectTypeOf(() => renderTrace(trace, "training_example")).returns.toEqualTypeOf<TrainingExample>();
    expectTypeOf(() => renderTrace(trace, "messages")).returns.toEqualTypeOf<MessagesRecord>();
    expectTypeOf(() => renderTrace(trace, "prompt_completion")).returns.toEqualTypeOf<PromptCompletion>();
    expectTypeOf<MessagesRecord["messages"]>().toEqualTypeOf<ChatMessage[]>();
  });

  it("option and result types are the documented unions", () => {
    expectTypeOf<GemmaTemplate>().toEqualTypeOf<"gemma2" | "gemma3">();
    expectTypeOf<ResponseStyle>().toEqualTypeOf<"reasoning_answer" | "xml_tags">();
    expectTypeOf<ControlTokenPolicy>().toEqualTypeOf<"reject" | "strip" | "keep">();
    expectTypeOf<TraceFormat>().toEqualTypeOf<"trace" | "tunix_sft" | "training_example" | "messages" | "prompt_completion">();
    expectTypeOf<RenderTraceOptions["compat"]>().toEqualTypeOf<"official" | "tunix-rt" | undefined>();
    expectTypeOf<ParsedResponse>().toEqualTypeOf<{ steps: string[]; answer: string | null; wellFormed: boolean; style: ResponseStyle | null }>();
    expectTypeOf(GEMMA_CONTROL_TOKENS).toEqualTypeOf<readonly string[]>();
  });

  it("function signatures", () => {
    expectTypeOf(renderChat).returns.toEqualTypeOf<string>();
    expectTypeOf(renderResponse).returns.toEqualTypeOf<string>();
    expectTypeOf(traceToMessages).returns.toEqualTypeOf<ChatMessage[]>();
    expectTypeOf(parseResponse).returns.toEqualTypeOf<ParsedResponse>();
    expectTypeOf(pythonStrip).toEqualTypeOf<(s: string) => string>();
  });
});
