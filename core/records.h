// core/records.h — the records a harvest produces: what the parsers extract from a portal's pages
// and the store keeps, one struct per kind. Plain values, no behaviour; every stage passes them on.
// Provenance: fetch_id is the row of the store's `fetch` table of the page the record came from.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace odh {

// One label/value pair as published; canonical empty = unknown label (kept raw).
struct FieldRow {
  std::string label, value, canonical;
};

struct DistributionRow {
  std::string format_raw, format, url;
  std::optional<std::int64_t> byte_size;
};

// What probing one distribution URL found (harvest's file stage; store columns of migration 005).
// Written onto every distribution of the portal's run with that URL.
struct FileCheck {
  std::optional<std::int64_t> live;  // 1 the file is there, 0 it is not, nullopt not checked
  std::string link_class;            // ok | not-found | server-error | timeout | unreachable | login-wall
                                     // | approval-required | challenge | wrong-content | client-error
  std::string link_evidence;         // status, redirect target or the phrase that decided the class
  std::string sniffed_format, mime;  // by content (parsers' inspect_file); "" when no bytes were read
  std::optional<std::int64_t> machine_readable, stars, format_matches, rows, columns, rows_lower_bound;
  std::string encoding;
  std::int64_t fetch_id = -1;  // the probe's fetch row (the last one when a HEAD was followed by a GET)
};

// One dataset with everything the parsers know about it. Empty strings are stored as NULL.
struct DatasetRow {
  std::string portal_id, source_id, url, title, description, publisher, topic_raw, theme;
  std::string issued, modified;  // YYYY-MM-DD
  std::string frequency_raw, frequency, open_condition;
  std::vector<std::string> tags;  // stored joined with ';'
  std::optional<std::int64_t> views, downloads, record_count, field_count, rating_count, comment_count;
  std::optional<double> rating;
  std::optional<std::int64_t> fetch_id;
  int depth = -1;  // -1 unknown
  // Incremental runs: the update time (or hash) the catalogue list showed for this entry (family spec
  // `list: updated:`), and the earlier run's dataset_pk when the row was carried forward unchanged.
  std::string list_stamp;
  std::optional<std::int64_t> carried_from;
  std::vector<FieldRow> fields;
  std::vector<DistributionRow> distributions;
};

struct ApiRow {
  std::string portal_id, source_id, title, publisher, url;
  std::optional<std::int64_t> dataset_pk, fetch_id;
};

struct AppRow {
  std::string portal_id, title, app_kind, developer, url;
  std::vector<std::string> dataset_titles;  // datasets the app says it uses
  std::optional<std::int64_t> fetch_id;
};

// The words of a terms verdict (table `terms`, column verdict): one vocabulary for the parsers that write
// them and the metrics that read them. Per aspect of report §5.2.3, from least to most restrictive:
//   not stated 未提及; granted 保障 / 不限时免费 / 可自由传播; limited 受限 / 现阶段免费; denied 禁止 (收费
//   is still ranked 3 for stores written before the terms rules kept to the report's vocabulary).
// The rank is that order (0 … 3); -1 for a word outside the vocabulary. Several terms pages of one
// portal merge to the highest rank.
int verdict_rank(std::string_view verdict);

}  // namespace odh
