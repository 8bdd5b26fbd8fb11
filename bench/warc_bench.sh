#!/usr/bin/env bash
# WARC throughput: odh's writer/reader vs webrecorder warcio.js (read). Results: bench/RESULTS.md.
# Usage: bash bench/warc_bench.sh [CAPTURES]   (needs build/ from scripts/build.sh release)
# Level 0 = plain .warc (digests + copies + write only), 1 = fastest gzip, 6 = the default.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
out=build/bench-warc
mkdir -p "$out"
c++ -std=c++20 -O2 -I. bench/warc_bench.cpp build/libodh_warc.a build/libodh_web.a build/libodh_core.a \
  -lcrypto -lz -lsqlite3 -o "$out/warc_bench"
for level in 0 1 6; do
  echo "--- gzip level $level"
  "$out/warc_bench" "$out/data$level" "$n" 100 "$level"
done
for d in data6 data0; do
  mb=$(du -b "$out/$d" | cut -f1)
  for mode in "" "--digest"; do
    res=$(node bench/warcio_read.mjs $mode "$out/$d"/*.warc*)
    echo "warcio.js read $d ${mode:-(no digest)}: $res (on-disk $mb bytes)"
  done
done
