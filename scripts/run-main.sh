#!/usr/bin/env bash
# The README's main command: set up, build, then run the main job.
#   scripts/run-main.sh [--simulate] [extra odh run options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
./build/odh sites check --sites sites.yaml
./build/odh sites stats --sites sites.yaml
