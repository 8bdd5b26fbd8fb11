#!/usr/bin/env bash
# Copies the real international catalogue files the simulator serves (sim/family_intl.cpp) from
# ../shared/fixtures-real/international/ into data/sim/intl/, verbatim (licences and sources:
# ../shared/fixtures-real/international/PROVENANCE.md, repeated in data/sim/intl/PROVENANCE.md).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="${1:-$here/../shared/fixtures-real/international}"
dst="$here/data/sim/intl"
mkdir -p "$dst"
for f in ckan/demo.ckan.org_package_search_rows3.json ckan/demo.ckan.org_package_show_*.json \
         dcat/dataset_gov_de.rdf dcat/dataset_sweden.rdf dcat/catalog.rdf dcat/dataset.rdf \
         dcat/dataset_gob_es.ttl dcat/catalog_with_at_graph.jsonld \
         project-open-data/gsa-ckanext-datajson_arm.data.json \
         project-open-data/gsa-ckanext-datajson_usda.gov.data.json \
         project-open-data/gsa-ckanext-datajson_ny.data.json \
         socrata/discovery_api_catalog_v1_datasets.json socrata/api_views_metadata_songs.json \
         opendatasoft/ods_api_datasets_1.0_search.json opendatasoft/ods_api_datasets_1.0_inspire.json \
         PROVENANCE.md; do
  for g in "$src"/$f; do
    d="$dst/$(dirname "$f")"
    [ "$(dirname "$f")" = . ] && d="$dst"
    mkdir -p "$d"
    cp "$g" "$d/"
    chmod u+w "$d/$(basename "$g")"
  done
done
echo "copied to $dst"
