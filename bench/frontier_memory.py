#!/usr/bin/env python3
"""Frontier memory benchmark: does odh crawl's memory stay bounded as the number of known URLs grows?

N virtual hosts on loopback (bench/vhost_server.cpp), each home page linking to P-1 pages (the link
spider files at most 2000 links of one page, so P <= 2001): once the home pages are fetched, the
crawl knows N x P URLs (frontier + seen set, on disk in crawl.sqlite). The crawl goes on for
--after seconds more (fetching, so a per-fetch leak would show), then is stopped with SIGINT. Printed
per P: known URLs, seconds until all were filed, the crawler's resident set when they were filed and
at the end (/proc VmRSS), its max RSS and CPU (wait4), and the size of crawl.sqlite.
"""
import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from crawl_bench import free_port, write_sites  # noqa: E402


def vm_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run(a, pages):
    exe = os.path.join(HERE, "..", "build", "bench_vhost_server")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(os.path.join(HERE, "vhost_server.cpp")):
        subprocess.check_call(["g++", "-O2", "-std=c++17", "-pthread", os.path.join(HERE, "vhost_server.cpp"), "-o",
                               exe])
    port = free_port()
    srv = subprocess.Popen([exe, str(port), str(pages), "2"], stdout=subprocess.PIPE)
    assert srv.stdout.readline().strip() == b"ready"
    try:
        with tempfile.TemporaryDirectory(prefix="odh-frontier-bench-") as tmp:
            hosts = [f"h{i:04d}.bench.test" for i in range(a.hosts)]
            sites = os.path.join(tmp, "sites.yaml")
            write_sites(sites, hosts, port)
            out = os.path.join(tmp, "out")
            want = a.hosts * pages  # home + P-1 pages per host
            t0 = time.monotonic()
            p = subprocess.Popen([a.odh, "crawl", "--sites", sites, "--out", out, "--delay", str(a.delay), "--quiet",
                                  "--connect-to", f"::127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            known = 0
            while time.monotonic() - t0 < a.timeout:
                time.sleep(0.5)
                try:
                    db = sqlite3.connect(f"file:{os.path.join(out, 'crawl.sqlite')}?mode=ro", uri=True, timeout=5)
                    known = db.execute("SELECT count(*) FROM frontier").fetchone()[0]
                    db.close()
                except sqlite3.Error:
                    continue
                if known >= want:
                    break
            filed_s = time.monotonic() - t0
            rss_filed = vm_rss(p.pid)
            time.sleep(a.after)
            rss_end = vm_rss(p.pid)
            p.send_signal(signal.SIGINT)
            _, _, ru = os.wait4(p.pid, 0)
            db = sqlite3.connect(os.path.join(out, "crawl.sqlite"))
            known = db.execute("SELECT count(*) FROM frontier").fetchone()[0]
            seen = db.execute("SELECT count(*) FROM seen").fetchone()[0]
            fetched = db.execute("SELECT count(*) FROM fetch").fetchone()[0]
            db.close()
            size = os.path.getsize(os.path.join(out, "crawl.sqlite"))
            print(f"{a.hosts:6d} {pages:8d} {known:10d} {seen:10d} {filed_s:8.1f} {fetched:8d} {rss_filed:9.1f} "
                  f"{rss_end:9.1f} {ru.ru_maxrss / 1024:9.1f} {ru.ru_utime + ru.ru_stime:7.2f} {size / 2**20:9.1f}",
                  flush=True)
    finally:
        srv.terminate()
        srv.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=500)
    ap.add_argument("--pages", type=int, nargs="+", default=[201, 2001], help="pages per host (one run each)")
    ap.add_argument("--after", type=float, default=30, help="seconds of crawling after all URLs are filed")
    ap.add_argument("--delay", type=float, default=1.0)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--odh", default=os.path.join(HERE, "..", "build", "odh"))
    a = ap.parse_args()
    print(f"load {os.getloadavg()[0]:.2f}")
    print(f"{'hosts':>6} {'pages/h':>8} {'frontier':>10} {'seen':>10} {'filed s':>8} {'fetched':>8} {'rss@filed':>9} "
          f"{'rss@end':>9} {'maxrss MB':>9} {'cpu s':>7} {'db MB':>9}", flush=True)
    for pages in a.pages:
        run(a, pages)


if __name__ == "__main__":
    main()
