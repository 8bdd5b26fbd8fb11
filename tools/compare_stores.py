#!/usr/bin/env python3
"""Compares one run of two odh stores table by table, with EXCEPT both ways (stdlib only).

    tools/compare_stores.py A.sqlite B.sqlite [--run-a N] [--run-b M] [--ids]

Each table is compared as a multiset of rows over its content columns (a row that appears twice in
A and once in B is a difference). Surrogate keys and what varies between two harvests of the same
content are left out: run ids, times, WARC file names and offsets. Foreign keys are replaced by what
they point at (a dataset by portal + source id + title + url, a fetch by portal + method + url +
kind), so two live crawls whose rows were numbered in another order still compare equal.
--ids compares the raw ids too (two replays of one snapshot must agree on them).
Prints one line per table and exits 1 when any table differs. Default runs: the latest of each.
"""
import argparse
import sqlite3
import sys

DATASET = "(SELECT portal_id||'|'||coalesce(source_id,'')||'|'||coalesce(title,'')||'|'||coalesce(url,'') FROM {db}.dataset d WHERE d.dataset_pk=t.{col})"
FETCH = "(SELECT portal_id||'|'||method||'|'||url||'|'||coalesce(kind,'') FROM {db}.fetch f WHERE f.fetch_id=t.{col})"
APP = "(SELECT portal_id||'|'||coalesce(title,'') FROM {db}.app a WHERE a.app_pk=t.{col})"

# table -> (run filter expression, [content expressions]); {db} is the schema, {run} the run id.
TABLES = {
    "portal": ("run_id={run}", ["portal_id", "seq", "name", "province", "city", "county", "division_code",
                                "level", "region", "kind", "family", "url"]),
    "portal_status": ("run_id={run}", ["portal_id", "reachable", "error_class", "pages", "bytes",
                                       "requests_2xx", "requests_3xx", "requests_4xx", "requests_5xx",
                                       "requests_err", "robots", "paused"]),
    "fetch": ("run_id={run}", ["portal_id", "url", "method", "kind", "status", "content_type", "charset",
                               "charset_source", "bytes", "depth", "error_class"]),
    "dataset": ("run_id={run}", ["portal_id", "source_id", "url", "title", "description", "publisher",
                                 "topic_raw", "theme", "issued", "modified", "frequency_raw", "frequency",
                                 "open_condition", "tags", "views", "downloads", "record_count",
                                 "field_count", "rating", "rating_count", "comment_count", "depth",
                                 FETCH.format(db="{db}", col="fetch_id")]),
    "dataset_field": ("dataset_pk IN (SELECT dataset_pk FROM {db}.dataset WHERE run_id={run})",
                      [DATASET.format(db="{db}", col="dataset_pk"), "label", "value", "canonical"]),
    "distribution": ("dataset_pk IN (SELECT dataset_pk FROM {db}.dataset WHERE run_id={run})",
                     [DATASET.format(db="{db}", col="dataset_pk"), "format_raw", "format", "url", "byte_size",
                      "rows", "columns", "live", "sniffed_format"]),
    "api": ("run_id={run}", ["portal_id", "source_id", "title", "publisher", "url",
                             DATASET.format(db="{db}", col="dataset_pk"), FETCH.format(db="{db}", col="fetch_id")]),
    "app": ("run_id={run}", ["portal_id", "title", "app_kind", "developer", "url"]),
    "app_dataset": ("app_pk IN (SELECT app_pk FROM {db}.app WHERE run_id={run})",
                    [APP.format(db="{db}", col="app_pk"), "dataset_title"]),
    "topic": ("run_id={run}", ["portal_id", "name_raw", "theme", "datasets"]),
    "terms": ("run_id={run}", ["portal_id", "url", "aspect", "verdict", "evidence",
                               FETCH.format(db="{db}", col="fetch_id")]),
    "parse_issue": ("run_id={run}", ["portal_id", "url", "kind", "message"]),
    "link": ("run_id={run}", [FETCH.format(db="{db}", col="from_fetch_id"), "to_url"]),
    "indicator": ("run_id={run}", ["scope", "scope_key", "indicator", "value", "value_text", "unit", "n"]),
    "dataset_quality": ("run_id={run}", [DATASET.format(db="{db}", col="dataset_pk"), "*"]),
}
IDS = {"fetch": ["fetch_id"], "dataset": ["dataset_pk", "fetch_id"], "dataset_field": ["dataset_pk"],
       "distribution": ["dataset_pk"], "api": ["dataset_pk", "fetch_id"], "terms": ["fetch_id"],
       "link": ["from_fetch_id"], "dataset_quality": ["dataset_pk"]}


def columns(con, db, table):
    return [r[1] for r in con.execute(f"PRAGMA {db}.table_info({table})")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--run-a", type=int)
    ap.add_argument("--run-b", type=int)
    ap.add_argument("--ids", action="store_true", help="compare surrogate ids too")
    args = ap.parse_args()
    con = sqlite3.connect(":memory:")
    con.execute(f"ATTACH '{args.a}' AS a")
    con.execute(f"ATTACH '{args.b}' AS b")
    run = {"a": args.run_a or con.execute("SELECT max(run_id) FROM a.run").fetchone()[0],
           "b": args.run_b or con.execute("SELECT max(run_id) FROM b.run").fetchone()[0]}
    differ = False
    for table, (where, cols) in TABLES.items():
        have = [set(columns(con, db, table)) for db in ("a", "b")]
        if not have[0] or not have[1]:
            print(f"{table:16} missing in {'a' if not have[0] else 'b'}")
            differ = differ or bool(have[0]) != bool(have[1])
            continue
        if cols[-1] == "*":  # every column of the table but the keys
            cols = cols[:-1] + sorted((have[0] & have[1]) - {"run_id", "dataset_pk"})
        cols = [c for c in cols if not c.isidentifier() or (c in have[0] and c in have[1])]
        if args.ids:
            cols += [c for c in IDS.get(table, []) if c in have[0] and c in have[1]]

        def select(db):
            exprs = ", ".join(c.replace("{db}", db) for c in cols)
            # row_number() makes duplicates distinct, so EXCEPT compares multisets
            return (f"SELECT {exprs}, row_number() OVER (PARTITION BY {exprs}) FROM {db}.{table} AS t "
                    f"WHERE {where.format(db=db, run=run[db])}")
        only_a = con.execute(f"SELECT count(*) FROM ({select('a')} EXCEPT {select('b')})").fetchone()[0]
        only_b = con.execute(f"SELECT count(*) FROM ({select('b')} EXCEPT {select('a')})").fetchone()[0]
        n = con.execute(f"SELECT count(*) FROM a.{table} AS t WHERE {where.format(db='a', run=run['a'])}").fetchone()[0]
        status = "same" if only_a == only_b == 0 else "DIFFERENT"
        differ = differ or status != "same"
        print(f"{table:16} {status:9} rows {n:>9}  only in a {only_a:>7}  only in b {only_b:>7}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
