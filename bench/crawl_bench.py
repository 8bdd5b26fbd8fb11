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
    # Output goes to files: a pipe nobody reads during the run would block the child.
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, **kw)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read().decode(), fe.read().decode()
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
    ap.add_argument("--server", choices=["py", "cpp"], default="cpp",
                    help="loopback server: C++ epoll, one event loop per thread (default; bench/vhost_server.cpp) "
                         "or the single-threaded Python asyncio one (saturates in bursts at 670 hosts)")
    ap.add_argument("--server-threads", type=int, default=2)
    a = ap.parse_args()

    exe = os.path.join(HERE, "..", "build", "bench_vhost_server")
    if a.server == "cpp" and (not os.path.exists(exe) or
                              os.path.getmtime(exe) < os.path.getmtime(os.path.join(HERE, "vhost_server.cpp"))):
        subprocess.check_call(["g++", "-O2", "-std=c++17", "-pthread", os.path.join(HERE, "vhost_server.cpp"), "-o",
                               exe])

    def start_server(logfile):
        port = free_port()
        if a.server == "cpp":
            cmd = [exe, str(port), str(a.pages), str(a.server_threads), logfile]
        else:
            cmd = [sys.executable, os.path.join(HERE, "vhost_server.py"), str(port), str(a.pages)]
        srv = subprocess.Popen(cmd, stdout=subprocess.PIPE)
        assert srv.stdout.readline().strip() == b"ready"
        return srv, port

    def stop_server(srv, logfile, name):
        """Stops the server; from its own request log: per-host gaps (politeness as the server saw it)."""
        srv.terminate()
        srv.wait()
        if a.server != "cpp" or not os.path.exists(logfile):
            return
        per = {}
        with open(logfile) as f:
            for line in f:
                t, host, _ = line.split(" ", 2)
                per.setdefault(host, []).append(float(t))
        gaps = []
        first, last = [], []
        for ts in per.values():
            ts.sort()
            first.append(ts[0])
            last.append(ts[-1])
            gaps += [b - x for x, b in zip(ts, ts[1:])]
        t0 = min(first)
        print(f"  {name} server log: {sum(len(v) for v in per.values())} requests, {len(per)} hosts; "
              f"per-host gap min {min(gaps):.3f}s mean {sum(gaps) / len(gaps):.3f}s max {max(gaps):.3f}s; "
              f"first requests spread over {max(first) - t0:.2f}s; last request at +{max(last) - t0:.2f}s",
              file=sys.stderr, flush=True)

    hosts = [f"h{i:04d}.bench.test" for i in range(a.hosts)]
    bound = a.pages * a.delay
    srv = None

    def report(name, wall, elapsed, pages, cpu, rss):
        print(f"{name:8} {wall:7.2f} {wall / bound:10.3f} {elapsed:7.2f} {elapsed / bound:11.3f} {pages:6d} {cpu:6.2f} "
              f"{1000 * cpu / max(1, pages):11.3f} {rss / 1024:9.1f}", flush=True)

    print(f"{a.hosts} hosts x {a.pages} pages, delay {a.delay}s, politeness bound {bound:.1f}s; "
          f"server {a.server}; load {os.getloadavg()[0]:.2f}")
    # wall: the whole process (startup included); crawl: the crawler's own start-to-finish clock
    # (odh: state db started_at..finished_at; Scrapy: stats elapsed_time_seconds).
    print(f"{'crawler':8} {'wall s':>7} {'wall/bound':>10} {'crawl s':>7} {'crawl/bound':>11} {'pages':>6} {'cpu s':>6} "
          f"{'cpu ms/page':>11} {'maxrss MB':>9}", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="odh-crawl-bench-") as tmp:
            srv, port = start_server(os.path.join(tmp, "odh.log"))
            sites = os.path.join(tmp, "sites.yaml")
            write_sites(sites, hosts, port)
            out = os.path.join(tmp, "out")
            wall, cpu, rss, rc, so, se = run_measured(
                [a.odh, "crawl", "--sites", sites, "--out", out, "--delay", str(a.delay), "--quiet",
                 "--connect-to", f"::127.0.0.1:{port}"])
            if rc != 0:
                sys.exit(f"odh failed ({rc}): {se[-2000:]}")
            if os.environ.get("ODH_CRAWL_STATS", "0") not in ("", "0"):  # the engine's loop diagnostics
                print("".join(l + "\n" for l in se.splitlines() if l.startswith(("odh crawl stats", "  "))),
                      end="", file=sys.stderr)
            db = sqlite3.connect(os.path.join(out, "crawl.sqlite"))
            pages = db.execute("SELECT count(*) FROM fetch WHERE final=1 AND status=200 AND kind!='robots'").fetchone()[0]
            errs = db.execute("SELECT error_class, count(*) FROM fetch WHERE error_class IS NOT NULL GROUP BY 1").fetchall()
            if errs:
                print("odh errors:", errs, file=sys.stderr)
            span = db.execute("SELECT max(fetched_unix) - min(fetched_unix) FROM fetch").fetchone()[0]
            print(f"odh: first to last request {span:.2f}s", file=sys.stderr)
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            elapsed = float(meta["finished_at"]) - float(meta["started_at"])
            report("odh", wall, elapsed, pages, cpu, rss)
            stop_server(srv, os.path.join(tmp, "odh.log"), "odh")
            srv = None
        if not a.no_scrapy:
            with tempfile.TemporaryDirectory(prefix="odh-crawl-bench-") as tmp:
                srv, port = start_server(os.path.join(tmp, "scrapy.log"))
                wall, cpu, rss, rc, so, se = run_measured(
                    [a.scrapy_python, os.path.join(HERE, "scrapy_bench_spider.py"), json.dumps(hosts), str(port),
                     str(a.delay)], cwd=HERE)
                if rc != 0:
                    sys.exit(f"scrapy failed ({rc}): {se[-2000:]}")
                res = json.loads(so.strip().splitlines()[-1])
                pages = res["pages"] - a.hosts  # minus robots.txt
                report("scrapy", wall, res["elapsed"], pages, cpu, rss)
                stop_server(srv, os.path.join(tmp, "scrapy.log"), "scrapy")
                srv = None
    finally:
        if srv:
            srv.terminate()
            srv.wait()
    print(f"load after: {os.getloadavg()[0]:.2f}")



if __name__ == "__main__":
    main()
