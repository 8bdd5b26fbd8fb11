#!/usr/bin/env bash
# Configure and build odh. Usage: scripts/build.sh [release|asan]...  (default: release)
# release -> build/, asan -> build-asan/ (AddressSanitizer + UBSan).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${ODH_JOBS:-$(nproc)}
for flavour in "${@:-release}"; do
  case "$flavour" in
    release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
    asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DODH_SANITIZE=ON) ;;
    *) echo "build.sh: unknown flavour '$flavour' (release|asan)" >&2; exit 2 ;;
  esac
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
  fi
  cmake --build "$dir" -j "$jobs"
done
