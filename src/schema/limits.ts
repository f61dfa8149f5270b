/** Maximum length of `trace_version`, in code points. */
export const MAX_TRACE_VERSION_CHARS = 64;
/** Maximum length of `prompt`, in code points. */
export const MAX_PROMPT_CHARS = 50_000;
/** Maximum length of `final_answer`, in code points. */
export const MAX_FINAL_ANSWER_CHARS = 50_000;
/** Maximum number of steps in one trace. */
export const MAX_STEPS = 1000;
/** Maximum length of a step's `type`, in code points. */
export const MAX_STEP_TYPE_CHARS = 64;
/** Maximum length of a step's `content`, in code points. */
export const MAX_STEP_CONTENT_CHARS = 20_000;
