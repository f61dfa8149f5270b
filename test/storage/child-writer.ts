/**
 * Child process of the two-process conformance test: opens a store URI, writes the job's traces and
 * prints `{stored, errorCode?}` as its last stdout line.
 */
import { isTunixError } from "../../src/errors.js";
import { openStore } from "../../src/storage/index.js";
import { makeTrace, type ChildWriteJob } from "../../src/storage/conformance/index.js";

const [uri, jobJson, extraJson] = process.argv.slice(2);
const job = JSON.parse(jobJson!) as ChildWriteJob;
const extra = JSON.parse(extraJson ?? "{}") as Record<string, string>;
let stored = 0;
try {
  const store = await openStore(uri!, extra);
  try {
    for (let i = 0; i < job.count; i += job.batchSize) {
      const n = Math.min(job.batchSize, job.count - i);
      const r = await store.putMany(Array.from({ length: n }, (_, k) => makeTrace(i + k, { writer: job.tag, n: i + k })));
      stored += r.stored.length;
    }
  } finally {
    await store.close();
  }
  console.log(JSON.stringify({ stored }));
} catch (e) {
  if (isTunixError(e)) console.log(JSON.stringify({ stored, errorCode: e.code }));
  else {
    console.error(e);
    process.exit(1);
  }
}
