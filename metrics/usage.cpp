// §4 usage behaviour (region view per portal, topic view per unified theme; appendix 5) and the
// usage layer of §5.3: apps, average views and downloads, download rate.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "metrics/internal.h"

namespace odh::metrics {
using namespace detail;

namespace {
// Buckets of one dataset's views or downloads (figure 5-18), in order.
const char* const kBuckets[] = {"0", "1-9", "10-99", "100-999", "1k-9.9k", "10k-99k", "100k+"};
int bucket_of(double v) {
  if (v < 1) return 0;
  int b = 1;
  for (double lim = 10; v >= lim && b < 6; lim *= 10) ++b;
  return b;
}
struct Tot {
  long long hist_b[7] = {0}, hist_d[7] = {0};  // datasets per bucket of views / downloads
  double n = 0, b = 0, d = 0;       // datasets publishing views / downloads, and their totals
  double nb = 0, nd = 0;            // datasets with views published, with downloads published
  double both_b = 0, both_d = 0;    // totals over datasets publishing both
  double rate_sum = 0, rate_n = 0;  // Σ d/b over datasets with b > 0
  long long datasets = 0;
};

// Appendix 5: per unit c, b_c/n_c; overall-sample rate (b_c/n_c)/Σ_c(b_c/n_c); share b_c/Σb.
void usage_rows(std::vector<IndicatorRow>& out, const std::string& scope, const std::map<std::string, Tot>& t,
                const std::vector<std::string>& keys) {
  double sum_vr = 0, sum_dr = 0, sum_b = 0, sum_d = 0;
  for (auto& [k, x] : t) {
    if (x.nb > 0) sum_vr += x.b / x.datasets;
    if (x.nd > 0) sum_dr += x.d / x.datasets;
    sum_b += x.b;
    sum_d += x.d;
  }
  for (auto& k : keys) {
    auto it = t.find(k);
    Tot x = it == t.end() ? Tot{} : it->second;
    std::optional<double> vr, dr, vo, dov, vs, ds, vrp, drp;
    if (x.nb > 0) {
      vr = x.b / x.datasets;
      vrp = x.b / x.nb;
      if (sum_vr > 0) vo = *vr / sum_vr;
      if (sum_b > 0) vs = x.b / sum_b;
    }
    if (x.nd > 0) {
      dr = x.d / x.datasets;
      drp = x.d / x.nd;
      if (sum_dr > 0) dov = *dr / sum_dr;
      if (sum_d > 0) ds = x.d / sum_d;
    }
    auto nb = static_cast<long long>(x.nb), nd = static_cast<long long>(x.nd);
    out.push_back(
        row(scope, k, "usage.views", x.nb > 0 ? std::optional<double>(x.b) : std::nullopt, "views", nb));
    out.push_back(row(scope, k, "usage.downloads", x.nd > 0 ? std::optional<double>(x.d) : std::nullopt,
                      "downloads", nd));
    out.push_back(row(scope, k, "usage.view_rate", vr, "views/dataset", x.datasets));
    out.push_back(row(scope, k, "usage.download_rate", dr, "downloads/dataset", x.datasets));
    out.push_back(row(scope, k, "usage.view_rate_published", vrp, "views/dataset", nb));
    out.push_back(row(scope, k, "usage.download_rate_published", drp, "downloads/dataset", nd));
    out.push_back(row(scope, k, "usage.view_rate_overall", vo, "share", nb));
    out.push_back(row(scope, k, "usage.download_rate_overall", dov, "share", nd));
    out.push_back(row(scope, k, "usage.view_share", vs, "share", nb));
    out.push_back(row(scope, k, "usage.download_share", ds, "share", nd));
    out.push_back(row(scope, k, "platform.datasets", double(x.datasets), "datasets", x.datasets));
  }
}
}  // namespace

std::vector<IndicatorRow> compute_usage(StoreReader& db, int run, const Reference& ref) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);

  std::map<std::string, Tot> by_portal_t, by_theme;
  {
    // Full scan in rowid order: the run index costs a B-tree lookup per row. The per-dataset download
    // rates are summed afterwards in (theme, pk) order within each portal, the order of the
    // (run_id, theme) index this query used before, so the floating-point sums stay the same.
    struct Rate {
      int theme;  // -1 NULL, else rank of the theme in byte order
      Tot* portal;
      double rate;
    };
    std::vector<Rate> rates;
    std::map<std::string, int> theme_ix;  // theme → provisional id (rank assigned below)
    std::string pid, theme;
    // std::map nodes stay put: one hash lookup per row instead of a string-compare walk down the tree.
    std::unordered_map<std::string, Tot*> portal_tot, theme_tot;
    auto tot = [](std::unordered_map<std::string, Tot*>& cache, std::map<std::string, Tot>& m,
                  const std::string& k) -> Tot& {
      auto it = cache.find(k);
      if (it == cache.end()) it = cache.emplace(k, &m[k]).first;
      return *it->second;
    };
    db.dataset_usage(run, [&](const sql::Row& s) {  // portal_id, theme, views, downloads
      pid = s.view(0);
      theme = s.view(1);
      const bool theme_null = s.is_null(1);
      for (int pass = 0; pass < 2; ++pass) {
        if (pass == 1 && theme.empty()) continue;
        auto& x = pass == 0 ? tot(portal_tot, by_portal_t, pid) : tot(theme_tot, by_theme, theme);
        x.datasets++;
        if (!s.is_null(2)) {
          x.nb++;
          x.b += s.f64(2);
          if (pass == 0) x.hist_b[bucket_of(s.f64(2))]++;
        }
        if (!s.is_null(3)) {
          x.nd++;
          x.d += s.f64(3);
          if (pass == 0) x.hist_d[bucket_of(s.f64(3))]++;
        }
        if (!s.is_null(2) && !s.is_null(3)) {
          x.both_b += s.f64(2);
          x.both_d += s.f64(3);
          if (s.f64(2) > 0) {
            x.rate_n++;
            if (pass == 0) {
              int t = -1;
              if (!theme_null) t = theme_ix.emplace(theme, static_cast<int>(theme_ix.size())).first->second;
              rates.push_back({t, &x, s.f64(3) / s.f64(2)});
            } else {
              x.rate_sum += s.f64(3) / s.f64(2);  // not reported per theme
            }
          }
        }
      }
    });
    std::vector<int> rank(theme_ix.size());
    int r = 0;
    for (auto& [t, id] : theme_ix) rank[id] = r++;  // std::map iterates in byte order
    for (auto& x : rates)
      if (x.theme >= 0) x.theme = rank[x.theme];
    std::stable_sort(rates.begin(), rates.end(),
                     [](const Rate& a, const Rate& b) { return a.theme < b.theme; });
    for (auto& x : rates) x.portal->rate_sum += x.rate;
  }
  // Region view: portal rows with group aggregates (views, downloads summed; rates pooled).
  double sum_vr = 0, sum_dr = 0, sum_b = 0, sum_d = 0;
  for (auto& [k, x] : by_portal_t) {
    if (x.nb > 0) sum_vr += x.b / x.datasets;
    if (x.nd > 0) sum_dr += x.d / x.datasets;
    sum_b += x.b;
    sum_d += x.d;
  }
  std::map<std::string, Obs> views, downloads, vr, dr, vo, dov, vs, ds, dpv, below, dsrate, vrp, drp;
  for (auto& [pid, x] : by_portal_t) {
    auto nb = static_cast<long long>(x.nb), nd = static_cast<long long>(x.nd);
    const double n_all = static_cast<double>(x.datasets);
    // The report's rates (appendix 5, 浏览量/数据量) divide by all datasets of the portal; the
    // *_published variants only by the datasets that publish the count.
    if (x.nb > 0) {
      views[pid] = Obs{x.b, 0, nb, ""};
      vr[pid] = Obs{x.b, n_all, x.datasets, ""};
      vrp[pid] = Obs{x.b, x.nb, nb, ""};
      if (sum_vr > 0) vo[pid] = Obs{(x.b / n_all) / sum_vr, 0, x.datasets, ""};
      if (sum_b > 0) vs[pid] = Obs{x.b / sum_b, 0, nb, ""};
    }
    if (x.nd > 0) {
      downloads[pid] = Obs{x.d, 0, nd, ""};
      dr[pid] = Obs{x.d, n_all, x.datasets, ""};
      drp[pid] = Obs{x.d, x.nd, nd, ""};
      if (sum_dr > 0) dov[pid] = Obs{(x.d / n_all) / sum_dr, 0, x.datasets, ""};
      if (sum_d > 0) ds[pid] = Obs{x.d / sum_d, 0, nd, ""};
    }
    if (x.both_b > 0) {
      dpv[pid] = Obs{x.both_d, x.both_b, static_cast<long long>(x.rate_n), ""};
      below[pid] = Obs{x.both_d / x.both_b < 0.5 ? 1.0 : 0.0, 0, 1, ""};
    }
    if (x.rate_n > 0) dsrate[pid] = Obs{x.rate_sum, x.rate_n, static_cast<long long>(x.rate_n), ""};
  }
  emit(out, ps, "usage.views", "views", Agg::Sum, views);
  emit(out, ps, "usage.downloads", "downloads", Agg::Sum, downloads);
  emit(out, ps, "usage.view_rate", "views/dataset", Agg::Ratio, vr);
  emit(out, ps, "usage.download_rate", "downloads/dataset", Agg::Ratio, dr);
  emit(out, ps, "usage.view_rate_published", "views/dataset", Agg::Ratio, vrp);
  emit(out, ps, "usage.download_rate_published", "downloads/dataset", Agg::Ratio, drp);
  emit(out, ps, "usage.view_rate_overall", "share", Agg::Sum, vo);
  emit(out, ps, "usage.download_rate_overall", "share", Agg::Sum, dov);
  emit(out, ps, "usage.view_share", "share", Agg::Sum, vs);
  emit(out, ps, "usage.download_share", "share", Agg::Sum, ds);
  emit(out, ps, "usage.download_per_view", "downloads/view", Agg::Ratio, dpv);
  emit(out, ps, "usage.download_per_view_below50", "portals", Agg::Sum, below);
  emit(out, ps, "usage.dataset_download_per_view", "downloads/view", Agg::Ratio, dsrate);
  // Figure 5-18: one portal's datasets by views and by downloads (value_text bucket=datasets, in order).
  {
    std::map<std::string, Obs> hb, hd;
    auto text = [](const long long* h) {
      std::string t;
      for (int i = 0; i < 7; ++i) t += (i ? ";" : "") + std::string(kBuckets[i]) + "=" + std::to_string(h[i]);
      return t;
    };
    for (auto& [pid, x] : by_portal_t) {
      if (x.nb > 0) hb[pid] = Obs{x.nb, 0, static_cast<long long>(x.nb), text(x.hist_b)};
      if (x.nd > 0) hd[pid] = Obs{x.nd, 0, static_cast<long long>(x.nd), text(x.hist_d)};
    }
    emit(out, ps, "usage.views_histogram", "datasets", Agg::Sum, hb);
    emit(out, ps, "usage.downloads_histogram", "datasets", Agg::Sum, hd);
  }

  // Topic view: the same quantities per unified theme.
  std::vector<std::string> themes = ref.themes;
  for (auto& [t, x] : by_theme)
    if (std::find(themes.begin(), themes.end(), t) == themes.end()) themes.push_back(t);
  usage_rows(out, "theme", by_theme, themes);

  // Apps (§5.3.1).
  auto datasets = db.count_by_portal(run, StoreReader::Counted::kDatasets);
  auto apps = db.count_by_portal(run, StoreReader::Counted::kApps);
  std::map<std::string, Obs> a;
  for (auto& p : ps) {
    double n = apps.count(p.id) ? apps[p.id] : 0;
    a[p.id] = Obs{n, 0, static_cast<long long>(n), ""};
  }
  emit(out, ps, "usage.apps", "apps", Agg::Sum, a);
  std::set<std::string> kinds;
  if (ref.vocab.count("app_kind"))
    for (auto& [k, f] : ref.vocab.at("app_kind")) kinds.insert(k);
  std::map<std::string, std::map<std::string, double>> by_kind;  // kind → portal → apps
  db.apps(run, [&](const sql::Row& s) {  // portal_id, app_kind
    kinds.insert(s.text(1));
    by_kind[s.text(1)][s.text(0)] += 1;
  });
  for (auto& k : kinds) {
    std::map<std::string, double>& m = by_kind[k];
    std::map<std::string, Obs> o;
    for (auto& p : ps) o[p.id] = Obs{m.count(p.id) ? m[p.id] : 0.0, 0, 1, ""};
    emit(out, ps, "usage.apps_kind." + k, "apps", Agg::Sum, o);
  }
  std::map<std::string, double> sample;  // portals publishing datasets
  std::map<std::string, Obs> zero;
  for (auto& [pid, n] : datasets)
    if (n > 0) {
      double c = apps.count(pid) ? apps[pid] : 0;
      sample[pid] = c;
      zero[pid] = Obs{c == 0 ? 1.0 : 0.0, 0, 1, ""};
    }
  emit_stats(out, ps, "usage.apps", "apps", sample);
  emit(out, ps, "usage.zero_app_portals", "portals", Agg::Sum, zero);
  return out;
}

}  // namespace odh::metrics
