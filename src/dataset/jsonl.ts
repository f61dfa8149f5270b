import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import type { Writable } from "node:stream";
import { TunixError } from "../errors.js";
import { pythonJsonDumps } from "./python-json.js";

/** Options of {@link writeJsonl}. */
export interface WriteJsonlOptions {
  /** Write each line as Python `json.dumps` would (see pythonJsonDumps); default: `JSON.stringify`. */
  python?: boolean;
  /** With `python`: Python `sort_keys=True`. */
  sortKeys?: boolean;
  /** With `python`: Python `ensure_ascii` (default true, as `json.dumps`); false keeps non-ASCII text as UTF-8. */
  ensureAscii?: boolean;
  /** Bytes buffered before a write to the stream (default 64 KiB). */
  chunkBytes?: number;
}

/** What {@link writeJsonl} wrote. */
export interface WriteJsonlResult {
  /** Lines written. */
  lines: number;
  /** Bytes written. */
  bytes: number;
  /** sha256 of the bytes written. */
  sha256: string;
}

function waitDrain(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off("error", onError);
      resolve();
    };
    const onError = (e: Error): void => {
      stream.off("drain", onDrain);
      reject(e);
    };
    stream.once("drain", onDrain);
    stream.once("error", onError);
  });
}

async function pump(records: AsyncIterable<unknown> | Iterable<unknown>, out: Writable, options: WriteJsonlOptions): Promise<WriteJsonlResult> {
  const python = options.python === true;
  const dumpOptions = { sortKeys: options.sortKeys === true, ensureAscii: options.ensureAscii !== false };
  const chunkBytes = options.chunkBytes ?? 65536;
  const hash = createHash("sha256");
  let lines = 0;
  let bytes = 0;
  let buf = "";
  const flush = async (): Promise<void> => {
    if (buf === "") return;
    const data = Buffer.from(buf, "utf8");
    buf = "";
    hash.update(data);
    bytes += data.length;
    if (!out.write(data)) await waitDrain(out);
  };
  for await (const record of records as AsyncIterable<unknown>) {
    const line = python ? pythonJsonDumps(record, dumpOptions) : JSON.stringify(record);
    if (line === undefined) throw new TunixError("INVALID_ARGUMENT", `writeJsonl: record ${lines} is not JSON-serializable`);
    buf += `${line}\n`;
    lines++;
    if (buf.length >= chunkBytes) await flush();
  }
  await flush();
  return { lines, bytes, sha256: hash.digest("hex") };
}

/**
 * Writes records as JSON Lines, one record per line with a trailing newline, honouring the stream's
 * backpressure (waits for `drain`), so memory stays O(chunk) whatever the record count.
 *
 * To a path the file is written atomically: into a temp file beside it, fsynced, then renamed (a crash or
 * an error leaves the old file, or none, never a half-written one). A stream is written to and left open.
 *
 * @param records - any (async) iterable of JSON-serializable records, e.g. exportDataset's result.
 * @param dest - a file path or a Writable.
 * @param options - `python` formatting, chunk size.
 */
export async function writeJsonl(
  records: AsyncIterable<unknown> | Iterable<unknown>,
  dest: string | Writable,
  options: WriteJsonlOptions = {},
): Promise<WriteJsonlResult> {
  if (typeof dest !== "string") return pump(records, dest, options);
  const tmp = `${dest}.tmp-${process.pid}-${randomUUID()}`;
  const out = createWriteStream(tmp, { flags: "wx" });
  try {
    await new Promise<void>((resolve, reject) => {
      out.once("open", () => resolve());
      out.once("error", reject);
    });
    const result = await pump(records, out, options);
    await new Promise<void>((resolve, reject) => {
      out.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
    // Data written through the stream is fsynced through a fresh handle before the rename.
    const fh = await open(tmp, "r+");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, dest);
    return result;
  } catch (e) {
    out.destroy();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
