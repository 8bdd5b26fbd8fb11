// StoreReader: the store's reads for metrics and explain (store/store.h). Scans of the large tables are
// full scans in rowid order (NOT INDEXED): the run index would cost a B-tree lookup per row, and rows of
// other runs are cheaper to drop in memory than to join away.
#include <sqlite3.h>

#include <algorithm>
#include <set>

#include "core/core.h"
#include "store/store.h"

namespace odh {

std::unique_ptr<StoreReader> StoreReader::open(const std::string& path) {
  // No per-call connection mutex: each thread has its own reader.
  sql::configure_process();
  std::unique_ptr<StoreReader> r(new StoreReader());
  r->path_ = path;
  if (sqlite3_open_v2(path.c_str(), &r->db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string m = r->db_ ? sqlite3_errmsg(r->db_) : "out of memory";
    throw Failure("store: cannot read " + path + ": " + m);
  }
  sqlite3_busy_timeout(r->db_, 10000);
  // Whole-table scans: map the file and keep a large page cache (256 MB).
  sql::exec(r->db_, "PRAGMA mmap_size=4294967296; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;");
  return r;
}

StoreReader::~StoreReader() {
  if (db_) sqlite3_close(db_);
}

void StoreReader::scan(const char* text, std::int64_t run, const RowFn& fn) {
  sql::Statement s(db_, text);
  if (run >= 0) s.bind(1, run);
  const sql::Row row(s);
  while (s.step()) fn(row);
}

std::int64_t StoreReader::latest_run(bool finished) {
  sql::Statement s(db_, finished ? "SELECT max(run_id) FROM run WHERE finished_at IS NOT NULL"
                                 : "SELECT max(run_id) FROM run");
  return s.step() && !s.is_null(0) ? s.i64(0) : 0;
}

std::optional<std::int64_t> StoreReader::previous_run(std::int64_t run) {
  // The baseline: finished, of the same kind and scope (a crashed run or a simulated one is no baseline
  // for a live harvest).
  sql::Statement s(db_,
                   "SELECT max(p.run_id) FROM run p, run r WHERE r.run_id=?1 AND p.run_id<?1 AND "
                   "p.finished_at IS NOT NULL AND p.source=r.source AND "
                   "coalesce(p.sites_file,'')=coalesce(r.sites_file,'')");
  s.bind(1, run);
  if (s.step() && !s.is_null(0)) return s.i64(0);
  return std::nullopt;
}

StoreReader::RunInfo StoreReader::run_info(std::int64_t run) {
  sql::Statement s(db_,
                   "SELECT run_id, label, started_at, coalesce(finished_at,''), source, coalesce(sites_file,''), "
                   "coalesce(odh_version,'') FROM run WHERE run_id=?");
  s.bind(1, run);
  RunInfo r;
  if (s.step()) r = {s.i64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)};
  return r;
}

void StoreReader::indicators(std::int64_t run, const RowFn& fn) {
  scan("SELECT scope, scope_key, indicator, value, coalesce(value_text,''), coalesce(unit,''), coalesce(n,0) "
       "FROM indicator WHERE run_id=? ORDER BY rowid",
       run, fn);
}

void StoreReader::portal_details(std::int64_t run, const RowFn& fn) {
  scan("SELECT portal_id, name, level, region, kind, coalesce(province,''), coalesce(city,''), "
       "coalesce(county,''), family, url, coalesce(division_code,'') FROM portal WHERE run_id=? "
       "ORDER BY seq, portal_id",
       run, fn);
}

void StoreReader::portal_sources(std::int64_t run, const RowFn& fn) {
  scan("SELECT p.portal_id, s.reachable, coalesce(s.error_class,''), coalesce(s.robots,''), "
       "coalesce(s.pages,0), coalesce(s.bytes,0), "
       "(SELECT count(*) FROM fetch f WHERE f.run_id=p.run_id AND f.portal_id=p.portal_id), "
       "coalesce((SELECT group_concat(w,'|') FROM (SELECT DISTINCT f.warc_file AS w FROM fetch f WHERE "
       "f.run_id=p.run_id AND f.portal_id=p.portal_id AND f.warc_file IS NOT NULL LIMIT 5)),''), "
       "coalesce((SELECT f.warc_file FROM fetch f WHERE f.run_id=p.run_id AND f.portal_id=p.portal_id AND "
       "f.kind='home' LIMIT 1),''), "
       "(SELECT f.warc_offset FROM fetch f WHERE f.run_id=p.run_id AND f.portal_id=p.portal_id AND "
       "f.kind='home' LIMIT 1) "
       "FROM portal p LEFT JOIN portal_status s ON s.run_id=p.run_id AND s.portal_id=p.portal_id "
       "WHERE p.run_id=? ORDER BY p.seq, p.portal_id",
       run, fn);
}

std::string StoreReader::run_date(std::int64_t run) {
  sql::Statement s(db_, "SELECT substr(started_at,1,10) FROM run WHERE run_id=?");
  s.bind(1, run);
  return s.step() ? s.text(0) : std::string();
}

void StoreReader::portals(std::int64_t run, const RowFn& fn) {
  scan("SELECT portal_id, level, region, kind, coalesce(province,''), coalesce(city,''), name FROM portal "
       "WHERE run_id=? ORDER BY portal_id",
       run, fn);
}

void StoreReader::portal_status(std::int64_t run, const RowFn& fn) {
  scan("SELECT portal_id, reachable, coalesce(error_class,'') FROM portal_status WHERE run_id=?", run, fn);
}

std::map<std::string, double> StoreReader::count_by_portal(std::int64_t run, Counted what) {
  const char* text = nullptr;
  switch (what) {
    case Counted::kDatasets:
      text = "SELECT portal_id, count(*) FROM dataset WHERE run_id=? GROUP BY portal_id";
      break;
    case Counted::kApis:
      text = "SELECT portal_id, count(*) FROM api WHERE run_id=? GROUP BY portal_id";
      break;
    case Counted::kApps:
      text = "SELECT portal_id, count(*) FROM app WHERE run_id=? GROUP BY portal_id";
      break;
    case Counted::kTopicNames:
      text = "SELECT portal_id, count(DISTINCT name_raw) FROM topic WHERE run_id=? GROUP BY portal_id";
      break;
  }
  std::map<std::string, double> m;
  scan(text, run, [&](const sql::Row& r) {
    if (!r.is_null(1)) m[r.text(0)] = r.f64(1);
  });
  return m;
}

namespace {
// The dataset table's value columns a scan may ask for (no keys, no expressions).
const std::set<std::string>& dataset_value_columns() {
  static const std::set<std::string> c = {
      "title",        "description",   "publisher",      "topic_raw",    "theme",         "issued",
      "modified",     "frequency_raw", "open_condition", "tags",         "views",         "downloads",
      "record_count", "field_count",   "rating",         "rating_count", "comment_count", "url",
      "source_id",    "frequency",     "depth"};
  return c;
}
}  // namespace

void StoreReader::dataset_columns(std::int64_t run, const std::vector<std::string>& columns, const RowFn& fn) {
  std::string text = "SELECT dataset_pk, portal_id, fetch_id, record_count*field_count, open_condition";
  for (auto& c : columns) {
    if (!dataset_value_columns().count(c)) throw Failure("store: dataset has no value column '" + c + "'");
    text += ", " + c;
  }
  text += " FROM dataset NOT INDEXED WHERE run_id=?";
  scan(text.c_str(), run, fn);
}

void StoreReader::dataset_topics(std::int64_t run, const RowFn& fn) {
  scan("SELECT portal_id, topic_raw FROM dataset NOT INDEXED WHERE run_id=? AND coalesce(topic_raw,'')<>''", run,
       fn);
}

void StoreReader::dataset_publishers(std::int64_t run, const RowFn& fn) {
  scan("SELECT portal_id, publisher, views, downloads FROM dataset NOT INDEXED WHERE run_id=? AND "
       "coalesce(publisher,'')<>''",
       run, fn);
}

void StoreReader::dataset_dates(std::int64_t run, const RowFn& fn) {
  scan("SELECT portal_id, issued, modified, rating IS NOT NULL OR rating_count IS NOT NULL OR "
       "comment_count IS NOT NULL, rating_count, comment_count, coalesce(frequency,'') FROM dataset "
       "NOT INDEXED WHERE run_id=?",
       run, fn);
}

void StoreReader::dcat_rows(std::int64_t run, const RowFn& fn) {
  scan("SELECT d.dataset_pk, d.portal_id, coalesce(d.source_id,''), coalesce(d.url,''), coalesce(d.title,''), "
       "coalesce(d.description,''), coalesce(d.publisher,''), coalesce(d.theme,''), coalesce(d.topic_raw,''), "
       "coalesce(d.issued,''), coalesce(d.modified,''), coalesce(d.frequency,''), coalesce(d.tags,''), "
       "coalesce((SELECT f.value FROM dataset_field f WHERE f.dataset_pk=d.dataset_pk AND "
       "f.canonical='license' AND coalesce(f.value,'')<>'' ORDER BY f.rowid LIMIT 1),''), "
       "coalesce(h.warc_file,''), h.warc_offset, x.distribution_pk, coalesce(x.format,''), "
       "coalesce(x.format_raw,''), coalesce(x.url,'') "
       "FROM dataset d LEFT JOIN fetch h ON h.fetch_id=d.fetch_id "
       "LEFT JOIN distribution x ON x.dataset_pk=d.dataset_pk WHERE d.run_id=? "
       "ORDER BY d.dataset_pk, x.distribution_pk",
       run, fn);
}

void StoreReader::dataset_frequencies(std::int64_t run, const RowFn& fn) {
  scan("SELECT portal_id, frequency_raw FROM dataset NOT INDEXED WHERE run_id=? AND coalesce(frequency_raw,'')<>''",
       run, fn);
}

void StoreReader::dataset_usage(std::int64_t run, const RowFn& fn) {
  scan("SELECT portal_id, theme, views, downloads FROM dataset NOT INDEXED WHERE run_id=?", run, fn);
}

void StoreReader::dataset_graph(std::int64_t run, const RowFn& fn) {
  scan("SELECT portal_id, dataset_pk, coalesce(tags,''), coalesce(title,''), theme, depth, fetch_id FROM "
       "dataset NOT INDEXED WHERE run_id=?",
       run, fn);
}

std::size_t StoreReader::rowid_span(Table table) {
  const char* text = table == Table::kDataset
                         ? "SELECT (SELECT max(rowid) FROM dataset) - (SELECT min(rowid) FROM dataset) + 1"
                         : "SELECT (SELECT max(rowid) FROM distribution) - (SELECT min(rowid) FROM distribution) + 1";
  sql::Statement s(db_, text);
  if (!s.step() || s.is_null(0)) return 0;
  return static_cast<std::size_t>(std::clamp<std::int64_t>(s.i64(0), 0, 20000000));
}

std::pair<long long, long long> StoreReader::field_rowid_range() {
  // Two subqueries: SQLite answers a lone min() or max() from the B-tree's ends, both together by a scan.
  sql::Statement s(db_, "SELECT (SELECT min(rowid) FROM dataset_field), (SELECT max(rowid) FROM dataset_field)");
  if (s.step() && !s.is_null(0)) return {s.i64(0), s.i64(1)};
  return {1, 0};
}

void StoreReader::fields(long long lo, long long hi, const RowFn& fn) {
  sql::Statement s(db_,
                   "SELECT rowid, dataset_pk, canonical, label, value FROM dataset_field NOT INDEXED "
                   "WHERE rowid BETWEEN ? AND ?");
  s.bind(1, static_cast<std::int64_t>(lo)).bind(2, static_cast<std::int64_t>(hi));
  const sql::Row row(s);
  while (s.step()) fn(row);
}

void StoreReader::field_canonicals(const RowFn& fn) {
  scan("SELECT dataset_pk, canonical FROM dataset_field WHERE canonical IS NOT NULL AND coalesce(value,'')<>''",
       -1, fn);
}

void StoreReader::distributions(const RowFn& fn) {
  scan("SELECT dataset_pk, url, live, format, sniffed_format, byte_size IS NOT NULL, "
       "CASE WHEN rows IS NOT NULL AND columns IS NOT NULL THEN rows*columns END, "
       "fetch_id, coalesce(format, sniffed_format, '')<>'', coalesce(rows_lower_bound, 0), link_class "
       "FROM distribution",
       -1, fn);
}

void StoreReader::fetch_status(const RowFn& fn) { scan("SELECT fetch_id, content_type, status FROM fetch", -1, fn); }

void StoreReader::fetch_depths(const RowFn& fn) { scan("SELECT fetch_id, depth FROM fetch", -1, fn); }

void StoreReader::fetch_urls(std::int64_t run, const RowFn& fn) {
  scan("SELECT fetch_id, url, coalesce(kind,''), coalesce(portal_id,'') FROM fetch WHERE run_id=?", run, fn);
}

void StoreReader::links(std::int64_t run, const RowFn& fn) {
  scan("SELECT from_fetch_id, to_url FROM link WHERE run_id=?", run, fn);
}

void StoreReader::terms(std::int64_t run, const RowFn& fn) {
  scan("SELECT aspect, portal_id, verdict FROM terms WHERE run_id=? ORDER BY rowid", run, fn);
}

void StoreReader::topics(std::int64_t run, const RowFn& fn) {
  scan("SELECT portal_id, name_raw FROM topic WHERE run_id=?", run, fn);
}

void StoreReader::apps(std::int64_t run, const RowFn& fn) {
  scan("SELECT portal_id, coalesce(app_kind,'其他') FROM app WHERE run_id=?", run, fn);
}

bool StoreReader::has_app_citations() {
  sql::Statement s(db_, "SELECT EXISTS (SELECT 1 FROM app_dataset)");
  return s.step() && s.i64(0) != 0;
}

void StoreReader::app_citations(std::int64_t run, const RowFn& fn) {
  scan("SELECT a.portal_id, a.app_pk, l.dataset_pk, coalesce(l.dataset_title,'') FROM app_dataset l JOIN app a "
       "ON a.app_pk=l.app_pk WHERE a.run_id=?",
       run, fn);
}

// ---- Evidence (odh explain) ---------------------------------------------------------------------

namespace {
// The dataset column shown beside each dataset, by name (StoreReader::evidence_columns).
const std::vector<std::pair<std::string, std::string>>& evidence_exprs() {
  static const std::vector<std::pair<std::string, std::string>> m = {
      {"title", "d.title"},
      {"views", "d.views"},
      {"downloads", "d.downloads"},
      {"download_per_view", "d.downloads || '/' || d.views"},
      {"issued", "d.issued"},
      {"modified", "d.modified"},
      {"frequency", "d.frequency_raw || ' → ' || coalesce(d.frequency,'未提供')"},
      {"promise", "coalesce(d.frequency,'') || ' ' || coalesce(d.modified,'')"},
      {"frequency_class", "d.frequency"},
      {"capacity", "d.record_count || '×' || d.field_count"},
      {"topic", "d.topic_raw"},
      {"tags", "d.tags"},
      {"depth", "coalesce(d.depth, f.depth)"},
      {"publisher", "d.publisher"},
      {"rating", "d.rating || ' ' || d.rating_count || ' ' || d.comment_count"},
      {"usage", "d.publisher || ' ' || d.views || ' ' || d.downloads"},
  };
  return m;
}
}  // namespace

const std::vector<std::string>& StoreReader::evidence_columns() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (auto& [k, e] : evidence_exprs()) v.push_back(k);
    return v;
  }();
  return names;
}

namespace {
// Columns of the regression form (record_fields), after portal_id and the key.
constexpr const char* kDatasetColumns[] = {
    "source_id", "url", "title", "description", "publisher", "topic_raw", "theme", "issued", "modified",
    "frequency_raw", "frequency", "open_condition", "tags", "views", "downloads", "record_count",
    "field_count", "rating", "rating_count", "comment_count", "depth", "distributions"};
constexpr const char* kApiColumns[] = {"source_id", "title", "publisher", "url"};
constexpr const char* kAppColumns[] = {"title", "app_kind", "developer", "url"};
constexpr const char* kPortalColumns[] = {"reachable", "error_class", "robots", "pages"};
}  // namespace

void StoreReader::record_fields(std::int64_t run, const RecordFn& fn) {
  auto emit = [&](const char* kind, const auto& columns, const sql::Row& r) {
    const std::string portal = r.text(0), key = r.text(1);
    int c = 2;
    for (const char* col : columns) {
      if (r.filled(c)) fn(portal, kind, key, col, r.text(c));
      ++c;
    }
  };
  scan(R"(SELECT d.portal_id,
         coalesce(nullif(d.source_id,''), coalesce(d.title,'') || ' | ' || coalesce(d.publisher,'')) AS k,
         d.source_id, d.url, d.title, d.description, d.publisher, d.topic_raw, d.theme, d.issued, d.modified,
         d.frequency_raw, d.frequency, d.open_condition, d.tags, d.views, d.downloads, d.record_count,
         d.field_count, d.rating, d.rating_count, d.comment_count, d.depth,
         (SELECT group_concat(x, ' ; ') FROM (SELECT coalesce(format,'') || ' ' || coalesce(url,'') AS x
            FROM distribution WHERE dataset_pk=d.dataset_pk ORDER BY x))
       FROM dataset d WHERE d.run_id=? ORDER BY d.portal_id, k, d.dataset_pk)",
       run, [&](const sql::Row& r) { emit("dataset", kDatasetColumns, r); });
  scan(R"(SELECT portal_id, coalesce(nullif(source_id,''), coalesce(title,'') || ' | ' || coalesce(publisher,'')) AS k,
         source_id, title, publisher, url FROM api WHERE run_id=? ORDER BY portal_id, k, api_pk)",
       run, [&](const sql::Row& r) { emit("api", kApiColumns, r); });
  scan(R"(SELECT portal_id, coalesce(title,'') || ' | ' || coalesce(developer,'') AS k, title, app_kind, developer,
         url FROM app WHERE run_id=? ORDER BY portal_id, k, app_pk)",
       run, [&](const sql::Row& r) { emit("app", kAppColumns, r); });
  scan(R"(SELECT portal_id, portal_id, reachable, error_class, robots, pages FROM portal_status WHERE run_id=?
       ORDER BY portal_id)",
       run, [&](const sql::Row& r) { emit("portal", kPortalColumns, r); });
}

std::vector<std::string> StoreReader::evidence(Evidence kind, std::int64_t run, const std::string& portal,
                                               const std::string& detail) {
  std::vector<std::string> out;
  const std::string where = " AND (?2='' OR x.portal_id=?2)";
  auto rows = [&](const std::string& text, int columns, const std::string& prefix = "") {
    sql::Statement s(db_, text);
    s.bind(1, run).bind(2, portal);
    while (s.step()) {
      std::string line = prefix;
      for (int c = 0; c < columns; ++c) line += (c ? "\t" : "") + s.text(c);
      out.push_back(line);
    }
  };
  switch (kind) {
    case Evidence::kValues: {
      sql::Statement s(db_,
                       "SELECT scope, scope_key, value, coalesce(value_text,''), coalesce(unit,''), n FROM indicator "
                       "WHERE run_id=? AND indicator=? AND (?='' OR (scope='portal' AND scope_key=?) OR "
                       "scope='national') ORDER BY scope, scope_key");
      s.bind(1, run).bind(2, detail).bind(3, portal).bind(4, portal);
      while (s.step())
        out.push_back("value\t" + s.text(0) + "\t" + s.text(1) + "\t" + (s.is_null(2) ? "NULL" : s.text(2)) + "\t" +
                      s.text(4) + "\tn=" + std::to_string(s.i64(5)) + "\t" + s.text(3));
      break;
    }
    case Evidence::kTerms: {
      sql::Statement s(db_,
                       "SELECT x.portal_id, x.verdict, coalesce(x.evidence,''), coalesce(x.url,''), "
                       "coalesce(x.fetch_id,''), coalesce(f.warc_file,''), coalesce(f.warc_offset,'') FROM terms x "
                       "LEFT JOIN fetch f ON f.fetch_id=x.fetch_id WHERE x.run_id=?1 AND x.aspect=?3 AND "
                       "(?2='' OR x.portal_id=?2)");
      s.bind(1, run).bind(2, portal).bind(3, detail);
      while (s.step())
        out.push_back("terms\t" + s.text(0) + "\t" + s.text(1) + "\t" + s.text(2) + "\t" + s.text(3) + "\tfetch " +
                      s.text(4) + "\t" + s.text(5) + "\t" + s.text(6));
      break;
    }
    case Evidence::kPortals:
      rows("SELECT 'portal', x.portal_id, p.level, p.kind, coalesce(x.reachable,''), coalesce(x.error_class,''), "
           "coalesce(f.url,p.url), coalesce(f.warc_file,''), coalesce(f.warc_offset,'') FROM portal p LEFT JOIN "
           "portal_status x ON x.run_id=p.run_id AND x.portal_id=p.portal_id LEFT JOIN fetch f ON "
           "f.run_id=p.run_id AND f.portal_id=p.portal_id AND f.kind='home' WHERE p.run_id=?1 AND (?2='' OR "
           "p.portal_id=?2)",
           9);
      break;
    case Evidence::kApis:
      rows("SELECT 'api', x.portal_id, x.api_pk, coalesce(x.title,''), coalesce(x.url,''), coalesce(x.fetch_id,''), "
           "coalesce(f.warc_file,''), coalesce(f.warc_offset,''), '' FROM api x LEFT JOIN fetch f ON "
           "f.fetch_id=x.fetch_id WHERE x.run_id=?1" +
               where,
           9);
      break;
    case Evidence::kApps:
      rows("SELECT 'app', x.portal_id, x.app_pk, coalesce(x.title,''), coalesce(x.app_kind,''), coalesce(x.url,''), "
           "coalesce(x.fetch_id,''), coalesce(f.warc_file,''), coalesce(f.warc_offset,'') FROM app x LEFT JOIN "
           "fetch f ON f.fetch_id=x.fetch_id WHERE x.run_id=?1" +
               where,
           9);
      break;
    case Evidence::kQuality:
      if (!sql::has_table(db_, "dataset_quality")) break;
      // The portal value is the mean over the portal's datasets of their score in dataset_quality.
      rows("SELECT 'dataset', x.portal_id, x.dataset_pk, coalesce(x.title,''), q.total || ' ' || q.band || ' (F' || "
           "q.findability || ' A' || q.accessibility || ' I' || q.interoperability || ' R' || q.reusability || "
           "' C' || q.contextuality || ')', coalesce(x.url,''), coalesce(x.fetch_id,''), "
           "coalesce(f.warc_file,''), coalesce(f.warc_offset,'') FROM dataset x JOIN dataset_quality q ON "
           "q.dataset_pk=x.dataset_pk LEFT JOIN fetch f ON f.fetch_id=x.fetch_id WHERE x.run_id=?1" +
               where + " ORDER BY x.portal_id, x.dataset_pk",
           9);
      break;
    case Evidence::kDistributions:
      rows("SELECT 'distribution', x.portal_id, x.dataset_pk, coalesce(t.format,'') || '/' || "
           "coalesce(t.sniffed_format,''), coalesce(t.url,''), coalesce(t.live,''), coalesce(t.fetch_id,''), "
           "coalesce(f.warc_file,''), coalesce(f.warc_offset,'') FROM distribution t JOIN dataset x ON "
           "x.dataset_pk=t.dataset_pk LEFT JOIN fetch f ON f.fetch_id=t.fetch_id WHERE x.run_id=?1" +
               where,
           9);
      break;
    case Evidence::kDatasets: {
      std::string e = "d.title";
      for (auto& [k, x] : evidence_exprs())
        if (k == detail) e = x;
      rows("SELECT 'dataset', d.portal_id, d.dataset_pk, coalesce(d.title,''), coalesce(" + e +
               ",''), coalesce(d.url,''), coalesce(d.fetch_id,''), coalesce(f.warc_file,''), "
               "coalesce(f.warc_offset,'') FROM dataset d LEFT JOIN fetch f ON f.fetch_id=d.fetch_id WHERE "
               "d.run_id=?1 AND (?2='' OR d.portal_id=?2) ORDER BY d.portal_id, d.dataset_pk",
           9);
      break;
    }
  }
  return out;
}

}  // namespace odh
