#!/usr/bin/env bash
# WARC throughput: odh's writer/reader vs webrecorder warcio.js (read). Results: bench/RESULTS.md.
# Usage: bash bench/warc_bench.sh [CAPTURES]   (needs build/ from scripts/build.sh release)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
out=build/bench-warc
mkdir -p "$out"
c++ -std=c++20 -O2 -I. bench/warc_bench.cpp build/libodh_crawler.a build/libodh_core.a \
  -lcrypto -lz -o "$out/warc_bench"
"$out/warc_bench" "$out/data" "$n"
mb=$(python3 -c "import os,sys; d=sys.argv[1]; print(sum(os.path.getsize(os.path.join(d,f)) for f in os.listdir(d))/1e6)" "$out/data")
for mode in "" "--digest"; do
  res=$(node bench/warcio_read.mjs $mode "$out"/data/*.warc.gz)
  echo "warcio.js read ${mode:-(no digest)}: $res (on-disk ${mb} MB)"
done
