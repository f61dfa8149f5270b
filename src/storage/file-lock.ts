/**
 * The file store's single-owner lock: a `LOCK` file holding `{pid, host}`, created exclusively. A lock
 * left by a dead process on this host is taken over; any other holder makes the open fail with
 * `STORE_LOCKED`.
 */
import { open, readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { TunixError } from "../errors.js";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the lock of the store directory `dir`; returns the lock file's path (remove it to release).
 *
 * @throws `STORE_LOCKED` naming the owner's pid when another live process holds it.
 */
export async function acquireLock(dir: string): Promise<string> {
  const lockPath = join(dir, "LOCK");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, "wx");
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname() }));
      await fh.close();
      return lockPath;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new TunixError("BACKEND_ERROR", `cannot create ${lockPath}`, { cause: e });
    }
    let owner: { pid?: number; host?: string } = {};
    try {
      owner = JSON.parse(await readFile(lockPath, "utf8")) as typeof owner;
    } catch {
      // unreadable or half-written lock: treat as held (it may be being written right now)
    }
    if (typeof owner.pid === "number" && owner.host === hostname() && !isAlive(owner.pid)) {
      await rm(lockPath, { force: true });
      continue;
    }
    throw new TunixError("STORE_LOCKED", `file store ${dir} is in use by process ${owner.pid ?? "?"} (lock file ${lockPath}); close it first`, {
      details: { path: lockPath, pid: owner.pid },
    });
  }
  throw new TunixError("STORE_LOCKED", `file store ${dir}: could not take over a stale lock`);
}
