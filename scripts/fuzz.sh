#!/usr/bin/env bash
# Runs the libFuzzer targets longer than ctest does (ctest fuzz-<target>: ODH_FUZZ_SECONDS each, in the
# clang ASan+UBSan build). Usage: scripts/fuzz.sh [seconds] [target...]   (default 600 s, every target)
# Targets: robots url charset html json rdf warc http decoding spec registry terms engine files.
# Corpus: build-asan/fuzz/corpus/<target>/ (grows, not committed); crashes: build-asan/fuzz/artifacts/.
# A crash becomes a regression: fix it, then copy the artifact to tests/fuzz/regressions/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(robots url charset html json rdf warc http decoding spec registry terms engine files)
bash scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in "${targets[@]}"; do
  echo "== fuzz $t for ${secs}s"
  sh "build-asan/fuzz/$t.sh" -max_total_time="$secs" || status=1
done
exit $status
