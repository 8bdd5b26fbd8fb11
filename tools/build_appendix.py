#!/usr/bin/env python3
"""Build data/reference/appendix3.csv and appendix2.yaml from appendices 2 and 3 of the 2021 report.

Usage: tools/build_appendix.py [--shared DIR] [--report]     (python3 stdlib only; run after build_sites.py)

Appendix 3 (数据集情况): one line per portal "name datasets apis apps" -> CSV keyed by site id.
Appendix 2 (主题大类分布表): name cells wrap over several lines, then "count topic、topic、…" with the
topic cell wrapping too; sometimes the name and the count share a line, sometimes the count stands
alone (0 topics). Topics are separated by "、" — or by "；" when a portal uses "、" inside a topic
(银川 "科技、教育；劳动、人事"). The name/topic boundary between two count lines is found by matching
the trailing lines against the known portal names (sites.yaml and appendix 3).
Names are matched to sites.yaml ids: exactly, then after normalization, then via NAME_MATCHES below.
"""
import argparse
import difflib
import glob
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Appendix names that do not equal an appendix-1 name after normalization: name -> appendix-1 seq.
# Each was checked by hand against appendix 1 (same portal, the name is spelled differently).
NAME_MATCHES = {
    "张家港市政府数据开放平台": 136,  # appendix 1: 张家港市政务数据开放平台
    "昆山市政府数据开放平台": 137,  # appendix 1: 昆山市政务数据开放平台
    "马鞍山市人民政府数据开放栏目": 212,  # appendix 1: 马鞍山市人民政府-数据开放
    "宿州市人民政府-政府数据栏": 264,  # appendix 1: 宿州市人民政府-政府数据栏目 (name cell cut in appendix 2)
}
# Not in appendix 1 at all (left unmatched, site_id empty): 安顺市政府数据开放平台 (appendix 1 lists only
# the 西秀区 column for 安顺; the portal is counted in appendices 2 and 3).


def norm(name):
    name = re.sub(r"\s+", "", name)
    return re.sub(r"[（）()“”\"'·.\-—–、]", "", name)


def load_sites():
    text = (ROOT / "sites.yaml").read_text(encoding="utf-8")
    sites = []
    for block in text.split("\n  - id: ")[1:]:
        sid = block.split("\n", 1)[0].strip()
        seq = int(re.search(r"\n    seq: (\d+)", block).group(1))
        name = re.search(r'\n    name: "(.*)"', block).group(1)
        sites.append({"id": sid, "seq": seq, "name": name})
    return sites


class Matcher:
    def __init__(self, sites):
        self.sites = sites
        self.by_name = {s["name"]: s for s in sites}
        self.by_norm = {}
        for s in sites:
            self.by_norm.setdefault(norm(s["name"]), []).append(s)
        self.by_seq = {s["seq"]: s for s in sites}

    def match(self, name):
        """-> (site or None, how)."""
        if name in self.by_name:
            return self.by_name[name], "exact"
        hits = self.by_norm.get(norm(name), [])
        if len(hits) == 1:
            return hits[0], "normalized"
        if name in NAME_MATCHES:
            return self.by_seq[NAME_MATCHES[name]], "manual"
        return None, "unmatched"

    def suggest(self, name):
        names = [s["name"] for s in self.sites]
        return difflib.get_close_matches(name, names, n=3, cutoff=0.5)


def appendix_lines(seed_lines, start_prefix, end_prefix):
    s = next(i for i, l in enumerate(seed_lines) if l.startswith(start_prefix))
    e = next(i for i, l in enumerate(seed_lines) if l.startswith(end_prefix))
    # The trailing blank matters: the PDF text has one where a cell line ends at a word boundary
    # and none where a word wraps (山东 "城建" / "住房").
    return [(i + 1, seed_lines[i].strip(), seed_lines[i].endswith(" "))
            for i in range(s + 1, e) if seed_lines[i].strip()]


def parse_appendix3(lines):
    rows = []
    for lineno, text, _ in lines:
        m = re.match(r"^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)$", text)
        if m:
            rows.append({"line": lineno, "name": m.group(1).strip(), "datasets": int(m.group(2)),
                         "apis": int(m.group(3)), "apps": int(m.group(4))})
        elif not text.startswith("平台名称"):
            sys.exit(f"appendix 3 line {lineno}: cannot parse: {text}")
    return rows


def split_topics(text):
    text = text.strip()
    if not text:
        return []
    if "；" in text:
        parts = [re.sub(r"\s+", " ", p) for p in text.split("；")]
    elif "，" in text:  # 常州, 扬州, 贵阳: "，" between topics, "、" inside one
        parts = [re.sub(r"\s+", "", p) for p in text.split("，")]
    elif "、" in text:
        parts = [re.sub(r"\s+", "", p) for p in text.split("、")]
    else:  # 山东 cities separate topics with blanks
        parts = text.split()
    return [p.strip() for p in parts if p.strip()]


def parse_appendix2(lines, known_names):
    # Token stream: ("text", line, s) and ("count", line, n). A line "name N topics" yields three.
    toks = []
    for lineno, text, trail in lines:
        if text.startswith("平台名称"):
            continue
        m = re.match(r"^(?:(\S+)\s+)?(\d+)(?:\s+(.*))?$", text)
        if m and (m.group(3) or m.group(1) is None or not re.search(r"[、；]", m.group(1))):
            if m.group(1):
                toks.append(("text", lineno, m.group(1)))
            toks.append(("count", lineno, int(m.group(2))))
            if m.group(3):
                toks.append(("text", lineno, m.group(3) + (" " if trail else "")))
        else:
            toks.append(("text", lineno, text + (" " if trail else "")))
    counts = [i for i, t in enumerate(toks) if t[0] == "count"]
    records = []
    known_norm = {norm(n): n for n in known_names}
    prev_end = 0
    for j, ci in enumerate(counts):
        seg = toks[prev_end:ci]  # topic tail of the previous record + name of this one
        texts = [t[2] for t in seg]
        best_k, best_score = None, -1.0
        for k in range(len(texts)):
            cand = norm("".join(texts[k:]))
            if cand in known_norm:
                score = 2.0
            else:
                close = difflib.get_close_matches(cand, list(known_norm), n=1, cutoff=0.0)
                score = difflib.SequenceMatcher(None, cand, close[0]).ratio() if close else 0.0
                if re.search(r"[、；]", "".join(texts[k:])):
                    score -= 1.0  # topic separators never occur in a name
            if score > best_score + 1e-9:
                best_k, best_score = k, score
        if j == 0:
            best_k = 0
        if records:
            records[-1]["topic_text"] += "".join(texts[:best_k])
        records.append({"line": toks[ci][1], "name": re.sub(r"\s", "", "".join(texts[best_k:])),
                        "count": toks[ci][2], "topic_text": ""})
        prev_end = ci + 1
    if records:
        records[-1]["topic_text"] += "".join(t[2] for t in toks[prev_end:])
    # the topic text of a record starts with the text on its count line: rebuild in order
    for r in records:
        r["topics"] = split_topics(r.pop("topic_text"))
    return records


def yq(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    shared = Path(args.shared)
    if not shared.exists():
        shared = Path("/work/shared")
    seed = sorted(glob.glob(str(shared / "seeds/004_*.txt")))[0]
    seed_lines = open(seed, encoding="utf-8").read().split("\n")
    sites = load_sites()
    matcher = Matcher(sites)

    a3 = parse_appendix3(appendix_lines(seed_lines, "附录 3 2021", "附录 4 "))
    a2 = parse_appendix2(appendix_lines(seed_lines, "附录 2 2021", "附录 3 2021"),
                         [s["name"] for s in sites] + [r["name"] for r in a3])
    out_dir = ROOT / "data/reference"
    unmatched = []
    with open(out_dir / "appendix3.csv", "w", encoding="utf-8") as f:
        f.write("site_id,seq,name,datasets,apis,apps,source_line\n")
        for r in a3:
            site, how = matcher.match(r["name"])
            if not site:
                unmatched.append(("appendix3", r["line"], r["name"], matcher.suggest(r["name"])))
            f.write(f"{site['id'] if site else ''},{site['seq'] if site else ''},{r['name']},"
                    f"{r['datasets']},{r['apis']},{r['apps']},{r['line']}\n")
    with open(out_dir / "appendix2.yaml", "w", encoding="utf-8") as f:
        f.write("# Appendix 2 of the 2021 report (主题大类分布表): per portal the topic count printed in the\n")
        f.write("# report and the topic names listed. GENERATED by tools/build_appendix.py; do not edit.\n")
        f.write("# count_differs: true marks portals whose printed count differs from the names listed.\n")
        f.write("portals:\n")
        for r in a2:
            site, how = matcher.match(r["name"])
            if not site:
                unmatched.append(("appendix2", r["line"], r["name"], matcher.suggest(r["name"])))
            f.write(f"  - name: {yq(r['name'])}\n")
            f.write(f"    site_id: {site['id'] if site else '~'}\n")
            f.write(f"    source_line: {r['line']}\n")
            f.write(f"    count: {r['count']}\n")
            if len(r["topics"]) != r["count"]:
                f.write(f"    count_differs: true  # {len(r['topics'])} names listed\n")
            f.write("    topics: [" + ", ".join(yq(t) for t in r["topics"]) + "]\n")
    tot = [sum(r[k] for r in a3) for k in ("datasets", "apis", "apps")]
    print(f"appendix 3: {len(a3)} portals, totals datasets {tot[0]}, apis {tot[1]}, apps {tot[2]}")
    diff = [r for r in a2 if len(r["topics"]) != r["count"]]
    print(f"appendix 2: {len(a2)} portals, {len(diff)} with count != names listed")
    print(f"unmatched: {len(unmatched)}")
    if args.report:
        for u in unmatched:
            print("  ", u)
        for r in diff:
            print("  count", r["name"], r["count"], len(r["topics"]))


if __name__ == "__main__":
    main()
