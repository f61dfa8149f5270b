/**
 * The in-memory trace store: the reference adapter of the conformance suite.
 */
import { TunixError } from "../errors.js";
import { copyRecordMeta, type TraceBackend, type TraceRecord, type TraceRow } from "./backend.js";
import { RecordIndex, type IndexEntry } from "./record-index.js";
import { createTraceStore } from "./store.js";
import type { TraceStore } from "./types.js";

interface MemoryEntry extends IndexEntry {
  body: string;
}

function toEntry(r: TraceRecord): MemoryEntry {
  return { id: r.id, created_at: r.created_at, content_hash: r.content_hash, trace: { trace_version: r.trace_version, meta: copyRecordMeta(r) }, body: r.body };
}

function toRow(e: MemoryEntry): TraceRow {
  return { id: e.id, created_at: e.created_at, content_hash: e.content_hash, body: e.body };
}

/**
 * A trace store held in process memory (lost on exit). Filters run through {@link matchesFilter}.
 * Returned traces are fresh copies: mutating them never changes the store.
 */
export function createMemoryStore(): TraceStore {
  const index = new RecordIndex<MemoryEntry>();
  const backend: TraceBackend = {
    kind: "memory",
    capabilities: { persistent: false, filterPushdown: false, concurrentWriters: false },
    async insert(records, { dedupe }) {
      const written = records.map((r) => !(dedupe && index.hasHash(r.content_hash)));
      const clash = records.filter((r, i) => written[i] && index.byId.has(r.id)).map((r) => r.id);
      if (clash.length > 0) throw new TunixError("STORE_CONFLICT", `ids already exist: ${clash.join(", ")}`, { details: { ids: clash } });
      records.forEach((r, i) => {
        if (written[i]) index.add(toEntry(r));
      });
      return written;
    },
    async get(ids) {
      const out: TraceRow[] = [];
      for (const id of ids) {
        const e = index.byId.get(id);
        if (e) out.push(toRow(e));
      }
      return out;
    },
    async delete(id) {
      return index.remove(id) !== undefined;
    },
    async count(filter) {
      return index.count(filter);
    },
    async page(req) {
      return index.page(req).map(toRow);
    },
    async close() {
      index.byId.clear();
    },
  };
  return createTraceStore(backend);
}
