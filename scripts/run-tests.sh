#!/usr/bin/env bash
# The README's test command: set up, build Release and ASan+UBSan, run every test under both.
# --long: the long variants too (100 kill/resume cycles instead of 20; see docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--long" ]; then export ODH_TEST_LONG=1; fi
bash scripts/setup.sh
bash scripts/build.sh release asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for dir in build build-asan; do
  echo "== ctest in $dir"
  ctest --test-dir "$dir" --output-on-failure -j 2 || status=1
done
exit $status
