#!/usr/bin/env bash
# Harvest the simulator with the family spiders (`odh parse --live`) and keep the WARC files under
# tests/snapshots/ (committed; replayed by `odh regress`, whose golden files G.golden this script
# rewrites: header = sites file, sites and harvest time, body = `odh regress --update`).
#   cn/   one portal per Chinese family (JSON and HTML ones), embedded CMS columns in UTF-8, GBK,
#         GBK mislabelled and GBK unlabelled, the open-data-web gate with expiring sessions, and
#         faults (429 + Retry-After, 503, truncated and malformed pages) — sites.yaml, scale 0.01
#   intl/ every portal of data/sites-international.yaml (CKAN, DCAT, data.json, Socrata, ODS)
# Usage: tools/make_snapshots.sh [BUILD_DIR] [GROUPS]   (needs BUILD_DIR/odh; seed 2021; GROUPS "cn intl"
# by default, or one of them: the other group's WARCs and golden file are kept)
set -euo pipefail
cd "$(dirname "$0")/.."
odh=${1:-build}/odh
groups=${2:-cn intl}
out=tests/snapshots
work=$(mktemp -d)
simpid=""
trap '[ -n "$simpid" ] && kill "$simpid" 2>/dev/null; rm -rf "$work"' EXIT
seed=2021 scale=0.01

# Runs `odh sim` for registry $1 (fault file $2, may be "") and `odh parse --live` of sites $3 into
# $work/$4; leaves $work/$4.json (summary) and $work/$4.sqlite.
harvest() {
  local sites=$1 faults=$2 ids=$3 name=$4
  local fargs=()
  [ -n "$faults" ] && fargs=(--faults "$faults")
  rm -f "$work/port.txt"
  "$odh" sim --sites "$sites" --scale $scale --seed $seed "${fargs[@]}" --connect-map "$work/$name.map" \
    --tls-ca "$work/$name.pem" --log "$work/$name.requests.jsonl" > "$work/port.txt" &
  simpid=$!
  for _ in $(seq 100); do [ -s "$work/port.txt" ] && break; sleep 0.2; done
  local args=()
  while read -r l; do args+=(--connect-to "$l"); done < "$work/$name.map"
  local site_args=()
  for id in ${ids//,/ }; do site_args+=(--site "$id"); done
  "$odh" parse --live "$work/$name" --db "$work/$name.sqlite" --sites "$sites" "${site_args[@]}" \
    --delay 0.02 --max-pages 40 --offline --ca-file "$work/$name.pem" --json "${args[@]}" > "$work/$name.json"
  kill "$simpid"
  wait "$simpid" 2>/dev/null || true
  simpid=""
}

# ---- Chinese families ---------------------------------------------------------------------------
if [[ " $groups " == *" cn "* ]]; then
"$odh" sim --sites sites.yaml --scale $scale --seed $seed --plan --json > "$work/plan.json"
python3 - "$work/plan.json" "$work" <<'PY'
import json, sys
plan, work = json.load(open(sys.argv[1])), sys.argv[2]
best, cms = {}, {}
for p in plan["portals"]:
    if p["reach"] != "ok" or p["datasets"] == 0 or p["id"].startswith("appendix3-row"):
        continue
    if p["family"] == "embedded-cms":  # one column per charset variant
        key = (p["datasets"], p["id"])
        if p["charset"] not in cms or key < cms[p["charset"]][0]:
            cms[p["charset"]] = (key, p)
        continue
    key = (not p["appendix3"], p["datasets"], p["id"])
    if p["family"] not in best or key < best[p["family"]][0]:
        best[p["family"]] = (key, p)
chosen = [v[1] for _, v in sorted(best.items())] + [v[1] for _, v in sorted(cms.items())]
hosts = {p["family"] if p["family"] != "embedded-cms" else p["charset"]: p["host"] for p in chosen}
# Faults on a few hosts (docs/simulator.md): throttling and server errors on list pages, a
# truncated first try and malformed HTML on an embedded column, sessions of 4 answers on the gate.
f = ["hosts:"]
if "oportal" in hosts:
    f += [f"  {hosts['oportal']}:", "    rules:",
          "      - {path: /, fault: \"429\", first: 1, retry_after: 1}",
          "      - {path: /, fault: \"503\", every: 9, retry_after: 1}"]
if "UTF-8" in hosts:
    f += [f"  {hosts['UTF-8']}:", "    rules:",
          "      - {path: /, fault: truncate, first: 1}",
          "      - {path: /, fault: malformed}"]
if "open-data-web" in hosts:
    f += [f"  {hosts['open-data-web']}:", "    session_requests: 4"]
open(f"{work}/faults.yaml", "w").write("\n".join(f) + "\n")
open(f"{work}/cn.ids", "w").write(",".join(p["id"] for p in chosen))
PY
cn_ids=$(cat "$work/cn.ids")
echo "cn portals: $cn_ids"
harvest sites.yaml "$work/faults.yaml" "$cn_ids" cn
fi

# ---- International families --------------------------------------------------------------------
intl_ids=$(python3 -c "
import yaml; print(','.join(s['id'] for s in yaml.safe_load(open('data/sites-international.yaml'))['sites']))")
echo "intl portals: $intl_ids"
[[ " $groups " == *" intl "* ]] && harvest data/sites-international.yaml "" "$intl_ids" intl

# ---- Keep the WARCs and the measured numbers -----------------------------------------------------
rm -f "$out"/*.warc.gz
for g in $groups; do
  rm -rf "${out:?}/$g"
  mkdir -p "$out/$g"
  cp "$work"/$g/warc/*.warc.gz "$out/$g/"
done
[[ " $groups " == *" cn "* ]] && cp "$work/faults.yaml" "$out/cn-faults.yaml"
# Golden files: the header names what was harvested and when; odh regress --update writes the body.
golden_header() {  # group sites_file ids
  local f="$out/$1.golden" w
  w=$(ls "$out/$1"/*.warc.gz | head -1 | sed -E 's/.*-([0-9]{14})-[0-9]+\.warc\.gz/\1/')
  {
    echo "# odh regress golden file: the snapshot $1/ replayed (docs/regress.md). Header: the sites it harvested"
    echo "# and the day it was harvested (indicators relative to the run date). Body: kind, portal or scope,"
    echo "# record key, field, value (tab-separated, \\\\ \\t \\n escaped), written by odh regress --update."
    printf 'sites_file\t%s\n' "$2"
    printf 'sites\t%s\n' "${3//,/$'\t'}"
    printf 'run_date\t%s-%s-%sT%s:%s:%sZ\n' "${w:0:4}" "${w:4:2}" "${w:6:2}" "${w:8:2}" "${w:10:2}" "${w:12:2}"
    echo "---"
  } > "$f"
  "$odh" regress --dir "$out" --group "$1" --update
}
[[ " $groups " == *" cn "* ]] && golden_header cn sites.yaml "$cn_ids"
[[ " $groups " == *" intl "* ]] && golden_header intl data/sites-international.yaml "$intl_ids"
du -sh "$out"
