// Monthly-bulletin rankings (seeds 000–002): per portal and run, the top-10 providing departments by
// datasets, views and downloads, and how each moved against the previous run.
#include <algorithm>

#include "metrics/internal.h"

namespace odh::metrics {
using namespace detail;

namespace {
using Ranking = std::vector<std::pair<std::string, double>>;  // department, value; best first

std::map<std::string, Ranking> rankings(sqlite3* db, int run, const std::string& expr) {
  std::map<std::string, Ranking> m;
  Stmt s(db,
         "SELECT portal_id, publisher, " + expr +
             " AS v FROM dataset WHERE run_id=? AND coalesce(publisher,'')<>'' GROUP BY portal_id, publisher "
             "HAVING v IS NOT NULL ORDER BY portal_id, v DESC, publisher");
  s.bind(1, (long long)run);
  while (s.step()) m[s.text(0)].emplace_back(s.text(1), s.f64(2));
  return m;
}

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.0f", v);
  return b;
}
}  // namespace

std::vector<IndicatorRow> compute_bulletin(sqlite3* db, int run, const Reference& ref) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);
  auto prev = previous_run(db, run);
  const std::pair<const char*, const char*> measures[] = {
      {"datasets", "count(*)"}, {"views", "sum(views)"}, {"downloads", "sum(downloads)"}};
  for (auto [name, expr] : measures) {
    auto now = rankings(db, run, expr);
    std::map<std::string, Ranking> before;
    if (prev) before = rankings(db, *prev, expr);
    const std::string top_id = std::string("bulletin.top_departments_") + name;
    const std::string chg_id = std::string("bulletin.rank_change_") + name;
    for (auto& p : ps) {
      auto it = now.find(p.id);
      if (it == now.end()) {
        out.push_back(row("portal", p.id, top_id, std::nullopt, "departments", 0));
        out.push_back(row("portal", p.id, chg_id, std::nullopt, "departments", 0));
        continue;
      }
      const Ranking& r = it->second;
      std::string text;
      for (size_t i = 0; i < r.size() && i < 10; ++i)
        text += (i ? ";" : "") + std::to_string(i + 1) + "." + r[i].first + "=" + fmt(r[i].second);
      out.push_back(row("portal", p.id, top_id, double(r.size()), "departments",
                        static_cast<long long>(r.size()), text));
      auto b = before.find(p.id);
      if (!prev || b == before.end()) {
        out.push_back(row("portal", p.id, chg_id, std::nullopt, "departments", 0));
        continue;
      }
      // Movement of each current top-10 department: +k up, -k down, = same, new (not ranked before in top
      // 10).
      std::map<std::string, size_t> old_rank;
      for (size_t i = 0; i < b->second.size() && i < 10; ++i) old_rank[b->second[i].first] = i;
      std::string moves;
      long long entered = 0;
      for (size_t i = 0; i < r.size() && i < 10; ++i) {
        auto o = old_rank.find(r[i].first);
        std::string m;
        if (o == old_rank.end()) {
          m = "new";
          entered++;
        } else if (o->second == i) {
          m = "=";
        } else {
          long long d = static_cast<long long>(o->second) - static_cast<long long>(i);
          m = (d > 0 ? "+" : "") + std::to_string(d);
        }
        moves += (i ? ";" : "") + r[i].first + ":" + m;
      }
      out.push_back(row("portal", p.id, chg_id, double(entered), "departments",
                        std::min<long long>(10, r.size()), moves));
    }
  }
  return out;
}

}  // namespace odh::metrics
