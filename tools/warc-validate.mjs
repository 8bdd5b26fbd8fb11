#!/usr/bin/env node
// Independent WARC check with webrecorder's warcio.js (not odh's reader):
//   node tools/warc-validate.mjs FILE.warc[.gz]
// Prints JSON {file, records: [...], errors: [...], ok} and exits 0 when every record parsed
// and every stored WARC-Block-Digest / WARC-Payload-Digest matches what we recompute here.
// Digests: block = SHA-1 of the whole record block; payload = SHA-1 of the HTTP entity body
// with chunked transfer framing removed (warcio's own de-chunker), or of the block for
// non-HTTP records. Revisit payloads are not in the record, so only their block is checked.
import crypto from "node:crypto";
import fs from "node:fs";

import { AsyncIterReader, WARCParser } from "warcio";

const file = process.argv[2];
if (!file) {
  console.error("usage: node tools/warc-validate.mjs FILE");
  process.exit(2);
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32(d) {
  let out = "", acc = 0, bits = 0;
  for (const b of d) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

const sha1 = (bytes) => crypto.createHash("sha1").update(bytes).digest();

// Stored digests come as sha1:BASE32 (the convention), hex, base64 or base64url.
function check(stored, raw) {
  if (!stored) return "absent";
  const [algo, value] = [stored.slice(0, stored.indexOf(":")).toLowerCase(), stored.slice(stored.indexOf(":") + 1)];
  if (algo !== "sha1") return "unsupported";
  const v = value.replace(/=+$/, "");
  const strip = (f) => f.replace(/=+$/, "");
  const hit =
    [base32(raw), raw.toString("base64"), raw.toString("base64url")].some((f) => strip(f) === v) ||
    raw.toString("hex") === v.toLowerCase();
  return hit ? "ok" : "mismatch";
}

// Pass 1: raw blocks (parseHttp off) for block digests, offsets and lengths.
async function blocks() {
  const out = [];
  const parser = new WARCParser(fs.createReadStream(file), { parseHttp: false });
  for await (const record of parser) {
    const block = await record.readFully(false);
    out.push({
      offset: parser.offset,
      block_bytes: block.length,
      block_digest: sha1(block),
    });
  }
  return out;
}

// Pass 2: HTTP parsed by warcio for status, headers and payload.
async function http() {
  const out = [];
  const parser = new WARCParser(fs.createReadStream(file));
  for await (const record of parser) {
    const h = record.warcHeaders.headers;
    const r = {
      type: record.warcType,
      id: h.get("WARC-Record-ID"),
      uri: record.warcTargetURI || null,
      date: h.get("WARC-Date"),
      content_length: Number(h.get("Content-Length")),
      profile: h.get("WARC-Profile") || null,
      concurrent_to: h.get("WARC-Concurrent-To") || null,
      refers_to_uri: h.get("WARC-Refers-To-Target-URI") || null,
      refers_to_date: h.get("WARC-Refers-To-Date") || null,
      ip: h.get("WARC-IP-Address") || null,
      filename: h.get("WARC-Filename") || null,
      odh_site: h.get("WARC-Odh-Site") || null,
      odh_kind: h.get("WARC-Odh-Kind") || null,
      odh_meta: h.get("WARC-Odh-Meta") || null,
      stored_block_digest: h.get("WARC-Block-Digest") || null,
      stored_payload_digest: h.get("WARC-Payload-Digest") || null,
      status: null,
    };
    let payload = await record.readFully(false);
    if (record.httpHeaders) {
      r.status = record.httpHeaders.statusCode === "" ? null : record.httpHeaders.statusCode;
      if (record.warcType === "request") r.method = record.httpHeaders.method;
      const te = record.httpHeaders.headers.get("transfer-encoding") || "";
      if (te.toLowerCase().includes("chunked") && payload.length) {
        r._raw_chunked = sha1(payload);
        payload = await new AsyncIterReader([payload], null, true).readFully();
      }
    }
    r.payload_bytes = payload.length;
    r.computed_payload_digest = "sha1:" + base32(sha1(payload));
    r._payload_raw = sha1(payload);
    out.push(r);
  }
  return out;
}

const result = { file, records: [], errors: [], ok: true };
try {
  const [a, b] = [await blocks(), await http()];
  if (a.length !== b.length) result.errors.push(`pass 1 read ${a.length} records, pass 2 ${b.length}`);
  b.forEach((r, i) => {
    const raw = a[i] || {};
    r.offset = raw.offset;
    r.block_bytes = raw.block_bytes;
    r.block_digest = check(r.stored_block_digest, raw.block_digest);
    r.payload_digest = r.type === "revisit" ? "not-checked" : check(r.stored_payload_digest, r._payload_raw);
    // Some writers digest a chunked payload with its framing: say so rather than fail.
    if (r.payload_digest === "mismatch" && r._raw_chunked && check(r.stored_payload_digest, r._raw_chunked) === "ok")
      r.payload_digest = "ok-with-chunked-framing";
    delete r._payload_raw;
    delete r._raw_chunked;
    if (r.block_bytes !== r.content_length) result.errors.push(`record ${i}: block ${r.block_bytes} != Content-Length`);
    if (r.block_digest === "mismatch") result.errors.push(`record ${i} (${r.uri}): block digest mismatch`);
    if (r.payload_digest === "mismatch") result.errors.push(`record ${i} (${r.uri}): payload digest mismatch`);
    result.records.push(r);
  });
} catch (e) {
  result.errors.push(String(e && e.stack ? e.stack : e));
}
result.ok = result.errors.length === 0;
process.stdout.write(JSON.stringify(result, null, 1) + "\n");
// exitCode, not process.exit(): exit() drops what a pipe has not taken yet (output past 64 KiB was cut).
process.exitCode = result.ok ? 0 : 1;
