#!/usr/bin/env bash
# Configure and build odh. Usage: scripts/build.sh [release|asan]...  (default: release)
# release -> build/, asan -> build-asan/ (AddressSanitizer + UBSan).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${ODH_JOBS:-$(nproc)}
for flavour in "${@:-release}"; do
  case "$flavour" in
    release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
    # -O1 -g1 (line tables) with assertions on: what sanitizers recommend, and half the compile time
    # of RelWithDebInfo's -O2 -g, which dominated CI.
    asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
                                 "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1" -DODH_SANITIZE=ON) ;;
    *) echo "build.sh: unknown flavour '$flavour' (release|asan)" >&2; exit 2 ;;
  esac
  # Configure every time (cheap when nothing changed) so a changed flavour flag reaches old build dirs.
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
  cmake --build "$dir" -j "$jobs"
done
