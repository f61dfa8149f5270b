import { z } from "zod";
import { TunixError } from "../errors.js";
import { fromZodIssues } from "../schema/index.js";
import { SafeKeySchema } from "../manifest/index.js";
import { TraceFilterSchema, type TraceFilter } from "../storage/index.js";

/** Most distinct strata a stratified build tracks (a guard against stratifying by a unique field). */
export const MAX_STRATA = 10_000;

/** Selection strategies. `latest`: newest first. `random`: seeded sample. `stratified`: seeded sample per stratum. */
export const SelectionStrategySchema = z.enum(["latest", "random", "stratified"]);

/** A seed: an integer or a string. Floats are refused (their text form differs between languages). */
export const SeedSchema = z.union([z.number().int().refine(Number.isSafeInteger, "must be a safe integer"), z.string().min(1)]);

/** How to stratify: a meta path and optional explicit per-stratum quotas. */
export const StratifySchema = z.strictObject({
  /** Dot path into `trace.meta` (e.g. `category` or `source.kind`). Its value (as JSON) names the stratum. */
  by: z.string().regex(/^[\p{L}\p{N}_-]{1,128}(\.[\p{L}\p{N}_-]{1,128}){0,15}$/u, "must be a meta path like 'category' or 'a.b'"),
  /**
   * Traces to take per stratum. Without quotas, `limit` is shared out in proportion to each stratum's
   * candidate count (largest remainder). With quotas, only the listed strata are used.
   */
  quotas: z.record(z.string(), z.number().int().min(0)).optional(),
});

/** The split fractions, e.g. `{train: 0.8, val: 0.1, test: 0.1}`; they must sum to 1. */
export const SplitsSchema = z.record(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "split names are 1..64 letters, digits, '_' or '-'"),
  z.number().min(0).max(1),
);

/**
 * A dataset build request: plain, validated data. `name`, `version` and `parent` name the result; every
 * other field decides which traces are selected (and enters the fingerprint).
 */
export const DatasetRequestSchema = z
  .strictObject({
    /** Dataset name (safe characters only). */
    name: SafeKeySchema,
    /** Dataset version (safe characters only). */
    version: SafeKeySchema,
    /** Storage filter selecting the candidates (all traces when absent). */
    filter: TraceFilterSchema.optional(),
    /** How to pick among candidates. */
    strategy: SelectionStrategySchema,
    /** Required for `random`, `stratified` and `splits`. */
    seed: SeedSchema.optional(),
    /** Most traces to select (all candidates when absent). Required for proportional stratification. */
    limit: z.number().int().min(1).optional(),
    /** Drop traces whose normalized prompt + final answer duplicates a better-ranked one. */
    dedupe: z.boolean().default(false),
    /** Stratification (strategy `stratified` only). */
    stratify: StratifySchema.optional(),
    /** Output splits, assigned by a seeded hash of each trace's content hash. */
    splits: SplitsSchema.optional(),
    /** Key of the parent dataset (lineage); its manifest must be passed to the build. */
    parent: SafeKeySchema.optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.strategy === "random" || r.strategy === "stratified") && r.seed === undefined) {
      ctx.addIssue({ code: "custom", path: ["seed"], message: `is required for strategy "${r.strategy}"` });
    }
    if (r.strategy === "stratified" && r.stratify === undefined) {
      ctx.addIssue({ code: "custom", path: ["stratify"], message: 'is required for strategy "stratified"' });
    }
    if (r.strategy !== "stratified" && r.stratify !== undefined) {
      ctx.addIssue({ code: "custom", path: ["stratify"], message: `only applies to strategy "stratified", not "${r.strategy}"` });
    }
    if (r.stratify !== undefined && r.stratify.quotas === undefined && r.limit === undefined) {
      ctx.addIssue({ code: "custom", path: ["limit"], message: "is required for proportional stratification (no quotas)" });
    }
    if (r.splits !== undefined) {
      const names = Object.keys(r.splits);
      if (names.length === 0) ctx.addIssue({ code: "custom", path: ["splits"], message: "must name at least one split" });
      const sum = Object.values(r.splits).reduce((a, b) => a + b, 0);
      if (names.length > 0 && Math.abs(sum - 1) > 1e-9) {
        ctx.addIssue({ code: "custom", path: ["splits"], message: `fractions must sum to 1, got ${sum}` });
      }
      if (r.seed === undefined) ctx.addIssue({ code: "custom", path: ["seed"], message: "is required when splits are requested" });
    }
  });

/** A validated dataset build request. */
export type DatasetRequest = Omit<z.infer<typeof DatasetRequestSchema>, "filter"> & { filter?: TraceFilter };
/** Input accepted by {@link DatasetRequestSchema}. */
export type DatasetRequestInput = Omit<z.input<typeof DatasetRequestSchema>, "filter"> & { filter?: TraceFilter };
/** Selection strategy name. */
export type SelectionStrategy = z.infer<typeof SelectionStrategySchema>;

/**
 * The fingerprint arguments of a request: only the fields that decide the selection, with defaults
 * removed, so equivalent requests hash alike (`dedupe: false` and an absent `dedupe` are the same request;
 * `name`, `version` and `parent` name the result but do not change which traces are chosen).
 *
 * @param request - a validated request.
 */
export function normalizeRequest(request: DatasetRequest): Record<string, unknown> {
  const args: Record<string, unknown> = { strategy: request.strategy };
  if (request.filter !== undefined) args.filter = request.filter;
  if (request.seed !== undefined) args.seed = request.seed;
  if (request.limit !== undefined) args.limit = request.limit;
  if (request.dedupe) args.dedupe = true;
  if (request.stratify !== undefined) {
    args.stratify = request.stratify.quotas === undefined ? { by: request.stratify.by } : request.stratify;
  }
  if (request.splits !== undefined) args.splits = request.splits;
  return args;
}

/**
 * Validates a build request.
 *
 * @param input - the request as plain data.
 * @throws TunixError `DATASET_INVALID` listing each failing field (`seed: is required for strategy "random"`).
 */
export function parseDatasetRequest(input: unknown): DatasetRequest {
  const result = DatasetRequestSchema.safeParse(input);
  if (!result.success) {
    throw new TunixError("DATASET_INVALID", "Invalid dataset request", { issues: fromZodIssues(result.error.issues) });
  }
  return result.data as DatasetRequest;
}
