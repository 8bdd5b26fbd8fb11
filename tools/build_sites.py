#!/usr/bin/env python3
"""Build sites.yaml from appendix 1 of the 2021 report (PDF-to-text), python3 stdlib only.

Usage: tools/build_sites.py [--seed FILE] [--shared DIR] [--out sites.yaml] [--log FILE] [--report]

Steps (see docs/registry.md):
  1. cut the appendix-1 table out of the seed text and split it into records at the 序号;
  2. split every text line into cells (name | location | level | URL) — the table wraps each cell
     independently, so a line can hold pieces of several cells;
  3. apply the explicit corrections table (data/registry-corrections.yaml);
  4. resolve the location against data/reference/divisions.csv (province / city / county + code);
  5. derive region, kind, family and id.
The script fails loudly (exit 1) when a record cannot be parsed or resolved: fix it with a
correction entry, never by editing sites.yaml.
"""
import argparse
import csv
import glob
import json
import re
import sys
from collections import Counter, OrderedDict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("省级", "副省级", "地市级", "县区级")
LEVEL_RE = re.compile(r"^(省级|副省级|地市级|县区级)$")

# ---------------------------------------------------------------- reference data


def load_divisions():
    rows = list(csv.DictReader(open(ROOT / "data/reference/divisions.csv", encoding="utf-8")))
    by_code = {r["code"]: r for r in rows}
    children = {}
    for r in rows:
        children.setdefault(r["parent"], []).append(r)
    return by_code, children


def load_regions():
    out = {}
    for r in csv.DictReader(open(ROOT / "data/reference/regions.csv", encoding="utf-8")):
        out[r["province_code"]] = r["region"]
    return out


def load_corrections():
    """data/registry-corrections.yaml, parsed without PyYAML (stdlib only): a flat list of entries.

    "- alias: OLD" + "  to: NEW": text replacement tried on a location that does not resolve.
    "- seq: N" + field lines: per-record corrections. Fields: name, location, level, urls
    (|-separated), province, city, county, division_code, kind, drop_line (a stray line to ignore),
    overrides (family spec variables for this portal: key=value pairs, |-separated).
    Every entry has a "  reason:"."""
    per_seq, aliases = {}, []
    cur = None
    path = ROOT / "data/registry-corrections.yaml"
    for lineno, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^- (seq|alias): (.*?)\s*$", line)
        if m:
            cur = {"_line": lineno}
            if m.group(1) == "seq":
                per_seq.setdefault(int(m.group(2)), []).append(cur)
            else:
                cur["alias"] = m.group(2)
                aliases.append(cur)
            continue
        m = re.match(r"^  (\w+): (.*)$", line)
        if not m or cur is None:
            sys.exit(f"{path}:{lineno}: cannot parse: {line}")
        val = m.group(2).strip()
        if len(val) >= 2 and val[0] == val[-1] and val[0] in "'\"":
            val = val[1:-1]
        cur[m.group(1)] = val
    for c in aliases + [f for fs in per_seq.values() for f in fs]:
        if "reason" not in c:
            sys.exit(f"{path}:{c['_line']}: correction without a reason")
    return per_seq, aliases


# ---------------------------------------------------------------- table parsing


def cut_appendix1(seed_lines):
    start = next(i for i, l in enumerate(seed_lines) if l.startswith("附录 1 2021"))
    end = next(i for i, l in enumerate(seed_lines) if l.startswith("附录 2 2021"))
    return [(i + 1, seed_lines[i].strip()) for i in range(start + 1, end) if seed_lines[i].strip()]


def split_records(lines):
    recs = []
    expected = 1
    for lineno, text in lines:
        m = re.match(r"^(\d+) (.*)$", text)
        if m and int(m.group(1)) == expected:
            recs.append({"seq": expected, "line": lineno, "lines": [(lineno, m.group(2).strip(), True)]})
            expected += 1
        elif recs:
            recs[-1]["lines"].append((lineno, text, False))
        # else: the header row "序号 平台名称 地点 行政层级 域名"
    return recs


def is_ascii(tok):
    return all(ord(c) < 128 for c in tok)


def classify_cells(rec, drops):
    """Turn the record's lines into name parts, location parts, ambiguous parts, level, URL parts.

    Each item carries its order (line index, position) so that parts of a column can be joined in
    reading order once the ambiguous single-cell lines are assigned."""
    name, loc, amb, url, levels = [], [], [], [], []
    for idx, (lineno, text, first) in enumerate(rec["lines"]):
        if text in drops:
            continue
        toks = text.split()
        cjk = [t for t in toks if not LEVEL_RE.match(t) and not is_ascii(t)]
        has_level = any(LEVEL_RE.match(t) for t in toks)
        for t in toks:
            if LEVEL_RE.match(t):
                levels.append(t)
            elif is_ascii(t):
                url.append((idx, t))
        if len(cjk) > 2:
            raise ValueError(f"line {lineno}: more than two text cells: {text}")
        if len(cjk) == 2:
            name.append((idx, cjk[0]))
            loc.append((idx, cjk[1]))
        elif len(cjk) == 1:
            if first:
                name.append((idx, cjk[0]))
            elif has_level:
                loc.append((idx, cjk[0]))  # the location cell is adjacent to the level cell
            else:
                amb.append((idx, cjk[0]))
    return name, loc, amb, url, levels


class Resolver:
    def __init__(self, by_code, children, aliases):
        self.by_code = by_code
        self.children = children
        self.provinces = [r for r in children[""]]
        self.aliases = aliases

    def resolve(self, loc):
        """Like resolve_exact, but retries with the alias table; returns (result, notes)."""
        res = self.resolve_exact(loc)
        if res:
            return res[0], res[1]
        fixed, used = loc, []
        for a in self.aliases:
            if a["alias"] in fixed:
                fixed = fixed.replace(a["alias"], a["to"])
                used.append(f"location alias {a['alias']} -> {a['to']} ({a['reason']})")
        res = self.resolve_exact(fixed) if used else None
        return (res[0], used + res[1]) if res else (None, [])

    def resolve_exact(self, loc):
        """'广东省阳江市阳春市' -> ((province, city, county, code), notes) or None. Names are matched
        as prefixes of what is left, longest first, against the children of the current division."""
        prov = next((p for p in sorted(self.provinces, key=lambda p: -len(p["name"]))
                     if loc.startswith(p["name"])), None)
        if not prov:
            return None
        rest = loc[len(prov["name"]):]
        if not rest:
            return (prov["name"], "", "", prov["code"]), []
        kids = sorted(self.children.get(prov["code"], []), key=lambda r: -len(r["name"]))
        node = next((k for k in kids if rest.startswith(k["name"])), None)
        if not node:
            # "江苏省常熟市": the prefecture is omitted; accept a county name unique in the province.
            hits = [g for k in kids for g in self.children.get(k["code"], []) if g["name"] == rest]
            if len(hits) != 1:
                return None
            city = self.by_code[hits[0]["parent"]]
            return ((prov["name"], city["name"], rest, hits[0]["code"]),
                    [f"prefecture {city['name']} omitted in the location, inferred"])
        rest = rest[len(node["name"]):]
        if node["level"] == "county":  # municipality district or province-administered county city
            return ((prov["name"], "", node["name"], node["code"]), []) if not rest else None
        if not rest:
            return (prov["name"], node["name"], "", node["code"]), []
        county = next((k for k in self.children.get(node["code"], []) if rest == k["name"]), None)
        if not county:
            return None
        return (prov["name"], node["name"], county["name"], county["code"]), []


def join(parts):
    return "".join(t for _, t in sorted(parts))


def split_urls(parts):
    text = "".join(t for _, t in sorted(parts))
    urls = [u for u in re.split(r"(?=https?://)", text) if u]
    return urls


def parse_record(rec, resolver, fixes):
    drops = {f["drop_line"] for f in fixes if "drop_line" in f}
    name, loc, amb, url, levels = classify_cells(rec, drops)
    level = levels[0] if len(levels) == 1 else None
    # Ambiguous single-cell lines: in each column the name continuations come before the location
    # continuations; choose the split whose location resolves, preferring one that starts with a
    # province name, then the longest name.
    candidates = []
    for k in range(len(amb) + 1):
        n = join(name + amb[:k])
        l = join(amb[k:] + loc)
        res, notes = resolver.resolve(l)
        starts = any(l.startswith(p["name"][:2]) for p in resolver.provinces) or l.startswith("天京")
        candidates.append((res is not None, starts, k, n, l, res, notes))
    ok = [c for c in candidates if c[0]]
    best = max(ok or candidates, key=lambda c: (c[1], c[2]))
    return {"seq": rec["seq"], "line": rec["line"], "name": best[3], "location": best[4], "level": level,
            "urls": split_urls(url), "resolved": best[5], "notes": best[6]}


FIX_FIELDS = ("name", "location", "level", "urls", "province", "city", "county", "division_code", "kind")


def apply_fixes(site, fixes, resolver, by_code, log):
    """Applies the per-record corrections, logging each, and (re)resolves the location."""
    for f in fixes:
        for field in FIX_FIELDS:
            if field in f:
                new = f[field].split("|") if field == "urls" else f[field]
                log.append((site["seq"], field, site.get(field, ""), new, f["reason"]))
                site[field] = new
        if "drop_line" in f:
            log.append((site["seq"], "drop_line", f["drop_line"], "", f["reason"]))
        if "family" in f:
            log.append((site["seq"], "family", "", f["family"], f["reason"]))
            site["family_fix"] = (f["family"], f["reason"])
        if "overrides" in f:
            pairs = [kv.split("=", 1) for kv in f["overrides"].split("|")]
            if any(len(kv) != 2 or not kv[0] for kv in pairs):
                raise ValueError(f"overrides '{f['overrides']}' is not key=value|key=value")
            log.append((site["seq"], "overrides", "", f["overrides"], f["reason"]))
            site["overrides"] = dict(pairs)
    if any("location" in f for f in fixes):
        site["resolved"], site["notes"] = resolver.resolve(site["location"])
    for note in site["notes"]:
        fixed = "".join(site["resolved"][:3]) if site["resolved"] else ""
        log.append((site["seq"], "location", site["location"], fixed, note))
    if site.get("division_code"):  # explicit code (development zones): province/city from the code
        d = by_code[site["division_code"]]
        chain = [d]
        while chain[-1]["parent"]:
            chain.append(by_code[chain[-1]["parent"]])
        names = {c["level"]: c["name"] for c in chain}
        site["resolved"] = (names.get("province", ""), site.get("city") or names.get("prefecture", ""),
                            site.get("county") or names.get("county", ""), site["division_code"])


# ---------------------------------------------------------------- derived fields

# Kind: independent platform vs column embedded in a government website (docs/registry.md).
# 1. a name that points into a government website is embedded: 门户网/政府网站/人民政府网站, or a
#    column marker (栏目, 专栏, 专题, 数据发布栏), or "<government>-<column>" / "<column>-<government>";
# 2. otherwise a name with a platform word is independent;
# 3. everything else (e.g. "北京市西城区人民政府-西城数据", "中国石阡政府数据") is embedded.
EMBEDDED_RE = re.compile(r"门户网|政府网站|人民政府网站|门户-|栏目|专栏|专题|数据发布栏|"
                         r"(人民政府|政府|统计局|管委会|开发区)[-—–]|[-—–].*(人民政府|统计局)$")
INDEPENDENT_RE = re.compile(r"平台|开放网|数据网|开放门户|服务网|公共数据开放$|^开放|^数据东莞")


def kind_of(site):
    name = site["name"]
    if EMBEDDED_RE.search(name):
        return "embedded"
    if INDEPENDENT_RE.search(name):
        return "independent"
    return "embedded"


def load_family_fingerprints(shared):
    """Host -> family from the captured request specs (list URL path markers) and from the
    dataportals-registry extract (software id); path markers that identify a family anywhere."""
    path_markers = [
        ("jdop", r"/jdop_front/"),
        ("oportal", r"/oportal/|/(portal|[a-z]+)/catalog/index"),
        ("odweb", r"/odweb/|/data/catalog/catalog\.do"),
        ("athena", r"/athena/|/kf/open/"),
        ("exchangeopengateway", r"/exchangeopengateway/"),
        ("guizhou-api", r"/api/search/data/getDataDirectoryListByParams"),
        ("gd-opendata", r"selectDataCatalogByResId|/backOpen/open/|/data/dataSet/findPage|/opdata/"),
        ("portal-dataservice", r"/portal/dataservice/"),
        ("hunan-webapp", r"/webapp/[^/]+/.*data"),
        ("site-label", r"/site/label/8888"),
        ("open-data-web", r"/open-data-web/"),
    ]
    hosts = {}
    spec = json.load(open(Path(shared) / "peer-tests/cn-portal-endpoints/list-detail-requests.sanitized.json",
                          encoding="utf-8"))
    for prov, portals in spec.items():
        for key, req in portals.items():
            rl = req.get("resultList", {})
            u = rl.get("url") or rl.get("dataset url") or ""
            if not u:
                continue
            host = urlsplit(u).hostname
            for fam, rx in path_markers:
                if re.search(rx, urlsplit(u).path):
                    hosts.setdefault(host, fam)
                    break
    one_offs = {"data.beijing.gov.cn": "beijing", "data.sh.gov.cn": "shanghai", "data.tj.gov.cn": "tianjin",
                "data.hainan.gov.cn": "hainan"}
    hosts.update(one_offs)
    # Members named in ../shared/platforms/*.md but without a list URL in the spec.
    for fam, names in (("hunan-webapp", ["www.yueyang.gov.cn", "www.czs.gov.cn", "www.yiyang.gov.cn"]),
                       ("athena", ["data.yichang.gov.cn"]),
                       ("gd-opendata", ["gddata.gd.gov.cn", "opendata.sz.gov.cn"])):
        for h in names:
            hosts.setdefault(h, fam)
    reg = json.load(open(Path(shared) / "fixtures-real/cn-reference/dataportals-registry_CN_entities.extract.json",
                         encoding="utf-8"))
    for e in reg:
        if e["software"] in ("oportal", "jdop"):
            h = urlsplit(e["link"]).hostname
            hosts.setdefault(h, e["software"])  # the code-read spec wins over the registry
    return hosts, path_markers


def family_of(site, hosts, path_markers, notes):
    """(family, evidence). A host of the platform notes decides first (they are the ground truth of
    what a host serves); then path markers, the request-spec / registry-extract host table, the
    Zhejiang and Guangxi host patterns; else embedded-cms or unknown."""
    for h in site_hosts(site):
        n = notes_host(notes, h)
        if n and n.get("no_protocol"):
            fam = "unknown" if site["kind"] == "independent" else "embedded-cms"
            return fam, (f"host {n['host']} is in ../shared/platforms/{n['file']} with a list path only "
                         f"({n['no_protocol']}): no documented protocol")
        if n:
            return n["family"], f"host {n['host']} in ../shared/platforms/{n['file']}"
    for u in site["urls"]:
        parts = urlsplit(u)
        host = (parts.hostname or "").lower()
        for fam, rx in path_markers:
            if re.search(rx, parts.path + ("?" + parts.query if parts.query else "")):
                # hunan-webapp / site-label paths are CMS modules: accept only on a known host
                if fam in ("hunan-webapp", "site-label") and hosts.get(host) != fam:
                    continue
                return fam, f"URL path {parts.path} matches the {fam} marker {rx}"
        if host in hosts:
            return hosts[host], f"host {host} in the request specs or the dataportals-registry extract"
        # Zhejiang prefecture portals are served as data.<city>.zjzwfw.gov.cn (jdop_front)
        if host.endswith(".zjzwfw.gov.cn") and host.startswith("data."):
            return "jdop", "host data.*.zjzwfw.gov.cn (Zhejiang's jdop platform; inferred)"
        if host.endswith(".data.gxzf.gov.cn"):
            return "oportal", "host *.data.gxzf.gov.cn (Guangxi's oPortal)"
    if site["kind"] == "embedded":
        return "embedded-cms", "embedded column: the CMS-column extractor (no per-site protocol documented)"
    return "unknown", ("independent platform whose hosts (" + ", ".join(site_hosts(site)) +
                       ") and place have no protocol in ../shared/platforms: no engine, the link spider only")

# ---------------------------------------------------------------- the platform notes
# ../shared/platforms/*.md are the ground truth for what each documented host serves. Their tables are
# read here (the same tables registry/platforms.cpp reads for `odh sites check`): host -> family,
# URL prefix, SPA path, app path; Shandong's and Guangxi's city slugs; Guizhou's divisionIds.

HOST_RE = re.compile(r"(^|[^\w.*/-])((?:[a-z0-9-]+\.)+(?:cn|com|net|org)(?::\d+)?|\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?)(?![\w/-])")


def md_cells(line):
    if not line.startswith("|"):
        return []
    return [c.strip() for c in line.strip().strip("|").split("|")]


def long_tail_family(key):
    prov, _, city = key.partition("/")
    return "lt-" + prov if prov == city or not city else f"lt-{prov}-{city}"


def load_platform_notes(shared):
    d = Path(shared) / "platforms"
    hosts = {}

    def add(host, family, file, **facts):
        h = hosts.setdefault(host.lower(), {"host": host.lower(), "family": family, "file": file})
        h.update(facts)
        return h

    long_tail = False
    for line in open(d / "README.md", encoding="utf-8"):
        if line.startswith("## Long tail"):
            long_tail = True
        c = md_cells(line)
        if len(c) < 5:
            continue
        if not long_tail:
            m = re.fullmatch(r"`([\w-]+)`", c[0])
            if m:
                for _, h in HOST_RE.findall(c[2]):
                    add(h, m.group(1), m.group(1) + ".md")
        elif "/" in c[0] and c[0] != "portal":
            hs = [h for _, h in HOST_RE.findall(c[1])]
            if hs:
                h = add(hs[0], long_tail_family(c[0]), f"README.md (long tail {c[0]})", key=c[0])
                if c[-1].startswith("("):
                    h["no_protocol"] = f"{c[-1]}; list response: {c[4]}"
    sd_slugs, gx_slugs, section = [], [], False
    for line in open(d / "oportal.md", encoding="utf-8"):
        if line.startswith("## "):
            section = line.startswith("## Portals and URL prefix")
        c = md_cells(line)
        if not section or len(c) < 2:
            continue
        m = re.fullmatch(r"`(\w+)`", c[0])
        if m:
            for _, h in HOST_RE.findall(c[1]):
                add(h, "oportal", "oportal.md", prefix=m.group(1))
        elif c[0] == "city slug":
            sd = re.search(r"Shandong: `([^`]*)`", c[1])
            gx = re.search(r"Guangxi: `([^`]*)`", c[1])
            sd_slugs = sd.group(1).split() if sd else []
            gx_slugs = gx.group(1).split() if gx else []
    for slug in gx_slugs:
        add(f"{slug}.data.gxzf.gov.cn", "oportal", "oportal.md", prefix=slug)
    for line in open(d / "odweb.md", encoding="utf-8"):
        if line.startswith("Portals:"):
            for part, pre in re.findall(r"([^;]*)\(prefix `/(\w+)`\)", line):
                for _, h in HOST_RE.findall(part):
                    add(h, "odweb", "odweb.md", prefix=pre)
    divisions = []
    for line in open(d / "guizhou-api.md", encoding="utf-8"):
        divisions += re.findall(r"(\d{6}) [A-Z]", line)
    for line in open(d / "athena.md", encoding="utf-8"):
        if line.startswith("Portals:"):
            for h, ui in re.findall(r"([a-z0-9.-]+\.(?:cn|com)) \(Referer `/(\w+)/open/table`\)", line):
                add(h, "athena", "athena.md", ui=ui)
    for line in open(d / "hunan-webapp.md", encoding="utf-8"):
        if line.startswith("Portals / base paths:"):
            for h, app in re.findall(r"([a-z0-9.-]+\.(?:cn|com)) `(/webapp/[^`]*)`", line):
                add(h, "hunan-webapp", "hunan-webapp.md", dir=app)
    # Variants: a family's notes give some hosts their own section ("## Guangdong province
    # (gddata.gd.gov.cn) — JSON posts"); when a spec <family>-<first word> exists, the host runs it.
    families = Path(__file__).resolve().parent.parent / "data" / "families"
    for fam in {h["family"] for h in hosts.values()}:
        if not (d / f"{fam}.md").exists():
            continue
        for line in open(d / f"{fam}.md", encoding="utf-8"):
            m = re.match(r"## (?:Variant: )?([A-Za-z]+)[^(]*\(([^)]*)\)", line)
            if not m or not (families / f"{fam}-{m.group(1).lower()}.yaml").exists():
                continue
            for _, h in HOST_RE.findall(m.group(2)):
                if hosts.get(h.lower(), {}).get("family") == fam:
                    hosts[h.lower()]["family"] = f"{fam}-{m.group(1).lower()}"
    if not hosts:
        sys.exit(f"{d}: no host tables found")
    return {"hosts": hosts, "shandong_slugs": sd_slugs, "guizhou_divisions": sorted(set(divisions))}


def notes_host(notes, host):
    """The notes' entry for host[:port], else for the same host name on another port."""
    host = host.lower()
    if host in notes["hosts"]:
        return notes["hosts"][host]
    name = host.split(":")[0]
    return next((v for k, v in notes["hosts"].items() if k.split(":")[0] == name), None)


def request_spec_urls(shared):
    """host name -> scheme://host[:port] of the request specs the notes were written from."""
    spec = json.load(open(Path(shared) / "peer-tests/cn-portal-endpoints/list-detail-requests.sanitized.json",
                          encoding="utf-8"))
    out = {}
    for portals in spec.values():
        for req in portals.values():
            rl = req.get("resultList", {})
            u = rl.get("url") or rl.get("dataset url") or ""
            if u.startswith("http"):
                parts = urlsplit(u)
                out.setdefault(parts.hostname, f"{parts.scheme}://{parts.netloc}")
    return out


def url_host(u):
    return urlsplit(u).netloc.lower()


def site_hosts(site):
    hs = [url_host(u) for u in site["urls"]]
    if site.get("overrides", {}).get("base"):
        hs.append(url_host(site["overrides"]["base"]))
    return hs


def derive_facts(site, notes, spec_urls, prefectures):
    """Per-site family variables the notes state (written as overrides unless a correction gave them)."""
    ov = {}
    fam = site["family"]
    hits = [n for n in (notes_host(notes, h) for h in site_hosts(site)) if n]
    hit = hits[0] if hits else None
    if hit and ":" in hit["host"] and hit["host"] not in site_hosts(site):
        name = hit["host"].split(":")[0]
        scheme = urlsplit(spec_urls.get(name, "http://")).scheme or "http"
        ov["base"] = f"{scheme}://{hit['host']}"
    if fam == "oportal":
        if hit and hit.get("prefix") and hit["prefix"] != "oportal":
            ov["prefix"] = hit["prefix"]
        if site["province"] == "山东省" and site["city"] and not site["county"]:
            slug = dict(zip(prefectures.get("370000", []), notes["shandong_slugs"])).get(site["division_code"])
            if slug:
                ov["prefix"] = slug
    if fam == "odweb" and hit and hit.get("prefix") and hit["prefix"] != "odweb":
        ov["prefix"] = hit["prefix"]
    if fam == "athena" and hit and hit.get("ui") and hit["ui"] != "kf":
        ov["ui"] = hit["ui"]
    if fam == "guizhou-api" and site["city"] and not site["county"]:
        ov["divisionId"] = site["division_code"]
    if fam == "gd-opendata-guangdong":
        # The collection of a city on gddata.gd.gov.cn: its deptCode selects it (inferred), and the harvest
        # goes to that host even when appendix 1 lists the city's own column first.
        for u in site["urls"]:
            parts = urlsplit(u)
            if hit and parts.netloc.lower() == hit["host"]:
                if u != site["urls"][0]:
                    ov["base"] = f"{parts.scheme}://{parts.netloc}"
                dept = re.search(r"(?:^|&)deptCode=(\w+)", parts.query)
                if dept:
                    ov["officeCode"] = dept.group(1)
    if fam == "jdop" and site["county"]:
        ov["regionId"] = site["division_code"]  # inferred: the list form's regionId selects the county
    return ov


def verify_facts(site, notes, prefectures):
    """The same disagreements `odh sites check` reports (registry/platforms.cpp), as error strings."""
    errs, ov = [], site.get("overrides", {})
    for h in site_hosts(site):
        n = notes_host(notes, h)
        if not n:
            continue
        if n.get("no_protocol"):
            if site["family"] not in ("unknown", "embedded-cms"):
                errs.append(f"family {site['family']} but {n['file']} documents no protocol for {n['host']}")
        elif site["family"] != n["family"]:
            errs.append(f"family {site['family']} but {n['file']} documents {n['host']} as {n['family']}")
        elif ":" in n["host"] and n["host"] not in site_hosts(site):
            errs.append(f"{n['file']} serves {n['host']} on that port; the registry does not")
    if site["family"] == "guizhou-api" and site["city"] and not site["county"] and ov.get("divisionId") != site["division_code"]:
        errs.append(f"divisionId {ov.get('divisionId')} but the portal's division is {site['division_code']}")
    if site["family"] == "guizhou-api" and (site["city"] or site["county"]) and ov.get("divisionId") not in notes["guizhou_divisions"]:
        errs.append(f"divisionId {ov.get('divisionId')} is not one of guizhou-api.md")
    if site["family"] == "unknown" and not site.get("family_note"):
        errs.append("unknown without a family_note")
    return errs


SUFFIXES = (".gov.cn", ".com.cn", ".org.cn", ".net.cn", ".cn", ".com", ".org", ".net")


def host_slug(url):
    host = (urlsplit(url).hostname or "").lower()
    if re.match(r"^\d+\.\d+\.\d+\.\d+$", host):
        return "ip-" + host.replace(".", "-")
    if host.startswith("www."):
        host = host[4:]
    for s in SUFFIXES:
        if host.endswith(s):
            host = host[: -len(s)]
            break
    return re.sub(r"[^a-z0-9]+", "-", host).strip("-")


# ---------------------------------------------------------------- output


def yq(s):
    """YAML double-quoted scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def site_overrides(site):
    return list(site.get("overrides", {}).items())


def write_yaml(sites, out):
    w = out.write
    w("# odh registry: the 670 portals of appendix 1 of the 2021 report (附录 1 2021 年政府开放数据平台详表).\n")
    w("# GENERATED by tools/build_sites.py from ../shared/seeds/004_*.txt with data/registry-corrections.yaml;\n")
    w("# do not edit by hand (edit the corrections table or add overrides there). Schema: docs/registry.md.\n")
    w("sites:\n")
    for s in sites:
        w(f"  - id: {s['id']}\n")
        w(f"    seq: {s['seq']}\n")
        w(f"    name: {yq(s['name'])}\n")
        w(f"    province: {yq(s['province'])}\n")
        w(f"    city: {yq(s['city'])}\n")
        w(f"    county: {yq(s['county'])}\n")
        w(f"    division_code: \"{s['division_code']}\"\n")
        w(f"    level: {s['level']}\n")
        w(f"    region: {s['region']}\n")
        w(f"    kind: {s['kind']}\n")
        w(f"    family: {s['family']}\n")
        if s.get("family_note"):
            w(f"    family_note: {yq(s['family_note'])}\n")
        w("    urls:\n")
        for u in s["urls"]:
            w(f"      - {yq(u)}\n")
        ov = ", ".join(f"{k}: {yq(v)}" for k, v in site_overrides(s))
        w(f"    overrides: {{{ov}}}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--seed")
    ap.add_argument("--out", default=str(ROOT / "sites.yaml"))
    ap.add_argument("--log", default=str(ROOT / "data/registry-corrections-applied.tsv"))
    ap.add_argument("--report", action="store_true", help="print counts and the correction log")
    args = ap.parse_args()
    shared = Path(args.shared)
    if not shared.exists():
        shared = Path("/work/shared")
    seed = args.seed or sorted(glob.glob(str(shared / "seeds/004_*.txt")))[0]
    seed_lines = open(seed, encoding="utf-8").read().split("\n")

    by_code, children = load_divisions()
    per_seq, aliases = load_corrections()
    resolver = Resolver(by_code, children, aliases)
    regions = load_regions()
    hosts, markers = load_family_fingerprints(shared)
    notes = load_platform_notes(shared)
    spec_urls = request_spec_urls(shared)
    prefectures = {}
    for code, row in sorted(by_code.items()):
        if row["level"] == "prefecture":
            prefectures.setdefault(row["parent"], []).append(code)

    recs = split_records(cut_appendix1(seed_lines))
    errors, log, sites = [], [], []
    for rec in recs:
        fixes = per_seq.get(rec["seq"], [])
        try:
            site = parse_record(rec, resolver, fixes)
            if any(f.get("division_code") and f["division_code"] not in by_code for f in fixes):
                raise ValueError("correction names an unknown division_code")
            apply_fixes(site, fixes, resolver, by_code, log)
        except ValueError as e:
            errors.append(f"{seed}:{rec['line']}: seq {rec['seq']}: {e}")
            continue
        res = site["resolved"]
        if res is None:
            errors.append(f"{seed}:{rec['line']}: seq {rec['seq']}: location '{site['location']}' "
                          f"does not resolve (name '{site['name']}')")
            continue
        site["province"], site["city"], site["county"], site["division_code"] = res
        if site["level"] not in LEVELS:
            errors.append(f"{seed}:{rec['line']}: seq {rec['seq']}: level missing")
            continue
        bad = [u for u in site["urls"] if not re.match(r"^https?://[^/\s]+", u)]
        if not site["urls"] or bad:
            errors.append(f"{seed}:{rec['line']}: seq {rec['seq']}: bad URL {site['urls']}")
            continue
        site["region"] = regions[site["division_code"][:2] + "0000"]
        site["kind"] = site.get("kind") or kind_of(site)
        if site.get("family_fix"):
            site["family"], reason = site["family_fix"]
            site["family_note"] = f"correction: {reason}"
        else:
            site["family"], site["family_note"] = family_of(site, hosts, markers, notes)
        fixed = site.get("overrides", {})
        derived = derive_facts(site, notes, spec_urls, prefectures)
        site["overrides"] = {**derived, **fixed}
        for k, v in derived.items():
            if k not in fixed:
                log.append((site["seq"], f"overrides.{k}", "", v, "stated by ../shared/platforms for this portal"))
        for e in verify_facts(site, notes, prefectures):
            errors.append(f"{seed}:{rec['line']}: seq {rec['seq']}: {e} (../shared/platforms disagrees)")
        sites.append(site)
    if len(recs) != 670:
        errors.append(f"{seed}: expected 670 records, found {len(recs)}")
    # ids: host slug; on collision add the division code; then the seq.
    slug_count = Counter(host_slug(s["urls"][0]) for s in sites)
    for s in sites:
        slug = host_slug(s["urls"][0])
        s["id"] = slug if slug_count[slug] == 1 else f"{slug}-{s['division_code']}"
    id_count = Counter(s["id"] for s in sites)
    for s in sites:
        if id_count[s["id"]] > 1:
            s["id"] = f"{s['id']}-{s['seq']}"
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        sys.exit(1)
    with open(args.out, "w", encoding="utf-8") as out:
        write_yaml(sites, out)
    with open(args.log, "w", encoding="utf-8") as f:
        f.write("# GENERATED by tools/build_sites.py: every correction applied to appendix 1, in order.\n")
        f.write("seq\tfield\tprinted\tcorrected\treason\n")
        for seq, field, old, new, reason in log:
            old = "|".join(old) if isinstance(old, list) else old
            new = "|".join(new) if isinstance(new, list) else new
            f.write(f"{seq}\t{field}\t{old}\t{new}\t{reason}\n")
    if args.report:
        for key in ("level", "region", "kind", "family"):
            print(key, dict(Counter(s[key] for s in sites).most_common()))
        print(f"{len(log)} corrections applied (data/registry-corrections-applied.tsv)")
    print(f"wrote {len(sites)} sites to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
