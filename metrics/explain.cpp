// Drill-down for `odh explain`: the stored value(s) of an indicator, then the records behind it with
// their fetch and WARC record (warc_file, warc_offset), so a number can be traced to the page it came from.
#include "core/core.h"
#include "metrics/internal.h"

namespace odh::metrics {
using namespace detail;

namespace {
bool starts(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

// The dataset column that carries an indicator's input (shown beside each dataset).
std::string dataset_expr(const std::string& id) {
  static const std::map<std::string, std::string> m = {
      {"usage.views", "d.views"},
      {"usage.view_rate", "d.views"},
      {"usage.downloads", "d.downloads"},
      {"usage.download_rate", "d.downloads"},
      {"usage.download_per_view", "d.downloads || '/' || d.views"},
      {"impact.issued_recency", "d.issued"},
      {"impact.update_recency", "d.modified"},
      {"impact.frequency", "d.frequency_raw || ' → ' || coalesce(d.frequency,'未提供')"},
      {"impact.promise_kept", "coalesce(d.frequency,'') || ' ' || coalesce(d.modified,'')"},
      {"impact.dynamic_share", "d.frequency"},
      {"platform.capacity", "d.record_count || '×' || d.field_count"},
      {"platform.topics", "d.topic_raw"},
      {"network.tagged_share", "d.tags"},
      {"network.degree_mean", "d.tags"},
      {"findability.click_depth_mean", "coalesce(d.depth, f.depth)"},
      {"bulletin.top_departments_datasets", "d.publisher"},
      {"impact.rating_channel", "d.rating || ' ' || d.rating_count || ' ' || d.comment_count"},
  };
  for (auto& [k, v] : m)
    if (starts(id, k)) return v;
  if (starts(id, "usage.") || starts(id, "bulletin."))
    return "d.publisher || ' ' || d.views || ' ' || d.downloads";
  return "d.title";
}
}  // namespace

std::vector<std::string> explain(sqlite3* db, int run, const std::string& id, const std::string& portal) {
  std::vector<std::string> out;
  {
    Stmt s(
        db,
        "SELECT scope, scope_key, value, coalesce(value_text,''), coalesce(unit,''), n FROM indicator WHERE "
        "run_id=? "
        "AND indicator=? AND (?='' OR (scope='portal' AND scope_key=?) OR scope='national') ORDER BY scope, "
        "scope_key");
    s.bind(1, (long long)run).bind(2, id).bind(3, portal).bind(4, portal);
    while (s.step())
      out.push_back("value\t" + s.text(0) + "\t" + s.text(1) + "\t" + (s.null(2) ? "NULL" : s.text(2)) +
                    "\t" + s.text(4) + "\tn=" + std::to_string(s.i64(5)) + "\t" + s.text(3));
  }
  const std::string where = " AND (?2='' OR x.portal_id=?2)";
  auto emit_rows = [&](const std::string& sql) {
    Stmt s(db, sql);
    s.bind(1, (long long)run).bind(2, portal);
    while (s.step()) {
      std::string line;
      for (int c = 0; c < 9; ++c) line += (c ? "\t" : "") + s.text(c);
      out.push_back(line);
    }
  };
  if (starts(id, "data.licence") || starts(id, "data.free_") || starts(id, "data.non_discrimination")) {
    std::string aspect = id.substr(5);
    Stmt s(db,
           "SELECT x.portal_id, x.verdict, coalesce(x.evidence,''), coalesce(x.url,''), "
           "coalesce(x.fetch_id,''), "
           "coalesce(f.warc_file,''), coalesce(f.warc_offset,'') FROM terms x LEFT JOIN fetch f ON "
           "f.fetch_id=x.fetch_id WHERE x.run_id=?1 AND x.aspect=?3 AND (?2='' OR x.portal_id=?2)");
    s.bind(1, (long long)run).bind(2, portal).bind(3, aspect);
    while (s.step())
      out.push_back("terms\t" + s.text(0) + "\t" + s.text(1) + "\t" + s.text(2) + "\t" + s.text(3) +
                    "\tfetch " + s.text(4) + "\t" + s.text(5) + "\t" + s.text(6));
  } else if (starts(id, "platform.reachable") || starts(id, "platform.error_class") ||
             starts(id, "platform.publishing") || starts(id, "platform.portals") ||
             starts(id, "platform.coverage") || starts(id, "platform.independent") ||
             starts(id, "platform.embedded")) {
    emit_rows(
        "SELECT 'portal', x.portal_id, p.level, p.kind, coalesce(x.reachable,''), "
        "coalesce(x.error_class,''), "
        "coalesce(f.url,p.url), coalesce(f.warc_file,''), coalesce(f.warc_offset,'') FROM portal p LEFT JOIN "
        "portal_status x ON x.run_id=p.run_id AND x.portal_id=p.portal_id LEFT JOIN fetch f ON "
        "f.run_id=p.run_id "
        "AND f.portal_id=p.portal_id AND f.kind='home' WHERE p.run_id=?1 AND (?2='' OR p.portal_id=?2)");
  } else if (starts(id, "platform.apis") || starts(id, "platform.api_share") ||
             starts(id, "platform.zero_api")) {
    emit_rows(
        "SELECT 'api', x.portal_id, x.api_pk, coalesce(x.title,''), coalesce(x.url,''), "
        "coalesce(x.fetch_id,''), "
        "coalesce(f.warc_file,''), coalesce(f.warc_offset,''), '' FROM api x LEFT JOIN fetch f ON "
        "f.fetch_id=x.fetch_id WHERE x.run_id=?1" +
        where);
  } else if (starts(id, "usage.apps") || starts(id, "usage.zero_app") || starts(id, "network.apps")) {
    emit_rows(
        "SELECT 'app', x.portal_id, x.app_pk, coalesce(x.title,''), coalesce(x.app_kind,''), "
        "coalesce(x.url,''), "
        "coalesce(x.fetch_id,''), coalesce(f.warc_file,''), coalesce(f.warc_offset,'') FROM app x LEFT JOIN "
        "fetch f "
        "ON f.fetch_id=x.fetch_id WHERE x.run_id=?1" +
        where);
  } else if ((id == "quality.mqa" || starts(id, "quality.mqa.") || id == "quality.mqa_good_share") &&
             has_table(db, "dataset_quality")) {
    // The portal value is the mean over the portal's datasets of their score in dataset_quality.
    emit_rows(
        "SELECT 'dataset', x.portal_id, x.dataset_pk, coalesce(x.title,''), q.total || ' ' || q.band || ' "
        "(F' || "
        "q.findability || ' A' || q.accessibility || ' I' || q.interoperability || ' R' || q.reusability || "
        "' C' || q.contextuality || ')', coalesce(x.url,''), coalesce(x.fetch_id,''), "
        "coalesce(f.warc_file,''), coalesce(f.warc_offset,'') FROM dataset x JOIN dataset_quality q ON "
        "q.dataset_pk=x.dataset_pk LEFT JOIN fetch f ON f.fetch_id=x.fetch_id WHERE x.run_id=?1" +
        where + " ORDER BY x.portal_id, x.dataset_pk");
  } else if (starts(id, "data.format") || starts(id, "data.machine") || starts(id, "quality.five_star") ||
             starts(id, "quality.link") || starts(id, "metadata.bad_links") ||
             starts(id, "metadata.all_five")) {
    emit_rows(
        "SELECT 'distribution', x.portal_id, x.dataset_pk, coalesce(t.format,'') || '/' || "
        "coalesce(t.sniffed_format,''), coalesce(t.url,''), coalesce(t.live,''), coalesce(t.fetch_id,''), "
        "coalesce(f.warc_file,''), coalesce(f.warc_offset,'') FROM distribution t JOIN dataset x ON "
        "x.dataset_pk=t.dataset_pk LEFT JOIN fetch f ON f.fetch_id=t.fetch_id WHERE x.run_id=?1" +
        where);
  } else {
    std::string e = dataset_expr(id);
    emit_rows("SELECT 'dataset', d.portal_id, d.dataset_pk, coalesce(d.title,''), coalesce(" + e +
              ",''), coalesce(d.url,''), coalesce(d.fetch_id,''), coalesce(f.warc_file,''), "
              "coalesce(f.warc_offset,'') "
              "FROM dataset d LEFT JOIN fetch f ON f.fetch_id=d.fetch_id WHERE d.run_id=?1 AND (?2='' OR "
              "d.portal_id=?2) ORDER BY d.portal_id, d.dataset_pk");
  }
  return out;
}

}  // namespace odh::metrics
