#include "metrics/presence.h"

#include <algorithm>
#include <set>

namespace odh::metrics::detail {
namespace {
// Dataset columns that are metadata fields in their own right.
const std::set<std::string> kColumns = {
    "title",        "description",   "publisher",      "topic_raw",    "theme",         "issued",
    "modified",     "frequency_raw", "open_condition", "tags",         "views",         "downloads",
    "record_count", "field_count",   "rating",         "rating_count", "comment_count", "url"};
// Fields realised by the dataset's distributions.
const std::map<std::string, std::string> kDistribution = {
    {"format", "coalesce(x.format, x.sniffed_format, '')<>''"},
    {"download_url", "coalesce(x.url,'')<>''"},
    {"byte_size", "x.byte_size IS NOT NULL"},
    {"media_type", "coalesce(f.content_type,'')<>''"},
};
}  // namespace

int Presence::index(const std::string& c) const {
  auto it = std::find(canonicals.begin(), canonicals.end(), c);
  return it == canonicals.end() ? -1 : static_cast<int>(it - canonicals.begin());
}

std::vector<int> Presence::indices(const std::vector<std::string>& cs) const {
  std::vector<int> v;
  for (auto& c : cs)
    if (int i = index(c); i >= 0) v.push_back(i);
  return v;
}

Presence load_presence(sqlite3* db, int run, const std::vector<std::string>& wanted) {
  Presence p;
  for (auto& c : wanted)
    if (p.index(c) < 0) p.canonicals.push_back(c);
  const size_t k = p.canonicals.size();
  std::unordered_map<long long, size_t> at;

  std::string sql = "SELECT dataset_pk, portal_id";
  std::vector<int> colbits;
  for (size_t i = 0; i < k; ++i)
    if (kColumns.count(p.canonicals[i])) {
      auto& c = p.canonicals[i];
      sql += ", (" + c + " IS NOT NULL AND CAST(" + c + " AS TEXT)<>'')";
      colbits.push_back(static_cast<int>(i));
    }
  sql += " FROM dataset WHERE run_id=? ORDER BY portal_id, dataset_pk";
  {
    Stmt s(db, sql);
    s.bind(1, (long long)run);
    while (s.step()) {
      Presence::Row r{s.i64(0), s.text(1), 0, std::vector<bool>(k, false)};
      if (p.portals.empty() || p.portals.back() != r.portal) p.portals.push_back(r.portal);
      r.portal_ix = static_cast<int>(p.portals.size()) - 1;
      for (size_t j = 0; j < colbits.size(); ++j) r.has[colbits[j]] = s.i64(static_cast<int>(2 + j)) != 0;
      at[r.pk] = p.rows.size();
      p.rows.push_back(std::move(r));
    }
  }
  // Distribution-derived fields.
  std::string dsql = "SELECT x.dataset_pk";
  std::vector<int> dbits;
  for (size_t i = 0; i < k; ++i)
    if (auto it = kDistribution.find(p.canonicals[i]); it != kDistribution.end()) {
      dsql += ", max(" + it->second + ")";
      dbits.push_back(static_cast<int>(i));
    }
  if (!dbits.empty()) {
    // Sequential scans filtered by the run's datasets in memory: far cheaper than per-row joins.
    dsql += " FROM distribution x LEFT JOIN fetch f ON f.fetch_id=x.fetch_id GROUP BY x.dataset_pk";
    Stmt s(db, dsql);
    while (s.step()) {
      auto it = at.find(s.i64(0));
      if (it == at.end()) continue;
      for (size_t j = 0; j < dbits.size(); ++j)
        if (s.i64(static_cast<int>(1 + j))) p.rows[it->second].has[dbits[j]] = true;
    }
  }
  // dataset_field canonicals (anything not a column nor distribution-derived).
  std::map<std::string, int> fbits;
  for (size_t i = 0; i < k; ++i)
    if (!kColumns.count(p.canonicals[i]) && !kDistribution.count(p.canonicals[i]))
      fbits[p.canonicals[i]] = static_cast<int>(i);
  // A canonical that is also a column (e.g. publisher) counts when either source has it.
  for (size_t i = 0; i < k; ++i)
    if (kColumns.count(p.canonicals[i])) fbits[p.canonicals[i]] = static_cast<int>(i);
  if (!fbits.empty()) {
    Stmt s(
        db,
        "SELECT f.dataset_pk, f.canonical FROM dataset_field f JOIN dataset d ON d.dataset_pk=f.dataset_pk "
        "WHERE d.run_id=? AND f.canonical IS NOT NULL AND coalesce(f.value,'')<>''");
    s.bind(1, (long long)run);
    while (s.step()) {
      auto b = fbits.find(s.text(1));
      if (b == fbits.end()) continue;
      auto it = at.find(s.i64(0));
      if (it != at.end()) p.rows[it->second].has[b->second] = true;
    }
  }
  return p;
}

}  // namespace odh::metrics::detail
