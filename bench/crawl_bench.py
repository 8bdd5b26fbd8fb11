#!/usr/bin/env python3
"""Crawl benchmark: N hosts x M pages on loopback with per-host delay d, odh vs Scrapy.

Prints wall time / politeness lower bound (M gaps of d per host: robots.txt + M pages) and CPU
time per page of the crawler process (user+sys from wait4; the server is not counted).
"""
import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_measured(cmd, **kw):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    out, err = p.stdout.read().decode(), p.stderr.read().decode()
    rc = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, rc, out, err


def write_sites(path, hosts, port):
    with open(path, "w") as f:
        f.write("sites:\n")
        for i, h in enumerate(hosts):
            f.write(f"  - id: {h.split('.')[0]}\n    seq: 0\n    name: \"基准平台{i}\"\n    province: \"北京市\"\n"
                    f"    city: \"\"\n    county: \"\"\n    division_code: \"110000\"\n    level: 省级\n"
                    f"    region: 华北\n    kind: independent\n    family: unknown\n"
                    f"    urls:\n      - \"http://{h}:{port}/\"\n    overrides: {{}}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=670)
    ap.add_argument("--pages", type=int, default=20, help="HTML pages per host (home + M-1)")
    ap.add_argument("--delay", type=float, default=1.0)
    ap.add_argument("--odh", default=os.path.join(HERE, "..", "build", "odh"))
    ap.add_argument("--scrapy-python", default="/usr/bin/python3")
    ap.add_argument("--no-scrapy", action="store_true")
    a = ap.parse_args()

    port = free_port()
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "vhost_server.py"), str(port), str(a.pages)],
                           stdout=subprocess.PIPE)
    assert srv.stdout.readline().strip() == b"ready"
    hosts = [f"h{i:04d}.bench.test" for i in range(a.hosts)]
    bound = a.pages * a.delay
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="odh-crawl-bench-") as tmp:
            sites = os.path.join(tmp, "sites.yaml")
            write_sites(sites, hosts, port)
            out = os.path.join(tmp, "out")
            wall, cpu, rss, rc, so, se = run_measured(
                [a.odh, "crawl", "--sites", sites, "--out", out, "--delay", str(a.delay), "--quiet",
                 "--connect-to", f"::127.0.0.1:{port}"])
            if rc != 0:
                sys.exit(f"odh failed ({rc}): {se[-2000:]}")
            db = sqlite3.connect(os.path.join(out, "crawl.sqlite"))
            pages = db.execute("SELECT count(*) FROM fetch WHERE final=1 AND status=200 AND kind!='robots'").fetchone()[0]
            errs = db.execute("SELECT error_class, count(*) FROM fetch WHERE error_class IS NOT NULL GROUP BY 1").fetchall()
            if errs:
                print("odh errors:", errs, file=sys.stderr)
            span = db.execute("SELECT max(fetched_unix) - min(fetched_unix) FROM fetch").fetchone()[0]
            print(f"odh: first to last request {span:.2f}s", file=sys.stderr)
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            elapsed = float(meta["finished_at"]) - float(meta["started_at"])
            rows.append(("odh", wall, elapsed, pages, cpu, rss))
        if not a.no_scrapy:
            wall, cpu, rss, rc, so, se = run_measured(
                [a.scrapy_python, os.path.join(HERE, "scrapy_bench_spider.py"), json.dumps(hosts), str(port),
                 str(a.delay)], cwd=HERE)
            if rc != 0:
                sys.exit(f"scrapy failed ({rc}): {se[-2000:]}")
            res = json.loads(so.strip().splitlines()[-1])
            pages = res["pages"] - a.hosts  # minus robots.txt
            rows.append(("scrapy", wall, res["elapsed"], pages, cpu, rss))
    finally:
        srv.terminate()
        srv.wait()

    print(f"{a.hosts} hosts x {a.pages} pages, delay {a.delay}s, politeness bound {bound:.1f}s")
    # wall: the whole process (startup included); crawl: the crawler's own start-to-finish clock
    # (odh: state db started_at..finished_at; Scrapy: stats elapsed_time_seconds).
    print(f"{'crawler':8} {'wall s':>7} {'wall/bound':>10} {'crawl s':>7} {'crawl/bound':>11} {'pages':>6} {'cpu s':>6} "
          f"{'cpu ms/page':>11} {'maxrss MB':>9}")
    for name, wall, elapsed, pages, cpu, rss in rows:
        print(f"{name:8} {wall:7.2f} {wall / bound:10.3f} {elapsed:7.2f} {elapsed / bound:11.3f} {pages:6d} {cpu:6.2f} "
              f"{1000 * cpu / max(1, pages):11.3f} {rss / 1024:9.1f}")


if __name__ == "__main__":
    main()
