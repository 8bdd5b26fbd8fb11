#!/usr/bin/env bash
# Parsers bench: replay throughput of `odh parse --replay` on a snapshot crawled from the simulator.
# Usage: bench/parse_bench.sh [build-dir] [scale]   (loopback only; writes under $TMPDIR)
# The peer comparison (Scrapy/parsel) needs python3-parsel, which is not installed here: the script
# runs it only when `import parsel` works.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}; SCALE=${2:-0.05}
T=$(mktemp -d); trap 'kill $SIM 2>/dev/null || true; rm -rf "$T"' EXIT
"$B/odh" sim --port 0 --scale "$SCALE" --connect-map "$T/cm" --duration 600 > "$T/sim.out" 2>&1 & SIM=$!
for _ in $(seq 50); do [ -s "$T/cm" ] && break; sleep 0.2; done
CT=$(sed 's/^/--connect-to /' "$T/cm" | tr '\n' ' ')
SITES="--site data-shenyang --site changzhi --site data-guizhou --site data-beijing --site bjdch --site data-hainan \
  --site data-zjzwfw-330000 --site data-fuzhou --site data-gxj-xz --site sjkf-xuancheng --site bengbu --site data-ms"
"$B/odh" parse --live "$T/snap" --db "$T/live.sqlite" $SITES --delay 0 $CT > /dev/null
bytes=$(du -sb "$T/snap/warc" | cut -f1)
best=999
for _ in 1 2 3; do
  rm -f "$T/replay.sqlite"*
  s=$(date +%s.%N); "$B/odh" parse --replay "$T/snap" --db "$T/replay.sqlite" $SITES --json > "$T/sum.json"; e=$(date +%s.%N)
  t=$(echo "$e - $s" | bc -l); best=$(echo "if ($t < $best) $t else $best" | bc -l)
done
pages=$(python3 -c "import json;print(json.load(open('$T/sum.json'))['requests'])")
python3 - "$pages" "$bytes" "$best" <<'PY'
import sys
p, b, t = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
print(f"replay: {p} responses, {b/1e6:.2f} MB of WARC (gzip) in {t:.3f} s (best of 3, incl. process start, WARC indexing and SQLite writes)")
print(f"        {p/t:.0f} pages/s, {b/1e6/t:.2f} MB/s (compressed)")
PY
if python3 -c "import parsel" 2>/dev/null; then echo "parsel present: peer run not written yet"; else echo "peer (Scrapy/parsel): python3-parsel not installed — not run"; fi
