#!/usr/bin/env bash
# Parsers bench: replay throughput of `odh parse --replay` on a snapshot crawled from the simulator, side by side
# with (a) a Scrapy/parsel extractor of the same pages (Debian python3-parsel, bench/parsel_extract.py) and
# (b) Gumbo parsing alone (bench/gumbo_floor.cpp, the floor). Pages for (a) and (b) are exported from the same
# WARC files first (bench/warc_pages.py) and loaded into memory before timing: they time extraction only,
# while the odh figure is the whole `odh parse --replay` process (start, WARC indexing, gunzip, decoding,
# parsing, SQLite writes). Best of 3 runs each.
# Usage: bench/parse_bench.sh [build-dir] [scale]   (loopback only; writes under $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}; SCALE=${2:-0.05}
PY=/usr/bin/python3  # Debian's python3 has python3-parsel (scripts/setup.sh)
T=$(mktemp -d); SIM=; trap '[ -n "$SIM" ] && kill $SIM 2>/dev/null; rm -rf "$T"' EXIT
echo "load: $(uptime)"
"$B/odh" sim --port 0 --scale "$SCALE" --connect-map "$T/cm" --duration 900 > "$T/sim.out" 2>&1 & SIM=$!
for _ in $(seq 100); do [ -s "$T/cm" ] && break; sleep 0.2; done
CT=$(sed 's/^/--connect-to /' "$T/cm" | tr '\n' ' ')
SITES="--site data-shenyang --site changzhi --site data-guizhou --site data-beijing --site bjdch --site data-hainan \
  --site data-zjzwfw-330000 --site data-fuzhou --site data-gxj-xz --site sjkf-xuancheng --site bengbu --site data-ms \
  --site data-harbin --site data-yinchuan --site czs --site xiaogan"
"$B/odh" parse --live "$T/snap" --db "$T/live.sqlite" $SITES --delay 0 --offline $CT > /dev/null
kill $SIM; SIM=
bytes=$(du -sb "$T/snap/warc" | cut -f1)
# CPU seconds (user + sys) of the whole process decide: the machine is shared, wall time counts others' load.
best=999; wall=0
for _ in 1 2 3; do
  rm -f "$T/replay.sqlite"*
  /usr/bin/time -f "%e %U %S" -o "$T/time" "$B/odh" parse --replay "$T/snap" --db "$T/replay.sqlite" $SITES --json > "$T/sum.json"
  read -r w u s < "$T/time"
  t=$(echo "$u + $s" | bc -l)
  if [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; wall=$w; fi
done
pages=$(python3 -c "import json;print(json.load(open('$T/sum.json'))['requests'])")
n=$($PY bench/warc_pages.py "$T/snap" "$T/pages")
ubytes=$(cat "$T"/pages/*.html "$T"/pages/*.json 2>/dev/null | wc -c)
g++ -O2 -std=c++17 bench/gumbo_floor.cpp -lgumbo -o "$T/gumbo_floor"
floor=$("$T/gumbo_floor" "$T/pages")
# odh's parse stage alone, linked against the build's libraries (bench/replay_parse_only.cpp).
g++ -O2 -std=c++20 -I. bench/replay_parse_only.cpp "$B"/libodh_parsers.a "$B"/libodh_registry.a "$B"/libodh_store.a \
  "$B"/libodh_crawler.a "$B"/libodh_core.a -lgumbo -lpugixml -lyaml-cpp -licui18n -licuuc -licudata -lsqlite3 -lz \
  -lcurl -lbrotlidec -lbrotlienc -lcrypto -lpthread -o "$T/parse_only" 2> /dev/null
stage=$("$T/parse_only" "$T/snap" sites.yaml $(echo $SITES | sed 's/--site //g'))
peer=$( for _ in 1 2 3; do $PY bench/parsel_extract.py "$T/pages"; done | python3 -c "
import sys, json; runs=[json.loads(l) for l in sys.stdin]; print(json.dumps(min(runs, key=lambda r: r['seconds'])))")
python3 - "$pages" "$bytes" "$best" "$n" "$ubytes" "$floor" "$peer" "$wall" "$stage" <<'PY'
import sys, json
p, b, t, n, ub = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
floor, peer, wall, stage = json.loads(sys.argv[6]), json.loads(sys.argv[7]), float(sys.argv[8]), json.loads(sys.argv[9])
odh_pps = p / t
print(f"snapshot: {p} responses replayed ({n} 2xx HTML/JSON pages, {ub/1e6:.2f} MB decoded; {b/1e6:.2f} MB gzip WARC)")
print("(CPU seconds; pages/s and MB/s per CPU second)")
print(f"odh parse --replay (whole process): {t:.3f} s CPU ({wall:.2f} s wall) = {odh_pps:.0f} pages/s, {ub/1e6/t:.2f} MB/s decoded, {b/1e6/t:.2f} MB/s WARC")
print(f"parsel peer (extraction only):      {peer['seconds']:.3f} s CPU ({peer['wall']:.2f} s wall) = {peer['pages_per_s']:.0f} pages/s, {peer['mb_per_s']:.2f} MB/s")
print(f"Gumbo-only floor (parse only):      {floor['seconds']:.3f} s CPU = {floor['pages_per_s']:.0f} pages/s, {floor['mb_per_s']:.2f} MB/s")
print(f"odh parse stage only (in memory):   {stage['seconds']:.3f} s CPU = {stage['pages_per_s']:.0f} pages/s, {stage['mb_per_s']:.2f} MB/s ({stage['datasets']} datasets)")
print(f"whole process: odh / peer = {odh_pps / peer['pages_per_s']:.1f}x (target >= 5x); floor / odh = {floor['pages_per_s'] / odh_pps:.1f}x (target <= 2x)")
print(f"parse stage:   odh / peer = {stage['pages_per_s'] / peer['pages_per_s']:.1f}x; floor / odh = {floor['pages_per_s'] / stage['pages_per_s']:.1f}x")
PY
echo "load: $(uptime)"
