import type { Command } from "../context.js";
import { buildCommand } from "./build.js";
import { compareCommand } from "./compare.js";
import { evalCommand } from "./eval.js";
import { exportCommand } from "./export.js";
import { generateCommand } from "./generate.js";
import { ingestCommand } from "./ingest.js";
import { reportCommand } from "./report.js";

/** Every subcommand, in help order. */
export const COMMANDS: readonly Command[] = [
  generateCommand,
  ingestCommand,
  buildCommand,
  exportCommand,
  evalCommand,
  compareCommand,
  reportCommand,
];
