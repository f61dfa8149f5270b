/** Child of bench/storage.ts: streams every trace of a store URI and prints {n, maxRssMb, seconds}. */
import { openStore } from "../src/storage/index.js";

const [uri, extra] = process.argv.slice(2);
const store = await openStore(uri!, JSON.parse(extra ?? "{}") as Record<string, string>);
const t0 = process.hrtime.bigint();
let n = 0;
let chars = 0;
for await (const s of store.stream(undefined, { batchSize: 1000 })) {
  n++;
  chars += s.trace.prompt.length;
}
await store.close();
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ n, chars, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
