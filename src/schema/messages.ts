import { z } from "zod";

/** A chat role. `assistant` and `model` both mean the model's turn (Gemma calls it `model`). */
export const ChatRoleSchema = z.enum(["system", "user", "assistant", "model"]);

/** One chat message `{role, content}`, the conversational format TRL and Tunix consume. */
export const ChatMessageSchema = z.object({
  role: ChatRoleSchema,
  content: z.string(),
});

/** A supervised example `{id, prompt, response, metadata}` as the Python tunix-rt exported it. */
export const TrainingExampleSchema = z.looseObject({
  id: z.string().min(1),
  prompt: z.string().min(1),
  response: z.string().min(1),
  metadata: z.record(z.string(), z.json()).default({}),
});

/** A prompt/completion pair; `prompt + completion` is the whole rendered conversation. */
export const PromptCompletionSchema = z.object({
  prompt: z.string(),
  completion: z.string(),
});

/** A chat role. */
export type ChatRole = z.infer<typeof ChatRoleSchema>;
/** One chat message. */
export type ChatMessage = z.infer<typeof ChatMessageSchema>;
/** A supervised training example. */
export type TrainingExample = z.infer<typeof TrainingExampleSchema>;
/** A prompt/completion pair. */
export type PromptCompletion = z.infer<typeof PromptCompletionSchema>;
