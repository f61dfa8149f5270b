/**
 * Content-addressed artifact stores: keys are `sha256:<hex>` of the bytes. Memory and directory adapters.
 * Manifests, checkpoints and reports are stored as blobs; naming ("latest manifest of X") is left to the
 * caller (keep the key in a manifest or a trace's meta), so the store never has mutable state to race on.
 */
import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { TunixError } from "../errors.js";
import type { ArtifactInfo, ArtifactStore } from "./types.js";

const KEY = /^sha256:[0-9a-f]{64}$/;
const PREFIX = /^(s(h(a(2(5(6(:[0-9a-f]{0,64})?)?)?)?)?)?)?$/;

/** Throws `INVALID_ARGUMENT` unless `key` is `sha256:` + 64 lowercase hex digits. */
export function checkArtifactKey(key: unknown): string {
  if (typeof key !== "string" || !KEY.test(key)) throw new TunixError("INVALID_ARGUMENT", `artifact key must be "sha256:" + 64 lowercase hex digits, got ${JSON.stringify(key)}`);
  return key;
}

function checkPrefix(prefix: unknown): string {
  if (prefix === undefined) return "";
  if (typeof prefix !== "string" || !PREFIX.test(prefix)) throw new TunixError("INVALID_ARGUMENT", `artifact prefix must be a prefix of "sha256:<hex>", got ${JSON.stringify(prefix)}`);
  return prefix;
}

async function collect(data: Uint8Array | string | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (typeof data === "string") return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  if (data === null || typeof data !== "object" || !(Symbol.asyncIterator in data)) {
    throw new TunixError("INVALID_ARGUMENT", "artifact data must be a Uint8Array, a string or an async iterable of Uint8Array");
  }
  const chunks: Uint8Array[] = [];
  for await (const c of data) chunks.push(c);
  return Buffer.concat(chunks);
}

function keyOf(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** An artifact store in process memory. Returned bytes are copies. */
export function createMemoryArtifactStore(): ArtifactStore {
  const blobs = new Map<string, Uint8Array>();
  let closed = false;
  const open_ = (): void => {
    if (closed) throw new TunixError("STORE_CLOSED", "memory artifact store is closed");
  };
  return {
    kind: "memory",
    async put(data) {
      open_();
      const bytes = Uint8Array.from(await collect(data));
      const key = keyOf(bytes);
      if (!blobs.has(key)) blobs.set(key, bytes);
      return { key, size: bytes.length };
    },
    async get(key) {
      open_();
      const b = blobs.get(checkArtifactKey(key));
      return b === undefined ? undefined : Uint8Array.from(b);
    },
    async has(key) {
      open_();
      return blobs.has(checkArtifactKey(key));
    },
    async delete(key) {
      open_();
      return blobs.delete(checkArtifactKey(key));
    },
    async *list(prefix) {
      open_();
      const p = checkPrefix(prefix);
      const keys = [...blobs.keys()].filter((k) => k.startsWith(p)).sort();
      for (const key of keys) yield { key, size: blobs.get(key)!.length };
    },
    async close() {
      closed = true;
    },
  };
}

/**
 * An artifact store in a directory: `<dir>/sha256/<2 hex>/<62 hex>`. Writes stream to a temp file in
 * `<dir>/tmp`, fsync, then rename, so a key never names a partial blob, even after a crash.
 *
 * @param dir - the directory (created when missing).
 */
export async function openDirArtifactStore(dir: string): Promise<ArtifactStore> {
  if (typeof dir !== "string" || dir === "") throw new TunixError("INVALID_ARGUMENT", "dir: must be a non-empty path");
  await mkdir(join(dir, "tmp"), { recursive: true });
  await mkdir(join(dir, "sha256"), { recursive: true });
  let closed = false;
  let seq = 0;
  const open_ = (): void => {
    if (closed) throw new TunixError("STORE_CLOSED", `artifact store ${dir} is closed`);
  };
  const pathOf = (key: string): string => {
    const hex = key.slice(7);
    return join(dir, "sha256", hex.slice(0, 2), hex.slice(2));
  };
  const exists = async (p: string): Promise<number | undefined> => {
    try {
      return (await stat(p)).size;
    } catch {
      return undefined;
    }
  };
  return {
    kind: "dir",
    async put(data) {
      open_();
      const tmp = join(dir, "tmp", `${process.pid}-${Date.now()}-${seq++}.part`);
      const hash = createHash("sha256");
      let size = 0;
      const fh = await open(tmp, "w");
      try {
        const write = async (chunk: Uint8Array): Promise<void> => {
          hash.update(chunk);
          size += chunk.length;
          await fh.write(chunk);
        };
        if (typeof data === "string" || data instanceof Uint8Array) await write(await collect(data));
        else if (data !== null && typeof data === "object" && Symbol.asyncIterator in data) for await (const c of data) await write(c);
        else throw new TunixError("INVALID_ARGUMENT", "artifact data must be a Uint8Array, a string or an async iterable of Uint8Array");
        await fh.sync();
      } catch (e) {
        await fh.close();
        await rm(tmp, { force: true });
        throw e;
      }
      await fh.close();
      const key = `sha256:${hash.digest("hex")}`;
      const target = pathOf(key);
      if ((await exists(target)) !== undefined) {
        await rm(tmp, { force: true });
      } else {
        await mkdir(join(target, ".."), { recursive: true });
        await rename(tmp, target);
      }
      return { key, size };
    },
    async get(key) {
      open_();
      const path = pathOf(checkArtifactKey(key));
      try {
        return new Uint8Array(await readFile(path));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw new TunixError("BACKEND_ERROR", `reading artifact ${key} failed`, { cause: e });
      }
    },
    async has(key) {
      open_();
      return (await exists(pathOf(checkArtifactKey(key)))) !== undefined;
    },
    async delete(key) {
      open_();
      const p = pathOf(checkArtifactKey(key));
      if ((await exists(p)) === undefined) return false;
      await rm(p, { force: true });
      return true;
    },
    async *list(prefix) {
      open_();
      const p = checkPrefix(prefix);
      const hexPrefix = p.length > 7 ? p.slice(7) : "";
      const buckets = (await readdir(join(dir, "sha256"))).filter((b) => /^[0-9a-f]{2}$/.test(b) && b.startsWith(hexPrefix.slice(0, 2))).sort();
      for (const b of buckets) {
        const names = (await readdir(join(dir, "sha256", b))).filter((n) => /^[0-9a-f]{62}$/.test(n) && (b + n).startsWith(hexPrefix)).sort();
        for (const n of names) {
          const size = await exists(join(dir, "sha256", b, n));
          if (size !== undefined) yield { key: `sha256:${b}${n}`, size } satisfies ArtifactInfo;
        }
      }
    },
    async close() {
      closed = true;
    },
  };
}
