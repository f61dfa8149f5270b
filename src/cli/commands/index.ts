import type { Command } from "../context.js";
import { buildCommand } from "./build.js";
import { compareCommand } from "./compare.js";
import { demoCommand } from "./demo.js";
import { evalCommand } from "./eval.js";
import { exportCommand } from "./export.js";
import { generateCommand } from "./generate.js";
import { ingestCommand } from "./ingest.js";
import { reportCommand } from "./report.js";
import { trainCommand } from "./train.js";

/** Every subcommand, in help order. */
export const COMMANDS: readonly Command[] = [
  generateCommand,
  ingestCommand,
  buildCommand,
  exportCommand,
  trainCommand,
  evalCommand,
  compareCommand,
  reportCommand,
  demoCommand,
];
