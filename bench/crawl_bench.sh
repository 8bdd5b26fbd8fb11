#!/usr/bin/env bash
# Crawl benchmark (loopback only): odh crawl vs Scrapy on N virtual hosts x M pages, delay d.
# Usage: bench/crawl_bench.sh [--hosts N] [--pages M] [--delay D] [--no-scrapy]
# Needs build/odh (scripts/build.sh release) and Debian's python3-scrapy (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/crawl_bench.py "$@"
