#!/usr/bin/env python3
"""Incremental re-harvest benchmark (issue 15 item 3), loopback only.

A month of the simulated world: `odh run --simulate` of revision 0, then revision 1 (a tenth of the
datasets revised, usage grown) twice — once in full, once with `--previous` (conditional GET, 304 →
WARC revisit, unchanged list entries carried forward where the family spec allows). Prints requests
per dataset per family, full re-crawl against incremental: every catalogue request the crawler sent (its
crawl state's fetch log: robots.txt, retries and redirect hops included), over the datasets the run stored.
Download probes (issue 16's file stage: kinds file/link, at most --links-per-site per portal and run) are
counted apart: a full run probes every portal's links again, an incremental one only those of new and
revised datasets (carried datasets keep their earlier checks).

Usage: bench/incremental_bench.py [--scale S] [--families f1,f2,...] [--keep DIR]
Needs build/odh (scripts/build.sh release). Not part of CI.
"""
import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ODH = os.path.join(ROOT, "build", "odh")
# Families with detail pages: the two whose spec allows skipping unchanged details (their notes show the
# update time in the list entries), and two that fetch every detail again (for contrast).
DEFAULT_FAMILIES = "portal-dataservice,oportal,guizhou-api,shanghai"


def sites_of(families):
    reg = yaml.safe_load(open(os.path.join(ROOT, "sites.yaml"), encoding="utf-8"))
    sites = reg["sites"] if isinstance(reg, dict) else reg
    return [s["id"] for s in sites if s.get("family") in families]


def odh_run(out, ids, scale, revision, faults, previous=None):
    cmd = [ODH, "run", "--simulate", "--scale", str(scale), "--revision", str(revision), "--delay", "0",
           "--faults", faults, "--out", out, "--format", "csv", "--quiet", "--only", *ids]
    if previous:
        cmd += ["--previous", previous]
    t = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"odh run failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-3000:]}")
    runs = sorted(os.listdir(os.path.join(out, "runs")))
    return os.path.join(out, "runs", runs[-1]), time.time() - t


def counts(out, run_dir):
    """family -> (catalogue requests sent, datasets stored, datasets carried, download probes)."""
    stage = open(os.path.join(run_dir, "job.stage")).read().split()
    run = int(stage[1])
    db = sqlite3.connect(os.path.join(out, "odh.sqlite"))
    family = dict(db.execute("SELECT portal_id, family FROM portal WHERE run_id=?", (run,)))
    res = {}
    for pid, n, carried in db.execute(
            "SELECT portal_id, COUNT(*), COUNT(carried_from) FROM dataset WHERE run_id=? GROUP BY portal_id",
            (run,)):
        f = res.setdefault(family[pid], [0, 0, 0, 0])
        f[1] += n
        f[2] += carried
    crawl = sqlite3.connect(os.path.join(run_dir, "crawl", "crawl.sqlite"))
    for sid, probe, n in crawl.execute(
            "SELECT portal_id, kind IN ('file', 'link'), COUNT(*) FROM fetch GROUP BY portal_id, 2"):
        if sid in family:
            res.setdefault(family[sid], [0, 0, 0, 0])[3 if probe else 0] += n
    revisits = crawl.execute("SELECT COUNT(*) FROM fetch WHERE status=304").fetchone()[0]
    return res, revisits


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.02)
    ap.add_argument("--families", default=DEFAULT_FAMILIES)
    ap.add_argument("--keep", help="work in this directory and keep it")
    a = ap.parse_args()
    if not os.access(ODH, os.X_OK):
        sys.exit("build/odh missing: scripts/build.sh release")
    families = a.families.split(",")
    ids = sites_of(families)
    work = a.keep or tempfile.mkdtemp(prefix="odh-incbench-")
    os.makedirs(work, exist_ok=True)
    inc_out, full_out = os.path.join(work, "inc"), os.path.join(work, "full")
    for d in (inc_out, full_out):
        shutil.rmtree(d, ignore_errors=True)
    # Every simulated robots.txt allows all without Crawl-delay (a tenth of them ask for 2 s): the
    # requests counted are the same, the bench just does not wait.
    faults = os.path.join(work, "faults.yaml")
    with open(faults, "w") as f:
        f.write('hosts:\n  "*": {robots: allow}\n')
    try:
        r0, t0 = odh_run(inc_out, ids, a.scale, 0, faults)
        r1, t1 = odh_run(inc_out, ids, a.scale, 1, faults, previous=r0)
        f1, tf = odh_run(full_out, ids, a.scale, 1, faults)
        inc, inc_304 = counts(inc_out, r1)
        full, _ = counts(full_out, f1)
        print(f"{len(ids)} portals of {', '.join(families)}; simulator scale {a.scale}; revision 0 → 1")
        print(f"wall: first harvest {t0:.1f} s, incremental {t1:.1f} s, full re-crawl {tf:.1f} s; "
              f"incremental 304 answers: {inc_304}")
        print(f"{'family':<20} {'datasets':>8} {'full req':>9} {'req/ds':>7} {'inc req':>8} {'req/ds':>7} "
              f"{'carried':>8}")
        tot = [0, 0, 0, 0]
        probes = [0, 0]
        for fam in families:
            rf, nf, _, pf = full.get(fam, [0, 0, 0, 0])
            ri, ni, ci, pi = inc.get(fam, [0, 0, 0, 0])
            probes = [probes[0] + pf, probes[1] + pi]
            if nf == 0:
                print(f"{fam:<20} {'(no datasets)':>8}")
                continue
            print(f"{fam:<20} {nf:>8} {rf:>9} {rf / nf:>7.3f} {ri:>8} {ri / max(ni, 1):>7.3f} {ci:>8}")
            if ni != nf:
                print(f"  (!) {fam}: the incremental run stored {ni} datasets, the full re-crawl {nf}")
            tot = [tot[0] + nf, tot[1] + rf, tot[2] + ri, tot[3] + ci]
        if tot[0]:
            print(f"{'all':<20} {tot[0]:>8} {tot[1]:>9} {tot[1] / tot[0]:>7.3f} {tot[2]:>8} "
                  f"{tot[2] / tot[0]:>7.3f} {tot[3]:>8}")
            print(f"download probes (file stage, apart from the above): full {probes[0]} "
                  f"({probes[0] / tot[0]:.3f}/dataset), incremental {probes[1]} ({probes[1] / tot[0]:.3f}/dataset)")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
