#!/usr/bin/python3
"""Export the HTTP response bodies of a WARC snapshot to files, for the parser peers of bench/parse_bench.sh.

Usage: warc_pages.py SNAPSHOT_DIR OUT_DIR
Reads every *.warc.gz (gzip members, read as one stream) and *.warc with the standard library only,
keeps 2xx responses with an HTML or JSON Content-Type, removes Content-Encoding (gzip/deflate) and
chunking, and writes OUT_DIR/NNNNN.html|.json plus OUT_DIR/index.tsv (file, url, content type).
"""
import gzip, os, sys, zlib


def records(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    i = 0
    while True:
        s = data.find(b"WARC/1.", i)
        if s < 0:
            return
        e = data.find(b"\r\n\r\n", s)
        if e < 0:
            return
        head = data[s:e].decode("utf-8", "replace").split("\r\n")
        fields = {}
        for line in head[1:]:
            k, _, v = line.partition(":")
            fields[k.strip().lower()] = v.strip()
        n = int(fields.get("content-length", "0"))
        yield fields, data[e + 4 : e + 4 + n]
        i = e + 4 + n


def dechunk(b):
    out, i = bytearray(), 0
    while i < len(b):
        e = b.find(b"\r\n", i)
        if e < 0:
            break
        size = int(b[i:e].split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += b[e + 2 : e + 2 + size]
        i = e + 2 + size + 2
    return bytes(out)


def main():
    snap, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    files = []
    for root, _, names in os.walk(snap):
        files += [os.path.join(root, n) for n in names if n.endswith(".warc.gz") or n.endswith(".warc")]
    k = 0
    with open(os.path.join(out, "index.tsv"), "w") as idx:
        for path in sorted(files):
            for fields, block in records(path):
                if fields.get("warc-type") != "response":
                    continue
                he = block.find(b"\r\n\r\n")
                if he < 0:
                    continue
                lines = block[:he].decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                if len(parts) < 2 or not parts[1].startswith("2"):
                    continue
                h = {}
                for line in lines[1:]:
                    a, _, v = line.partition(":")
                    h[a.strip().lower()] = v.strip()
                ctype = h.get("content-type", "")
                kind = "html" if "html" in ctype else "json" if "json" in ctype else None
                if not kind:
                    continue
                body = block[he + 4 :]
                if "chunked" in h.get("transfer-encoding", ""):
                    body = dechunk(body)
                enc = h.get("content-encoding", "")
                if enc == "gzip":
                    body = gzip.decompress(body)
                elif enc == "deflate":
                    body = zlib.decompress(body)
                name = f"{k:05d}.{kind}"
                with open(os.path.join(out, name), "wb") as f:
                    f.write(body)
                idx.write(f"{name}\t{fields.get('warc-target-uri', '')}\t{ctype}\n")
                k += 1
    print(k)


main()
