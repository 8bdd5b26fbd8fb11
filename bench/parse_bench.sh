#!/usr/bin/env bash
# Parsers bench: replay throughput of `odh parse --replay` on a snapshot crawled from the simulator, side by side
# with (a) a Scrapy/parsel extractor of the same pages (Debian python3-parsel, bench/parsel_extract.py), as one
# process (as Scrapy runs) and as 2 processes over halves of the pages (the peer on 2 cores), and (b) Gumbo
# parsing alone (bench/gumbo_floor.cpp, the floor). Pages for (a) and (b) are exported from the same WARC files
# first (bench/warc_pages.py) and loaded into memory before timing: they time extraction only, while the odh
# figures are the whole `odh parse --replay` process (start, registry, WARC indexing, gunzip, decoding,
# parsing, SQLite writes and index builds), with --threads 2 (default: 2 parser threads + 1 writer) and
# --threads 1; plus odh's parse stage alone (bench/replay_parse_only.cpp, one thread, in memory).
# Best of 3 runs each (CPU and wall separately).
# Usage: bench/parse_bench.sh [build-dir] [scale]   (loopback only; writes under $TMPDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}; SCALE=${2:-0.2}
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
# Whole process, best of 3: CPU seconds (user + sys) and wall seconds, each the minimum over the runs.
replay() {  # $1 = threads; prints "cpu wall"
  local bc=999 bw=999
  for _ in 1 2 3; do
    rm -f "$T/replay.sqlite"*
    /usr/bin/time -f "%e %U %S" -o "$T/time" "$B/odh" parse --replay "$T/snap" --db "$T/replay.sqlite" $SITES \
      --threads "$1" --json > "$T/sum.json"
    read -r w u s < "$T/time"
    bc=$(echo "c=$u + $s; if (c < $bc) c else $bc" | bc -l); bw=$(echo "if ($w < $bw) $w else $bw" | bc -l)
  done
  echo "$bc $bw"
}
read -r cpu2 wall2 <<< "$(replay 2)"
read -r cpu1 wall1 <<< "$(replay 1)"
pages=$(python3 -c "import json;print(json.load(open('$T/sum.json'))['requests'])")
n=$($PY bench/warc_pages.py "$T/snap" "$T/pages")
ubytes=$(cat "$T"/pages/*.html "$T"/pages/*.json 2>/dev/null | wc -c)
g++ -O2 -std=c++17 bench/gumbo_floor.cpp -lgumbo -o "$T/gumbo_floor"
floor=$("$T/gumbo_floor" "$T/pages")
# odh's parse stage alone, linked against the build's libraries (bench/replay_parse_only.cpp).
g++ -O2 -std=c++20 -I. bench/replay_parse_only.cpp "$B"/libodh_parsers.a "$B"/libodh_registry.a "$B"/libodh_warc.a \
  "$B"/libodh_web.a "$B"/libodh_core.a -lgumbo -lpugixml -lserd-0 -lyaml-cpp -licui18n -licuuc -licudata -lsqlite3 -lz \
  -lcurl -lbrotlidec -lbrotlienc -lcrypto -lpthread -o "$T/parse_only" 2> /dev/null
stage=$("$T/parse_only" "$T/snap" sites.yaml $(echo $SITES | sed 's/--site //g'))
peer=$( for _ in 1 2 3; do $PY bench/parsel_extract.py "$T/pages"; done | python3 -c "
import sys, json; runs=[json.loads(l) for l in sys.stdin]; print(json.dumps(min(runs, key=lambda r: r['seconds'])))")
# The peer on 2 cores: two processes side by side over halves of the pages; wall = first start to last end.
peer2=$( for _ in 1 2 3; do
  $PY bench/parsel_extract.py "$T/pages" 0 2 > "$T/p0" & a=$!
  $PY bench/parsel_extract.py "$T/pages" 1 2 > "$T/p1" & b=$!
  wait $a $b
  python3 -c "
import json; r=[json.load(open('$T/p0')), json.load(open('$T/p1'))]
print(json.dumps({'pages': sum(x['pages'] for x in r), 'seconds': sum(x['seconds'] for x in r),
                  'wall': max(x['end'] for x in r) - min(x['start'] for x in r)}))"
done | python3 -c "
import sys, json; runs=[json.loads(l) for l in sys.stdin]; print(json.dumps(min(runs, key=lambda r: r['wall'])))")
# The whole-process Scrapy peer: a Scrapy crawl replaying the same page files (file://) through its engine, with the
# same extraction code and a JSON-lines feed (bench/scrapy_replay.py); timed as a process like odh's replay.
rm -f "$T/scrapy.jsonl"
/usr/bin/time -f "%e %U %S" -o "$T/stime" $PY bench/scrapy_replay.py "$T/pages" "$T/scrapy.jsonl" > "$T/scrapy.out"
read -r swall su ss < "$T/stime"; scpu=$(echo "$su + $ss" | bc -l); sreq=$(python3 -c "import json;print(json.load(open('$T/scrapy.out'))['requests'])")
python3 - "$pages" "$bytes" "$n" "$ubytes" "$floor" "$peer" "$peer2" "$stage" "$cpu2" "$wall2" "$cpu1" "$wall1" "$swall" "$scpu" "$sreq" <<'PY'
import sys, json
p, b, n, ub = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
floor, peer, peer2, stage = (json.loads(x) for x in sys.argv[5:9])
cpu2, wall2, cpu1, wall1, swall, scpu = (float(x) for x in sys.argv[9:15]); sreq = int(sys.argv[15])
mb = ub / 1e6
print(f"snapshot: {p} responses replayed ({n} 2xx HTML/JSON pages, {mb:.2f} MB decoded; {b/1e6:.2f} MB gzip WARC)")
print("pages/s and MB/s: per wall second (wall) and per CPU second (cpu)")
print(f"odh parse --replay --threads 2 (whole process): {wall2:.3f} s wall, {cpu2:.3f} s CPU = {p/wall2:.0f} pages/s wall, {p/cpu2:.0f} pages/s cpu, {mb/wall2:.2f} MB/s wall")
print(f"odh parse --replay --threads 1 (whole process): {wall1:.3f} s wall, {cpu1:.3f} s CPU = {p/wall1:.0f} pages/s wall, {p/cpu1:.0f} pages/s cpu")
print(f"odh parse stage only (1 thread, in memory):      {stage['seconds']:.3f} s CPU = {stage['pages_per_s']:.0f} pages/s cpu, {stage['mb_per_s']:.2f} MB/s ({stage['datasets']} datasets)")
print(f"parsel peer, 1 process (as Scrapy runs):        {peer['wall']:.3f} s wall, {peer['seconds']:.3f} s CPU = {peer['pages']/peer['wall']:.0f} pages/s wall, {peer['pages_per_s']:.0f} pages/s cpu, {peer['mb_per_s']:.2f} MB/s cpu")
print(f"parsel peer, 2 processes (halves of the pages):  {peer2['wall']:.3f} s wall, {peer2['seconds']:.3f} s CPU = {peer2['pages']/peer2['wall']:.0f} pages/s wall")
print(f"Scrapy replay, whole process (scrapy_replay.py): {swall:.3f} s wall, {scpu:.3f} s CPU = {sreq/swall:.0f} pages/s wall, {sreq/scpu:.0f} pages/s cpu ({sreq} pages)")
print(f"Gumbo-only floor (parse only, 1 thread):         {floor['seconds']:.3f} s CPU = {floor['pages_per_s']:.0f} pages/s cpu, {floor['mb_per_s']:.2f} MB/s")
pw2, pw1 = p / wall2, peer['pages'] / peer['wall']
print(f"on 2 cores (wall): odh --threads 2 / peer 2 processes = {pw2 / (peer2['pages'] / peer2['wall']):.1f}x; / peer 1 process = {pw2 / pw1:.1f}x (target >= 5x)")
print(f"whole process vs Scrapy replay (wall): odh --threads 2 / Scrapy = {pw2 / (sreq / swall):.1f}x; odh --threads 1 / Scrapy = {(p / wall1) / (sreq / swall):.1f}x")
print(f"per CPU second:    odh whole process / peer = {(p / cpu2) / peer['pages_per_s']:.1f}x (threads 2), {(p / cpu1) / peer['pages_per_s']:.1f}x (threads 1); parse stage / peer = {stage['pages_per_s'] / peer['pages_per_s']:.1f}x")
print(f"floor:             floor / odh parse stage = {floor['pages_per_s'] / stage['pages_per_s']:.1f}x; floor / odh whole process = {floor['pages_per_s'] / (p / cpu1):.1f}x per CPU s, {floor['pages_per_s'] / pw2:.1f}x vs 2-thread wall (target <= 2x)")
PY
echo "load: $(uptime)"
