#!/usr/bin/env python3
"""Reads a report's XLSX back with openpyxl and its CSVs with pandas and checks values against the
store's `indicator` table (the report must not have changed a number):

    check_tables.py REPORT_DIR STORE RUN

Checks: every CSV starts with a UTF-8 BOM and parses; figure 2-3 (portals by level), figure 2-6 (by region)
and table 5-1 (datasets, APIs, openness per portal) equal the indicator rows; the XLSX has a sheet per CSV
with a bold header row, frozen panes, numbers stored as numbers and shares formatted as percentages.
Prints what it checked; exits 1 on the first mismatch.
"""
import glob
import math
import os
import sqlite3
import sys

import openpyxl
import pandas as pd


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def missing(x):
    return x is None or (isinstance(x, float) and math.isnan(x))


def close(a, b):
    """Equal numbers, or both missing (NULL in the table, an empty cell in the file)."""
    if missing(a) or missing(b):
        return missing(a) and missing(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def main():
    rep, store, run = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = sqlite3.connect(store)
    ind = {}
    for scope, key, name, value in db.execute(
            "SELECT scope, scope_key, indicator, value FROM indicator WHERE run_id=?", (run,)):
        ind[(scope, key, name)] = value
    names = {pid: name for pid, name in db.execute("SELECT portal_id, name FROM portal WHERE run_id=?", (run,))}

    csvs = sorted(glob.glob(os.path.join(rep, "csv", "*.csv")))
    if len(csvs) < 40:
        fail(f"only {len(csvs)} CSV tables")
    frames = {}
    for path in csvs:
        with open(path, "rb") as f:
            if f.read(3) != b"\xef\xbb\xbf":
                fail(f"{path}: no UTF-8 BOM")
        frames[os.path.basename(path)[:-4]] = pd.read_csv(path, encoding="utf-8-sig")
    checked = 0

    # Figure 2-3: portals per level (column 1) = indicator platform.portals per level.
    f = frames["figure_2_3"]
    for _, row in f.iterrows():
        want = ind.get(("level", row.iloc[0], "platform.portals"))
        if not close(row.iloc[1], want):
            fail(f"figure_2_3 {row.iloc[0]}: csv {row.iloc[1]} vs indicator {want}")
        checked += 1
    f = frames["figure_2_6"]
    for _, row in f.iterrows():
        want = ind.get(("region", row.iloc[0], "platform.portals"))
        if not close(row.iloc[1], want):
            fail(f"figure_2_6 {row.iloc[0]}: csv {row.iloc[1]} vs indicator {want}")
        checked += 1

    # Table 5-1: per portal the values of datasets (col 3), topics (5), APIs (7), openness (11).
    t = frames["table_5_1"]
    by_name = {v: k for k, v in names.items()}
    cols = {3: "platform.datasets", 5: "platform.topics", 7: "platform.apis", 11: "data.machine_readable_share"}
    portal_rows = 0
    for _, row in t.iterrows():
        pid = by_name.get(row.iloc[0])
        if pid is None:
            continue
        portal_rows += 1
        for c, name in cols.items():
            want = ind.get(("portal", pid, name))
            got = row.iloc[c]
            if not close(got, want):
                fail(f"table_5_1 {pid} {name}: csv {got} vs indicator {want}")
            checked += 1
    if portal_rows == 0:
        fail("table_5_1 has no portal rows")
    nat = t[t.iloc[:, 0].isin(["全国", "National"])]
    if nat.empty or not close(nat.iloc[0, 3], ind.get(("national", "", "platform.datasets"))):
        fail("table_5_1 national datasets differ")

    # XLSX.
    wb = openpyxl.load_workbook(os.path.join(rep, "report.xlsx"))
    sheets = set(wb.sheetnames)
    for key in frames:
        if key[:31] not in sheets:
            fail(f"report.xlsx has no sheet {key}")
    ws = wb["table_5_1"]
    if ws.freeze_panes != "B2":
        fail(f"table_5_1 frozen panes {ws.freeze_panes}")
    if not ws.cell(1, 1).font.b:
        fail("table_5_1 header not bold")
    header = [c.value for c in ws[1]]
    xrows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] in by_name}
    for name, pid in by_name.items():
        if name not in xrows:
            continue
        r = xrows[name]
        for c, ind_name in cols.items():
            want = ind.get(("portal", pid, ind_name))
            got = r[c]
            if not close(got, want) or (got is not None and not isinstance(got, (int, float))):
                fail(f"xlsx table_5_1 {pid} {ind_name}: {got!r} vs {want}")
            checked += 1
    # Shares carry a percentage format; counts a thousands format.
    pct = [ws.cell(r, 12).number_format for r in range(2, ws.max_row + 1) if isinstance(ws.cell(r, 12).value, float)]
    if any("%" not in f for f in pct):
        fail(f"openness cells are not formatted as percentages: {pct[:3]}")
    shares = wb["figure_2_4"]  # platforms by kind: count, share
    pct = [shares.cell(r, 3) for r in (2, 3)]
    if any(not isinstance(c.value, float) or "%" not in c.number_format for c in pct):
        fail(f"figure_2_4 shares are not percentages: {[(c.value, c.number_format) for c in pct]}")
    if not close(pct[0].value, ind.get(("national", "", "platform.independent_share"))):
        fail("figure_2_4 independent share differs")
    ints = [ws.cell(r, 4).number_format for r in range(2, ws.max_row + 1) if isinstance(ws.cell(r, 4).value, (int, float))]
    if not ints or any(f != "#,##0" for f in ints):
        fail(f"dataset cells are not formatted as counts: {ints[:3]}")
    ws = wb["figure_2_3"]
    for r in ws.iter_rows(min_row=2, max_row=5, values_only=True):
        if not close(r[1], ind.get(("level", r[0], "platform.portals"))):
            fail(f"xlsx figure_2_3 {r[0]}: {r[1]}")
        checked += 1
    print(f"ok: {len(csvs)} CSV files, {len(wb.sheetnames)} sheets, {checked} values equal the indicator table "
          f"(header {header[:4]}…)")


if __name__ == "__main__":
    main()
