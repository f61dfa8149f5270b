import { createMemoryStore } from "../../src/storage/index.js";
import { conformance } from "./conformance.js";

conformance("memory", async () => createMemoryStore());
