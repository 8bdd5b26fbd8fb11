#!/usr/bin/env bash
# Build and run a libFuzzer target for the crawler's untrusted-input parsers with clang,
# ASan and UBSan. Usage: scripts/fuzz.sh robots|url|charset [seconds]   (default 60)
# Corpus and crashes go to build-fuzz/<target>/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh robots|url|charset [seconds]}
secs=${2:-60}
out=build-fuzz/$target
mkdir -p "$out/corpus"
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -I. \
  "tests/fuzz/libfuzzer/$target.cc" tests/fuzz/crawler_fuzz_targets.cpp \
  crawler/robots.cpp web/url.cpp web/charset.cpp \
  $(pkg-config --cflags --libs icu-uc icu-i18n) -o "$out/fuzz_$target"
"$out/fuzz_$target" -max_total_time="$secs" -max_len=65536 "$out/corpus"
