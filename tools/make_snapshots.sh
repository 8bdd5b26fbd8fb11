#!/usr/bin/env bash
# Crawl the simulator and keep small WARC snapshots under tests/snapshots/ (committed; replayed by
# regression tests). One reachable http portal per family, scale 0.01, seed 2021.
# Usage: tools/make_snapshots.sh [BUILD_DIR]   (needs `odh sim` and `odh crawl` in BUILD_DIR/odh)
set -euo pipefail
cd "$(dirname "$0")/.."
odh=${1:-build}/odh
out=tests/snapshots
work=$(mktemp -d)
trap 'kill "$simpid" 2>/dev/null || true; rm -rf "$work"' EXIT
seed=2021 scale=0.01

# Pick one portal per family: reachable, plain http, with datasets, appendix-3 first.
"$odh" sim --sites sites.yaml --scale $scale --seed $seed --plan --json > "$work/plan.json"
ids=$(python3 - "$work/plan.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
best = {}
for p in plan["portals"]:
    if p["reach"] != "ok" or p["datasets"] == 0 or p["id"].startswith("appendix3-row"):
        continue
    key = (not p["appendix3"], p["datasets"])
    if p["family"] not in best or key < best[p["family"]][0]:
        best[p["family"]] = (key, p["id"])
print(",".join(v[1] for _, v in sorted(best.items())))
PY
)
echo "portals: $ids"
"$odh" sim --sites sites.yaml --scale $scale --seed $seed --connect-map "$work/map.txt" \
  --log "$work/requests.jsonl" > "$work/port.txt" &
simpid=$!
for _ in $(seq 50); do [ -s "$work/port.txt" ] && break; sleep 0.2; done
args=()
while read -r l; do args+=(--connect-to "$l"); done < "$work/map.txt"
"$odh" crawl --sites sites.yaml --only "$ids" --out "$work/crawl" --max-pages 40 --max-depth 3 \
  --delay 0.2 --quiet "${args[@]}"
rm -rf "$out" && mkdir -p "$out"
cp "$work"/crawl/warc/*.warc.gz "$out"/
cat > "$out/README.md" <<MD
# Simulator snapshots

WARC files written by \`tools/make_snapshots.sh\`: \`odh crawl\` (max 40 pages, depth 3) of one
portal per family served by \`odh sim --scale $scale --seed $seed\`. Portals: $ids.
Regenerate after a simulator or crawler change and explain changed numbers in the commit.
MD
du -sh "$out"
