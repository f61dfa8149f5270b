import { randomUUID } from "node:crypto";
import { open, link, rename, unlink, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";

async function writeTemp(path: string, data: string | Iterable<string | Uint8Array>): Promise<string> {
  // randomUUID only names the temp file; it never influences any output.
  const tmp = `${path}.tmp-${process.pid}-${randomUUID()}`;
  const fh = await open(tmp, "wx");
  try {
    if (typeof data === "string") await fh.writeFile(data, "utf8");
    else for (const chunk of data) await writeAll(fh, typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  return tmp;
}

/** Writes every byte (a write may take fewer than it was given). */
async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) at += (await fh.write(bytes, at, bytes.length - at)).bytesWritten;
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable. Some platforms refuse to fsync a directory; the rename is still atomic.
  try {
    const fh = await open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}

/**
 * Writes `data` to `path` atomically: a temp file beside it is written and fsynced, then renamed over
 * `path` (readers see the old or the new file, never a torn one). With `exclusive`, the temp file is
 * hard-linked to `path` instead, which fails with `EEXIST` when `path` exists, so two writers cannot both
 * win. Returns false (and writes nothing) when `exclusive` and the file exists.
 *
 * @param path - destination file.
 * @param data - UTF-8 text, whole or in chunks (strings or bytes).
 * @param exclusive - refuse to replace an existing file.
 */
export async function atomicWriteFile(path: string, data: string | Iterable<string | Uint8Array>, exclusive: boolean): Promise<boolean> {
  const tmp = await writeTemp(path, data);
  try {
    if (exclusive) {
      try {
        await link(tmp, path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw e;
      }
    } else {
      await rename(tmp, path);
    }
    await syncDir(dirname(path));
    return true;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
