// warcio.js read throughput for bench/warc_bench.sh: node bench/warcio_read.mjs [--digest] FILE...
// Reads every record fully (HTTP parsed, as warcio does by default); --digest also SHA-1s each block.
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../tools/package.json", import.meta.url));
const { WARCParser } = await import(require.resolve("warcio"));
const digest = process.argv.includes("--digest");
const files = process.argv.slice(2).filter((a) => a !== "--digest");
const t0 = performance.now();
const c0 = process.cpuUsage();
let records = 0;
for (const f of files) {
  const parser = new WARCParser(fs.createReadStream(f));
  for await (const record of parser) {
    const payload = await record.readFully(false);
    if (digest) crypto.createHash("sha1").update(payload).digest();
    records++;
  }
}
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ records, wall_s: (performance.now() - t0) / 1000, cpu_s: (c.user + c.system) / 1e6 }));
