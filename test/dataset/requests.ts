import type { DatasetRequestInput } from "../../src/dataset/index.js";

/** Requests exercised by the determinism tests (each strategy plus dedupe, splits, filters). */
export const REQUESTS: DatasetRequestInput[] = [
  { name: "d", version: "latest", strategy: "latest", limit: 50 },
  { name: "d", version: "random", strategy: "random", seed: 42, limit: 60, splits: { train: 0.8, val: 0.1, test: 0.1 } },
  { name: "d", version: "dedupe", strategy: "random", seed: "abc", limit: 100, dedupe: true, filter: { meta: "source", eq: "odd" } },
  { name: "d", version: "strat", strategy: "stratified", seed: 7, limit: 40, stratify: { by: "category" }, dedupe: true },
  { name: "d", version: "quota", strategy: "stratified", seed: 7, stratify: { by: "category", quotas: { reasoning: 10, edge_case: 5 } } },
];
