#!/usr/bin/env bash
# The README's test command: set up; build the Release binary (gcc -O3: what the main job runs) and the
# ASan+UBSan build of everything (clang: with the libFuzzer targets); run every test under ASan+UBSan.
#   --release  also build the Release tests and run every test against the Release build
#   --long     the long variants too (100 kill/resume cycles instead of 20; see docs/reliability.md)
# CI (.ci/run) runs it without options: compiling the test files twice cost ~4 of its 25 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
release_tests=0
for a in "$@"; do
  case "$a" in
    --long) export ODH_TEST_LONG=1 ;;
    --release) release_tests=1 ;;
    *) echo "run-tests.sh: unknown option '$a' (--release, --long)" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh
if [ $release_tests = 1 ]; then bash scripts/build.sh release; else ODH_TARGETS=odh bash scripts/build.sh release; fi
bash scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
dirs=(build-asan)
[ $release_tests = 1 ] && dirs+=(build)
for dir in "${dirs[@]}"; do
  echo "== ctest in $dir"
  ctest --test-dir "$dir" --output-on-failure -j 2 || status=1
done
exit $status
