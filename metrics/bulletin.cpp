// Monthly-bulletin rankings (seeds 000–002): per portal and run, the top-10 providing departments by
// datasets, views and downloads, and how each moved against the previous run.
#include <algorithm>
#include <array>
#include <unordered_map>

#include "metrics/internal.h"

namespace odh::metrics {
using namespace detail;

namespace {
using Ranking = std::vector<std::pair<std::string, double>>;  // department, value; best first

// Rankings by datasets, views and downloads for one run, from one scan of the run's datasets (a full
// scan: cheaper than the run index, which costs a B-tree lookup per row). Departments ordered as
// "ORDER BY v DESC, publisher"; a department whose datasets publish no views is not ranked by views.
std::array<std::map<std::string, Ranking>, 3> rankings(StoreReader& db, int run) {
  struct Acc {
    double count = 0, views = 0, downloads = 0;
    bool has_views = false, has_downloads = false;
  };
  std::map<std::string, std::unordered_map<std::string, Acc>> acc;  // portal → publisher → totals
  std::unordered_map<std::string, std::unordered_map<std::string, Acc>*> by_portal;  // map nodes stay put
  std::string portal, publisher;
  db.dataset_publishers(run, [&](const sql::Row& s) {
    portal = s.view(0);
    auto it = by_portal.find(portal);
    if (it == by_portal.end()) it = by_portal.emplace(portal, &acc[portal]).first;
    publisher = s.view(1);
    Acc& a = (*it->second)[publisher];
    a.count++;
    if (!s.is_null(2)) a.views += s.f64(2), a.has_views = true;
    if (!s.is_null(3)) a.downloads += s.f64(3), a.has_downloads = true;
  });
  std::array<std::map<std::string, Ranking>, 3> out;
  for (auto& [portal, m] : acc) {
    for (auto& [pub, a] : m) {
      out[0][portal].emplace_back(pub, a.count);
      if (a.has_views) out[1][portal].emplace_back(pub, a.views);
      if (a.has_downloads) out[2][portal].emplace_back(pub, a.downloads);
    }
  }
  for (auto& r : out)
    for (auto& [portal, v] : r)
      std::sort(v.begin(), v.end(), [](auto& x, auto& y) {
        return x.second != y.second ? x.second > y.second : x.first < y.first;
      });
  return out;
}

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.0f", v);
  return b;
}
}  // namespace

std::vector<IndicatorRow> compute_bulletin(StoreReader& db, int run, const Reference& ref) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);
  auto prev = previous_run(db, run);
  const char* measures[] = {"datasets", "views", "downloads"};
  auto all_now = rankings(db, run);
  std::array<std::map<std::string, Ranking>, 3> all_before;
  if (prev) all_before = rankings(db, *prev);
  for (int m = 0; m < 3; ++m) {
    const char* name = measures[m];
    auto& now = all_now[m];
    auto& before = all_before[m];
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
