#!/usr/bin/env bash
# The README's main command: set up, build, then run the main job
# (harvest -> metrics -> report) with `odh run`.
#   scripts/run-main.sh [--simulate] [--out DIR] [other `odh run` options]
# Without --simulate it harvests the real portals of sites.yaml (needs the internet).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ODH_TARGETS=odh bash scripts/build.sh release  # the binary only: the main job needs no test executables
./build/odh sites check --sites sites.yaml
exec ./build/odh run --sites sites.yaml "$@"
