#include "metrics/presence.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <string_view>

#include "core/core.h"

namespace odh::metrics::detail {
namespace {
// Dataset columns that are metadata fields in their own right.
const std::set<std::string> kColumns = {
    "title",        "description",   "publisher",      "topic_raw",    "theme",         "issued",
    "modified",     "frequency_raw", "open_condition", "tags",         "views",         "downloads",
    "record_count", "field_count",   "rating",         "rating_count", "comment_count", "url"};
// Fields realised by the dataset's distributions.
const std::set<std::string> kDistribution = {"format", "download_url", "byte_size", "media_type"};

// The MQA checks' canonical fields (quality.cpp reads these bits).
const std::vector<std::string> kMqa = {
    "tags",       "topic_raw",      "theme",   "category",     "spatial",   "temporal",   "licence",
    "license",    "open_condition", "is_open", "contact",      "telephone", "email",      "publisher",
    "department", "rights",         "issued",  "publish_time", "modified",  "update_time"};

bool numeric_only(std::string_view s) {
  static const std::regex re(R"(\s*[0-9]+(\.[0-9]+)?\s*)");
  return std::regex_match(s.begin(), s.end(), re);
}

std::string_view col(sqlite3_stmt* st, int c) {
  auto p = sqlite3_column_text(st, c);
  return p ? std::string_view(reinterpret_cast<const char*>(p), sqlite3_column_bytes(st, c))
           : std::string_view();
}

sqlite3_stmt* prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    throw Failure(std::string("sqlite: ") + sqlite3_errmsg(db) + " in: " + sql.substr(0, 200));
  return st;
}

bool step(sqlite3* db, sqlite3_stmt* st) {
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string m = sqlite3_errmsg(db);
  sqlite3_finalize(st);
  throw Failure("sqlite: " + m);
}

struct Finalize {
  sqlite3_stmt* st;
  ~Finalize() { sqlite3_finalize(st); }
};

// The dataset table scan shared by load_presence and load_snapshot: one row per dataset of the run,
// ordered by portal then pk, with the column-canonical bits set.
void load_rows(sqlite3* db, int run, Presence& p, std::vector<long long>* fetch_ids,
               std::vector<std::optional<double>>* cells, std::vector<std::string>* open_cond) {
  const size_t k = p.canonicals.size();
  std::string sql = "SELECT dataset_pk, portal_id, fetch_id, record_count*field_count, open_condition";
  std::vector<int> colbits;
  for (size_t i = 0; i < k; ++i)
    if (kColumns.count(p.canonicals[i])) {
      auto& c = p.canonicals[i];
      sql += ", (" + c + " IS NOT NULL AND CAST(" + c + " AS TEXT)<>'')";
      colbits.push_back(static_cast<int>(i));
    }
  // A full scan in rowid order beats the (run_id, …) index, which costs one B-tree lookup per row.
  sql += " FROM dataset NOT INDEXED WHERE run_id=?";
  struct Tmp {
    long long pk;
    int portal;
    long long fetch;
    std::optional<double> cells;
    std::string open;
    std::vector<bool> has;
  };
  std::vector<Tmp> tmp;
  std::unordered_map<std::string, int> portal_ix;
  std::vector<std::string> names;
  {
    Stmt s(db, sql);
    s.bind(1, (long long)run);
    while (s.step()) {
      std::string portal = s.text(1);
      auto it = portal_ix.find(portal);
      if (it == portal_ix.end()) {
        it = portal_ix.emplace(portal, static_cast<int>(names.size())).first;
        names.push_back(portal);
      }
      Tmp t{s.i64(0), it->second, s.null(2) ? -1 : s.i64(2),
            s.opt(3), s.text(4),  std::vector<bool>(k, false)};
      for (size_t j = 0; j < colbits.size(); ++j) t.has[colbits[j]] = s.i64(static_cast<int>(5 + j)) != 0;
      tmp.push_back(std::move(t));
    }
  }
  // Order by portal id (byte order, as SQLite's BINARY collation), then pk.
  std::vector<int> rank(names.size());
  {
    std::vector<int> order(names.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return names[a] < names[b]; });
    for (size_t i = 0; i < order.size(); ++i) rank[order[i]] = static_cast<int>(i);
    for (int o : order) p.portals.push_back(names[o]);
  }
  std::sort(tmp.begin(), tmp.end(), [&](const Tmp& a, const Tmp& b) {
    return rank[a.portal] != rank[b.portal] ? rank[a.portal] < rank[b.portal] : a.pk < b.pk;
  });
  p.rows.reserve(tmp.size());
  for (auto& t : tmp) {
    p.rows.push_back(Presence::Row{t.pk, p.portals[rank[t.portal]], rank[t.portal], std::move(t.has)});
    if (fetch_ids) fetch_ids->push_back(t.fetch);
    if (cells) cells->push_back(t.cells);
    if (open_cond) open_cond->push_back(std::move(t.open));
  }
}

// Bits of dataset_field canonicals: anything not distribution-derived (a canonical that is also a
// column, e.g. publisher, counts when either source has it).
std::unordered_map<std::string, int> field_bits(const Presence& p) {
  std::unordered_map<std::string, int> fbits;
  for (size_t i = 0; i < p.canonicals.size(); ++i)
    if (!kDistribution.count(p.canonicals[i])) fbits[p.canonicals[i]] = static_cast<int>(i);
  return fbits;
}

// Distribution-derived bits from the snapshot's distribution rows.
void distribution_bits(Presence& p, const std::vector<Snapshot::Dist>& dists) {
  int f = p.index("format"), u = p.index("download_url"), b = p.index("byte_size"), m = p.index("media_type");
  for (auto& d : dists) {
    auto& has = p.rows[d.row].has;
    if (f >= 0 && d.has_format) has[f] = true;
    if (u >= 0 && !d.url.empty()) has[u] = true;
    if (b >= 0 && d.byte_size) has[b] = true;
    if (m >= 0 && !d.content_type.empty()) has[m] = true;
  }
}

void load_distributions(sqlite3* db, Snapshot& s) {
  std::unordered_map<long long, std::string> content_type;
  {
    // All runs' fetches: a distribution or dataset points at its own run's fetch anyway.
    Stmt f(db, "SELECT fetch_id, content_type, status FROM fetch");
    while (f.step()) {
      if (!f.null(1)) content_type[f.i64(0)] = f.text(1);
      s.fetch_status[f.i64(0)] = f.null(2) ? std::nullopt : std::optional<long long>(f.i64(2));
    }
  }
  // Distributions of other runs are read and dropped: cheaper than a join per row.
  Stmt x(db,
         "SELECT dataset_pk, url, live, format, sniffed_format, byte_size IS NOT NULL, "
         "CASE WHEN rows IS NOT NULL AND columns IS NOT NULL THEN rows*columns END, fetch_id, "
         "coalesce(format, sniffed_format, '')<>'' FROM distribution");
  while (x.step()) {
    auto it = s.row.find(x.i64(0));
    if (it == s.row.end()) continue;
    Snapshot::Dist d;
    d.row = it->second;
    d.url = x.text(1);
    if (!x.null(2)) d.live = x.i64(2);
    d.format = x.text(3);
    d.sniffed = x.text(4);
    d.byte_size = x.i64(5) != 0;
    d.cells = x.opt(6);
    d.has_format = x.i64(8) != 0;
    if (!x.null(7))
      if (auto c = content_type.find(x.i64(7)); c != content_type.end()) d.content_type = c->second;
    s.dists.push_back(std::move(d));
  }
}

bool is_rating(std::string_view c) {
  static const char r[] = "rating";
  if (c.size() < 6) return false;
  for (int i = 0; i < 6; ++i)
    if (std::tolower(static_cast<unsigned char>(c[i])) != r[i]) return false;
  return true;
}

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

std::vector<std::string> snapshot_canonicals(const Reference& ref) {
  std::vector<std::string> v;
  auto add = [&](const std::string& c) {
    if (std::find(v.begin(), v.end(), c) == v.end()) v.push_back(c);
  };
  for (auto& e : ref.elements)
    for (auto& c : e.canonicals) add(c);
  for (auto& [item, cs] : ref.completeness)
    for (auto& c : cs) add(c);
  for (auto& c : kMqa) add(c);
  return v;
}

Presence load_presence(sqlite3* db, int run, const std::vector<std::string>& wanted) {
  Presence p;
  for (auto& c : wanted)
    if (p.index(c) < 0) p.canonicals.push_back(c);
  load_rows(db, run, p, nullptr, nullptr, nullptr);
  std::unordered_map<long long, int> at;
  for (size_t i = 0; i < p.rows.size(); ++i) at[p.rows[i].pk] = static_cast<int>(i);
  Snapshot s;
  s.row = at;
  load_distributions(db, s);
  distribution_bits(p, s.dists);
  auto fbits = field_bits(p);
  Stmt f(db,
         "SELECT dataset_pk, canonical FROM dataset_field WHERE canonical IS NOT NULL AND "
         "coalesce(value,'')<>''");
  while (f.step()) {
    auto b = fbits.find(f.text(1));
    if (b == fbits.end()) continue;
    if (auto it = at.find(f.i64(0)); it != at.end()) p.rows[it->second].has[b->second] = true;
  }
  return p;
}

std::shared_ptr<const Snapshot> load_snapshot(sqlite3* db, int run, const Reference& ref) {
  auto sp = std::make_shared<Snapshot>();
  Snapshot& s = *sp;
  Presence& p = s.presence;
  p.canonicals = snapshot_canonicals(ref);
  load_rows(db, run, p, &s.fetch_id, &s.cells, &s.open_condition);
  s.row.reserve(p.rows.size());
  for (size_t i = 0; i < p.rows.size(); ++i) s.row[p.rows[i].pk] = static_cast<int>(i);
  load_distributions(db, s);
  distribution_bits(p, s.dists);

  // One pass over dataset_field in rowid order, NOT INDEXED: the canonical index would cost a lookup
  // per row. Rows of other runs are dropped in memory.
  auto fbits = field_bits(p);
  // Per distinct (canonical, label): what a row of it contributes (one hash lookup per row).
  struct Kind {
    int bit = -1;               // presence bit, -1 none
    std::vector<char> portals;  // portal_ix → label used there
    bool size = false, licence = false, rating = false;
  };
  std::unordered_map<std::string, Kind> kinds;
  struct Rating {
    int row;
    long long rowid;
    std::string label;
  };
  std::vector<Rating> ratings;
  sqlite3_stmt* st =
      prepare(db, "SELECT rowid, dataset_pk, canonical, label, value FROM dataset_field NOT INDEXED");
  Finalize fin{st};
  std::string key;
  const size_t nportals = p.portals.size();
  while (step(db, st)) {
    if (sqlite3_column_type(st, 2) == SQLITE_NULL) continue;
    auto it = s.row.find(sqlite3_column_int64(st, 1));
    if (it == s.row.end()) continue;
    const int r = it->second;
    std::string_view c = col(st, 2), label = col(st, 3), value = col(st, 4);
    key.assign(c);
    key += '\x1f';
    key.append(label);
    auto k = kinds.find(key);
    if (k == kinds.end()) {
      Kind n;
      std::string canon(c);
      if (auto b = fbits.find(canon); b != fbits.end()) n.bit = b->second;
      n.portals.assign(nportals, 0);
      n.size = canon == "byte_size" || canon == "size" || canon == "data_size";
      n.licence = canon == "licence" || canon == "license";
      n.rating = is_rating(c);
      k = kinds.emplace(key, std::move(n)).first;
    }
    Kind& kd = k->second;
    const auto& row = p.rows[r];
    const bool has_value = !value.empty();
    if (has_value && kd.bit >= 0) p.rows[r].has[kd.bit] = true;
    kd.portals[row.portal_ix] = 1;
    if (has_value && kd.size) {
      auto& sv = s.size_values[row.portal];
      sv.first += numeric_only(value) ? 1 : 0;
      sv.second++;
    }
    if (kd.licence) {
      s.licence_value[row.pk] = std::string(value);
      if (has_value) s.licensed.insert(row.pk);
    }
    if (kd.rating) ratings.push_back({r, sqlite3_column_int64(st, 0), std::string(label)});
  }
  for (auto& [k, kd] : kinds) {
    auto sep = k.find('\x1f');
    auto& set = s.labels[k.substr(0, sep)][k.substr(sep + 1)];
    for (size_t i = 0; i < nportals; ++i)
      if (kd.portals[i]) set.insert(p.portals[i]);
  }
  // Rating labels per portal, first occurrence in (portal, dataset, field) order.
  std::sort(ratings.begin(), ratings.end(), [](const Rating& a, const Rating& b) {
    return a.row != b.row ? a.row < b.row : a.rowid < b.rowid;
  });
  std::map<std::string, std::vector<std::string>> seen;
  for (auto& x : ratings) {
    auto& v = seen[p.rows[x.row].portal];
    if (std::find(v.begin(), v.end(), x.label) == v.end()) v.push_back(x.label);
  }
  for (auto& [portal, v] : seen) {
    std::string joined;
    for (auto& l : v) joined += (joined.empty() ? "" : ",") + l;
    s.rating_labels[portal] = {joined, static_cast<long long>(v.size())};
  }
  return sp;
}

}  // namespace odh::metrics::detail
