#include "metrics/presence.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
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

// \s*[0-9]+(\.[0-9]+)?\s* (std::regex's \s in the "C" locale), without a regex per field row.
bool numeric_only(std::string_view s) {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0, n = s.size();
  while (i < n && space(s[i])) ++i;
  size_t d = i;
  while (i < n && digit(s[i])) ++i;
  if (i == d) return false;
  if (i < n && s[i] == '.') {
    size_t f = ++i;
    while (i < n && digit(s[i])) ++i;
    if (i == f) return false;
  }
  while (i < n && space(s[i])) ++i;
  return i == n;
}

// The dataset table scan shared by load_presence and load_snapshot: one row per dataset of the run,
// ordered by portal then pk, with the column-canonical bits set.
void load_rows(StoreReader& db, int run, Presence& p, std::vector<long long>* fetch_ids,
               std::vector<std::optional<double>>* cells, std::vector<std::string>* open_cond) {
  const size_t k = p.canonicals.size();
  p.words = std::max<size_t>(1, (k + 63) / 64);
  const size_t words = p.words;
  std::vector<std::string> columns;
  std::vector<int> colbits;
  for (size_t i = 0; i < k; ++i)
    if (kColumns.count(p.canonicals[i])) {
      // Raw column: "filled" is tested below (NOT NULL and CAST(c AS TEXT) <> '').
      columns.push_back(p.canonicals[i]);
      colbits.push_back(static_cast<int>(i));
    }
  struct Tmp {
    long long pk;
    int portal;
    long long fetch;
    std::optional<double> cells;
    std::string open;
  };
  std::vector<Tmp> tmp;
  std::vector<std::uint64_t> tbits;
  tmp.reserve(db.rowid_span(StoreReader::Table::kDataset));
  tbits.reserve(tmp.capacity() * words);
  // Looked up by the column's string_view (no std::string per row).
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
  };
  std::unordered_map<std::string, int, Hash, std::equal_to<>> portal_ix;
  std::vector<std::string> names;
  {
    // dataset_pk, portal_id, fetch_id, record_count*field_count, open_condition, then the columns.
    std::string_view last;
    int last_ix = -1;
    db.dataset_columns(run, columns, [&](const sql::Row& st) {
      std::string_view portal = st.view(1);
      if (last_ix < 0 || portal != last) {
        auto it = portal_ix.find(portal);
        if (it == portal_ix.end()) {
          it = portal_ix.emplace(std::string(portal), static_cast<int>(names.size())).first;
          names.emplace_back(portal);
        }
        last_ix = it->second;
        last = names[last_ix];
      }
      Tmp t{st.i64(0), last_ix, st.is_null(2) ? -1 : st.i64(2), std::nullopt, std::string(st.view(4))};
      if (!st.is_null(3)) t.cells = st.f64(3);
      tbits.resize(tbits.size() + words, 0);
      std::uint64_t* b = &tbits[tbits.size() - words];
      for (size_t j = 0; j < colbits.size(); ++j)
        if (st.filled(static_cast<int>(5 + j))) b[colbits[j] / 64] |= std::uint64_t(1) << (colbits[j] % 64);
      tmp.push_back(std::move(t));
    });
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
  // dataset_pk is the rowid, so the scan yields each portal's datasets in pk order already: a stable
  // counting sort by portal rank gives (portal, pk) order in linear time.
  std::vector<int> order(tmp.size());
  {
    std::vector<size_t> start(names.size() + 1, 0);
    for (auto& t : tmp) start[rank[t.portal] + 1]++;
    for (size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
    bool sorted = true;
    for (size_t i = 0; i < tmp.size(); ++i) {
      order[start[rank[tmp[i].portal]]++] = static_cast<int>(i);
      sorted = sorted && (i == 0 || tmp[i - 1].pk < tmp[i].pk);
    }
    if (!sorted)  // not expected (rowid order), but keep the (portal, pk) contract regardless
      std::sort(order.begin(), order.end(), [&](int a, int b) {
        const Tmp &x = tmp[a], &y = tmp[b];
        return rank[x.portal] != rank[y.portal] ? rank[x.portal] < rank[y.portal] : x.pk < y.pk;
      });
  }
  p.rows.reserve(tmp.size());
  p.bits.assign(tmp.size() * words, 0);
  if (fetch_ids) fetch_ids->reserve(tmp.size());
  if (cells) cells->reserve(tmp.size());
  if (open_cond) open_cond->reserve(tmp.size());
  for (size_t i = 0; i < order.size(); ++i) {
    Tmp& t = tmp[order[i]];
    const int r = rank[t.portal];
    p.rows.push_back(Presence::Row{t.pk, p.portals[r], r});
    std::copy_n(&tbits[order[i] * words], words, &p.bits[i * words]);
    if (fetch_ids) fetch_ids->push_back(t.fetch);
    if (cells) cells->push_back(t.cells);
    if (open_cond) open_cond->push_back(std::move(t.open));
  }
}

// pk → presence row: a dense vector when the run's pks are dense (the usual case), else a hash map.
void index_rows(Snapshot& s) {
  const auto& rows = s.presence.rows;
  s.dense.clear();
  s.sparse.clear();
  if (rows.empty()) return;
  long long lo = rows[0].pk, hi = rows[0].pk;
  for (auto& r : rows) lo = std::min(lo, r.pk), hi = std::max(hi, r.pk);
  if (hi - lo < 4 * static_cast<long long>(rows.size()) + 1024) {
    s.dense_base = lo;
    s.dense.assign(static_cast<size_t>(hi - lo + 1), -1);
    for (size_t i = 0; i < rows.size(); ++i) s.dense[rows[i].pk - lo] = static_cast<int>(i);
  } else {
    s.sparse.reserve(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) s.sparse[rows[i].pk] = static_cast<int>(i);
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
    if (f >= 0 && d.has_format) p.set(d.row, f);
    if (u >= 0 && d.url) p.set(d.row, u);
    if (b >= 0 && d.byte_size) p.set(d.row, b);
    if (m >= 0 && !d.content_type.empty()) p.set(d.row, m);
  }
}

void load_distributions(StoreReader& db, Snapshot& s) {
  std::unordered_map<long long, std::string> content_type;
  // All runs' fetches: a distribution or dataset points at its own run's fetch anyway.
  db.fetch_status([&](const sql::Row& f) {
    if (!f.is_null(1)) content_type[f.i64(0)] = f.text(1);
    s.fetch_status[f.i64(0)] = f.is_null(2) ? std::nullopt : std::optional<long long>(f.i64(2));
  });
  // Distributions of other runs are read and dropped: cheaper than a join per row.
  s.dists.reserve(db.rowid_span(StoreReader::Table::kDistribution));
  db.distributions([&](const sql::Row& x) {
    const int r = s.row_of(x.i64(0));
    if (r < 0) return;
    Snapshot::Dist d;
    d.row = r;
    std::string_view url = x.view(1);
    d.url = !url.empty();
    d.url_http = url.starts_with("http://") || url.starts_with("https://");
    if (!x.is_null(2)) d.live = x.i64(2);
    d.format = x.view(3);
    d.sniffed = x.view(4);
    d.byte_size = x.i64(5) != 0;
    if (!x.is_null(6)) d.cells = x.f64(6);
    d.has_format = x.i64(8) != 0;
    d.cells_lower_bound = x.i64(9) != 0;
    d.link_class = x.view(10);
    if (!content_type.empty() && !x.is_null(7))
      if (auto c = content_type.find(x.i64(7)); c != content_type.end()) d.content_type = c->second;
    s.dists.push_back(std::move(d));
  });
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

std::vector<std::uint64_t> Presence::mask(const std::vector<int>& idx) const {
  std::vector<std::uint64_t> m(words, 0);
  for (int i : idx) m[i / 64] |= std::uint64_t(1) << (i % 64);
  return m;
}

Presence load_presence(StoreReader& db, int run, const std::vector<std::string>& wanted) {
  Snapshot s;
  Presence& p = s.presence;
  for (auto& c : wanted)
    if (p.index(c) < 0) p.canonicals.push_back(c);
  load_rows(db, run, p, nullptr, nullptr, nullptr);
  index_rows(s);
  load_distributions(db, s);
  distribution_bits(p, s.dists);
  auto fbits = field_bits(p);
  db.field_canonicals([&](const sql::Row& f) {
    auto b = fbits.find(f.text(1));
    if (b == fbits.end()) return;
    if (int r = s.row_of(f.i64(0)); r >= 0) p.set(r, b->second);
  });
  return std::move(s.presence);
}

// One rowid range of the dataset_field scan. Per distinct (canonical, label): what a row of it
// contributes (one hash lookup per row).
struct FieldPart {
  struct Kind {
    int bit = -1;               // presence bit, -1 none
    std::vector<char> portals;  // portal_ix → label used there
    bool size = false, licence = false, rating = false;
  };
  struct Rating {
    int row;
    long long rowid;
    std::string label;
  };
  std::unordered_map<std::string, Kind> kinds;
  std::vector<std::pair<double, long long>> size;           // portal_ix → (bare numbers, size values)
  std::vector<std::pair<long long, std::string>> licences;  // (pk, value), rowid order
  std::vector<long long> licensed;                          // pk with a non-empty licence value
  std::vector<Rating> ratings;
};
void FieldPartDeleter::operator()(FieldPart* p) const { delete p; }

void load_snapshot_rows(StoreReader& db, int run, const Reference& ref, Snapshot& s) {
  // ODH_METRICS_TIMING: thread CPU of each step (diagnostics for bench/metrics_bench.sh).
  const bool timing = std::getenv("ODH_METRICS_TIMING") != nullptr;
  timespec t{};
  auto lap = [&](const char* what) {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    if (timing && what)
      std::fprintf(stderr, "metrics:   rows.%-12s %7.3f s cpu\n", what,
                   (now.tv_sec - t.tv_sec) + (now.tv_nsec - t.tv_nsec) / 1e9);
    t = now;
  };
  lap(nullptr);
  Presence& p = s.presence;
  p.canonicals = snapshot_canonicals(ref);
  load_rows(db, run, p, &s.fetch_id, &s.cells, &s.open_condition);
  lap("datasets");
  index_rows(s);
  lap("index");
  load_distributions(db, s);
  lap("dists");
  distribution_bits(p, s.dists);
  lap("bits");
}

FieldPartPtr load_snapshot_fields(StoreReader& db, Snapshot& s, long long lo, long long hi) {
  FieldPartPtr part(new FieldPart);
  FieldPart& fp = *part;
  Presence& p = s.presence;
  const size_t nportals = p.portals.size();
  fp.size.assign(nportals, {0.0, 0});
  auto fbits = field_bits(p);
  // A pass over the range in rowid order: rows of other runs are dropped in memory.
  std::string key;
  long long last_pk = 0;
  int r = -1;
  bool have_last = false;
  // rowid, dataset_pk, canonical, label, value
  db.fields(lo, hi, [&](const sql::Row& st) {
    if (st.is_null(2)) return;
    // A dataset's fields are usually consecutive: one pk lookup per dataset.
    const long long pk = st.i64(1);
    if (!have_last || pk != last_pk) r = s.row_of(pk), last_pk = pk, have_last = true;
    if (r < 0) return;
    std::string_view c = st.view(2), label = st.view(3);
    key.assign(c);
    key += '\x1f';
    key.append(label);
    auto k = fp.kinds.find(key);
    if (k == fp.kinds.end()) {
      FieldPart::Kind n;
      std::string canon(c);
      if (auto b = fbits.find(canon); b != fbits.end()) n.bit = b->second;
      n.portals.assign(nportals, 0);
      n.size = canon == "byte_size" || canon == "size" || canon == "data_size";
      n.licence = canon == "licence" || canon == "license";
      n.rating = is_rating(c);
      k = fp.kinds.emplace(key, std::move(n)).first;
    }
    FieldPart::Kind& kd = k->second;
    const auto& row = p.rows[r];
    const std::string_view value = st.view(4);
    const bool has_value = !value.empty();
    if (has_value && kd.bit >= 0) {
      // Another range may set bits of the same dataset concurrently.
      std::atomic_ref<std::uint64_t> w(p.bits[r * p.words + kd.bit / 64]);
      w.fetch_or(std::uint64_t(1) << (kd.bit % 64), std::memory_order_relaxed);
    }
    kd.portals[row.portal_ix] = 1;
    if (has_value && kd.size) {
      auto& sv = fp.size[row.portal_ix];
      sv.first += numeric_only(value) ? 1 : 0;
      sv.second++;
    }
    if (kd.licence) {
      fp.licences.emplace_back(row.pk, std::string(value));
      if (has_value) fp.licensed.push_back(row.pk);
    }
    if (kd.rating) fp.ratings.push_back({r, st.i64(0), std::string(label)});
  });
  return part;
}

void merge_snapshot_fields(Snapshot& s, std::vector<FieldPartPtr>& parts) {
  Presence& p = s.presence;
  const size_t nportals = p.portals.size();
  std::map<std::string, std::vector<char>> kinds;  // key → portals using it
  std::vector<std::pair<double, long long>> size(nportals, {0.0, 0});
  std::vector<FieldPart::Rating> ratings;
  for (auto& part : parts) {
    for (auto& [k, kd] : part->kinds) {
      auto& v = kinds[k];
      if (v.empty()) v.assign(nportals, 0);
      for (size_t i = 0; i < nportals; ++i) v[i] |= kd.portals[i];
    }
    for (size_t i = 0; i < nportals; ++i) {
      size[i].first += part->size[i].first;
      size[i].second += part->size[i].second;
    }
    // Parts come in rowid order: the last licence value of a dataset wins, as in one scan.
    for (auto& [pk, v] : part->licences) s.licence_value[pk] = std::move(v);
    s.licensed.insert(part->licensed.begin(), part->licensed.end());
    ratings.insert(ratings.end(), std::make_move_iterator(part->ratings.begin()),
                   std::make_move_iterator(part->ratings.end()));
  }
  for (size_t i = 0; i < nportals; ++i)
    if (size[i].second) s.size_values[p.portals[i]] = size[i];
  for (auto& [k, v] : kinds) {
    auto sep = k.find('\x1f');
    auto& set = s.labels[k.substr(0, sep)][k.substr(sep + 1)];
    for (size_t i = 0; i < nportals; ++i)
      if (v[i]) set.insert(p.portals[i]);
  }
  // Rating labels per portal, first occurrence in (portal, dataset, field) order.
  std::sort(ratings.begin(), ratings.end(), [](const FieldPart::Rating& a, const FieldPart::Rating& b) {
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
}

std::shared_ptr<const Snapshot> load_snapshot(StoreReader& db, int run, const Reference& ref) {
  auto sp = std::make_shared<Snapshot>();
  load_snapshot_rows(db, run, ref, *sp);
  auto [lo, hi] = db.field_rowid_range();
  std::vector<FieldPartPtr> parts;
  parts.push_back(load_snapshot_fields(db, *sp, lo, hi));
  merge_snapshot_fields(*sp, parts);
  return sp;
}

}  // namespace odh::metrics::detail
