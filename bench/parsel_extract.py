#!/usr/bin/python3
"""The Scrapy/parsel peer of `odh parse --replay`: extracts from the same pages what odh's engines do.

Usage: parsel_extract.py PAGES_DIR [K N]   (pages exported by bench/warc_pages.py; with K N only every
page whose index is K modulo N: N processes side by side are the peer "on N cores", as Scrapy scales)
Every page is loaded into memory first; only the extraction is timed: decode to text, parse (lxml via
parsel), then for HTML the title, every a[href] resolved against the page URL, table label/value pairs
(th/td cells paired), `label：value` list items; for JSON the document and its item lists. Prints one
JSON line: pages, bytes, wall and CPU seconds, pages/s and MB/s per CPU second. Debian's python3-parsel (run with /usr/bin/python3).
"""
import json, os, re, sys, time
from urllib.parse import urljoin

from parsel import Selector

CHARSET = re.compile(r"charset=([\w-]+)", re.I)


def decode(body, ctype):
    m = CHARSET.search(ctype)
    if m:
        try:
            return body.decode(m.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", "replace")


def extract_html(text, url):
    sel = Selector(text=text)
    rec = {"title": (sel.css("h1::text, h2::text, title::text").get() or "").strip()}
    rec["links"] = [urljoin(url, h) for h in sel.css("a::attr(href)").getall()]
    pairs = []
    for tr in sel.css("tr"):
        cells = [" ".join(t.strip() for t in c.css("::text").getall()).strip() for c in tr.css("th, td")]
        pairs += list(zip(cells[0::2], cells[1::2]))
    for li in sel.css("li"):
        t = "".join(li.css("::text").getall())
        for sep in ("：", ":"):
            if sep in t:
                k, _, v = t.partition(sep)
                pairs.append((k.strip(), v.strip()))
                break
    rec["pairs"] = pairs
    return rec


def walk(doc, out):
    if isinstance(doc, dict):
        for v in doc.values():
            walk(v, out)
    elif isinstance(doc, list):
        out.append(len(doc))
        for v in doc:
            walk(v, out)


def extract_json(text, url):
    """The JSON document's item lists (their lengths) and the pairs of HTML carried inside it; None if not JSON."""
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    out = []
    walk(doc, out)
    rec = {"lists": out, "pairs": []}
    # HTML carried inside JSON (jdop) is parsed as the engine does.
    if isinstance(doc, dict) and isinstance(doc.get("data"), str) and "<" in doc["data"]:
        rec["pairs"] = extract_html(doc["data"], url)["pairs"]
    return rec


def main():
    d = sys.argv[1]
    k, shards = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) == 4 else (0, 1)
    pages = []
    with open(os.path.join(d, "index.tsv")) as idx:
        for i, line in enumerate(idx):
            if i % shards != k:
                continue
            name, url, ctype = line.rstrip("\n").split("\t")
            with open(os.path.join(d, name), "rb") as f:
                pages.append((name.endswith(".html"), f.read(), url, ctype))
    total = sum(len(p[1]) for p in pages)
    start = time.time()  # epoch: lets the bench take the span of processes run side by side
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    for is_html, body, url, ctype in pages:
        text = decode(body, ctype)
        if is_html:
            n += len(extract_html(text, url)["pairs"])
        else:
            rec = extract_json(text, url)
            if rec:
                n += len(rec["pairs"])
    t, c = time.perf_counter() - t0, time.process_time() - c0
    # CPU seconds decide on a shared machine (wall time counts other processes' load too).
    print(json.dumps({"pages": len(pages), "bytes": total, "wall": round(t, 4), "seconds": round(c, 4),
                      "start": start, "end": start + t,
                      "pages_per_s": round(len(pages) / c, 1), "mb_per_s": round(total / 1e6 / c, 2)}))


if __name__ == "__main__":  # bench/scrapy_replay.py imports the extraction functions
    main()
