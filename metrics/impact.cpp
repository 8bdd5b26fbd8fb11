// §5.4 impact layer: persistence (publication and update recency against the crawl date, update
// frequency, promise kept) and dataset evaluation (rating/comment channels and their use).
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "metrics/presence.h"

namespace odh::metrics {
using namespace detail;

namespace {
std::string bucket(std::optional<long long> days) {
  if (!days) return "不提供";
  if (*days <= 7) return "一周内";  // dates after the crawl (clock skew) count as recent
  if (*days <= 30) return "一月内";
  if (*days <= 90) return "三月内";
  if (*days <= 182) return "半年内";
  if (*days <= 365) return "一年内";
  return "一年前";
}
// Longest gap a declared frequency allows between updates, in days.
std::optional<int> period_days(const std::string& f) {
  static const std::map<std::string, int> p = {{"实时", 1},    {"每日", 1},     {"每周", 7},  {"每月", 31},
                                               {"每季度", 92}, {"每半年", 183}, {"每年", 366}};
  auto it = p.find(f);
  if (it == p.end()) return std::nullopt;
  return it->second;
}

// Per portal of the run: the latest issued and modified dates ('' when none) and the evaluation
// channel totals, from one full scan (cheaper than the run index: no lookup per row).
struct PortalScan {
  std::string issued, modified;
  // Mean age in days of the datasets' issued / modified dates (the report's 平均更新时间).
  double issued_age_sum = 0, modified_age_sum = 0;
  long long issued_n = 0, modified_n = 0;
  double rating_sum = 0;
  long long rating_n = 0;
  bool channel = false;
  double rating_count = 0, comment_count = 0;
  long long n_rating_count = 0, n_comment_count = 0;
  // Update frequency: integer counts (order-free).
  std::map<std::string, long long> dist;  // frequency → datasets ('未提供' when NULL)
  long long rows = 0, missing = 0, declared = 0, dynamic = 0, kept_n = 0, kept = 0;
};

std::map<std::string, PortalScan> scan_portals(StoreReader& db, int run,
                                               const std::map<std::string, std::string>& freq_vocab,
                                               const std::string& today) {
  std::map<std::string, PortalScan> m;
  std::unordered_map<std::string, PortalScan*> by_pid;               // std::map nodes do not move
  std::unordered_map<std::string, std::optional<long long>> age_of;  // modified date → days to crawl
  std::string pid, date, f;
  // portal_id, issued, modified, has a rating channel, rating_count, comment_count, frequency
  db.dataset_dates(run, [&](const sql::Row& s) {
    pid = s.view(0);
    auto it = by_pid.find(pid);
    if (it == by_pid.end()) it = by_pid.emplace(pid, &m[pid]).first;
    PortalScan* cur = it->second;
    auto age_at = [&](const std::string& d) {
      auto a = age_of.find(d);
      if (a == age_of.end()) a = age_of.emplace(d, days_between(d, today)).first;
      return a->second;
    };
    if (!s.is_null(1)) {
      date = s.view(1);
      if (date > cur->issued) cur->issued = date;
      if (auto a = age_at(date)) cur->issued_age_sum += std::max(0LL, *a), cur->issued_n++;
    }
    std::optional<long long> age;
    if (!s.is_null(2)) {
      date = s.view(2);
      if (date > cur->modified) cur->modified = date;
      age = age_at(date);
      if (age) cur->modified_age_sum += std::max(0LL, *age), cur->modified_n++;
    }
    cur->channel |= s.i64(3) != 0;
    if (!s.is_null(4)) cur->rating_count += s.f64(4), cur->n_rating_count++;
    if (!s.is_null(5)) cur->comment_count += s.f64(5), cur->n_comment_count++;
    f = s.view(6);
    cur->dist[f.empty() ? "未提供" : f]++;
    cur->rows++;
    cur->missing += f.empty() ? 1 : 0;
    if (!f.empty()) {
      auto v = freq_vocab.find(f);
      cur->declared++;
      cur->dynamic += v != freq_vocab.end() && v->second == "dynamic" ? 1 : 0;
    }
    auto per = period_days(f);
    if (per && age) {
      cur->kept_n++;
      cur->kept += *age <= *per ? 1 : 0;
    }
  });
  return m;
}

// mean = true: the portal's value is the mean age of its datasets' dates (the report's "平均更新时间");
// else the age of its latest date.
void recency(std::vector<IndicatorRow>& out, const std::map<std::string, PortalScan>& scan,
             const std::vector<Portal>& ps, bool issued, const std::string& id, const std::string& today,
             bool mean) {
  std::map<std::string, std::optional<long long>> age;  // portal → days (nullopt: no parseable date)
  for (auto& [pid, x] : scan) {
    if (mean) {
      double sum = issued ? x.issued_age_sum : x.modified_age_sum;
      long long n = issued ? x.issued_n : x.modified_n;
      age[pid] = n ? std::optional<long long>(std::llround(sum / n)) : std::nullopt;
    } else {
      const std::string& d = issued ? x.issued : x.modified;
      age[pid] = d.empty() ? std::nullopt : days_between(d, today);
    }
  }
  std::map<std::pair<std::string, std::string>, std::map<std::string, long long>> g;
  std::map<std::pair<std::string, std::string>, std::pair<double, long long>> days_sum;
  g[{"national", ""}];
  for (auto& p : ps) {
    auto it = age.find(p.id);
    if (it == age.end()) {  // no datasets: not in the sample
      out.push_back(row("portal", p.id, id, std::nullopt, "days", 0));
      continue;
    }
    auto d = it->second;
    auto b = bucket(d);
    out.push_back(
        row("portal", p.id, id, d ? std::optional<double>(*d) : std::nullopt, "days", d ? 1 : 0, b));
    for (auto& k : groups_of(p)) {
      g[k][b]++;
      if (d) {
        days_sum[k].first += *d;
        days_sum[k].second++;
      }
    }
  }
  for (auto& [k, m] : g) {
    auto [sum, n] = days_sum[k];
    out.push_back(row(k.first, k.second, id, n ? std::optional<double>(sum / n) : std::nullopt, "days", n,
                      distribution_text(m)));
  }
}
}  // namespace

std::vector<IndicatorRow> compute_impact(StoreReader& db, int run, const Reference& ref) {
  return detail::compute_impact(db, run, ref, *load_snapshot(db, run, ref));
}

std::vector<IndicatorRow> detail::compute_impact(StoreReader& db, int run, const Reference& ref,
                                                 const Snapshot& snap) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);
  const std::string today = crawl_date(db, run);
  const auto freq_vocab =
      ref.vocab.count("frequency") ? ref.vocab.at("frequency") : std::map<std::string, std::string>{};
  const auto scan = scan_portals(db, run, freq_vocab, today);
  recency(out, scan, ps, true, "impact.issued_recency", today, true);
  recency(out, scan, ps, false, "impact.update_recency", today, true);
  recency(out, scan, ps, true, "impact.issued_latest", today, false);
  recency(out, scan, ps, false, "impact.update_latest", today, false);

  // Update frequency.
  std::map<std::string, Obs> declared, dynamic, missing, kept;
  std::map<std::string, std::map<std::string, long long>> dist;  // portal → frequency → datasets
  for (auto& [p, a] : scan) {
    dist[p] = a.dist;
    missing[p] = Obs{double(a.missing), double(a.rows), a.rows, ""};
    if (a.declared) dynamic[p] = Obs{double(a.dynamic), double(a.declared), a.declared, ""};
    if (a.kept_n) kept[p] = Obs{double(a.kept), double(a.kept_n), a.kept_n, ""};
  }
  for (auto& [pid, m] : dist) {
    auto& o = declared[pid];
    o.den = 0;
    for (auto& [f, c] : m) {
      o.den += c;
      if (f != "未提供") o.num = o.num.value_or(0) + c;
    }
    if (!o.num) o.num = 0;
    o.n = static_cast<long long>(o.den);
    o.text = distribution_text(m);
  }
  emit(out, ps, "impact.frequency", "share", Agg::Ratio, declared);
  // Group rows of impact.frequency also carry the pooled distribution.
  {
    std::map<std::pair<std::string, std::string>, std::map<std::string, long long>> g;
    for (auto& p : ps)
      if (dist.count(p.id))
        for (auto& k : groups_of(p))
          for (auto& [f, c] : dist[p.id]) g[k][f] += c;
    for (auto& r : out)
      if (r.indicator == "impact.frequency" && r.scope != "portal")
        r.value_text = distribution_text(g[{r.scope, r.scope_key}]);
  }
  emit(out, ps, "impact.dynamic_share", "share", Agg::Ratio, dynamic);
  // Figures 5-22/5-23 classify platforms, not datasets: a portal's frequency is the one most of its
  // datasets declare (ties: the more frequent term), dynamic when that term is dynamic.
  {
    static const std::vector<std::string> order = {"实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期", "不更新"};
    auto rank = [&](const std::string& f) {
      auto it = std::find(order.begin(), order.end(), f);
      return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
    };
    std::map<std::string, Obs> cls, dyn;
    for (auto& [pid, m] : dist) {
      std::string best;
      long long best_n = 0, total = 0;
      for (auto& [f, c] : m) {
        if (f == "未提供") continue;
        total += c;
        if (c > best_n || (c == best_n && rank(f) < rank(best))) best = f, best_n = c;
      }
      if (best.empty()) {
        cls[pid] = Obs{std::nullopt, 0, 0, "未提供"};
        dyn[pid] = Obs{std::nullopt, 0, 0, "未提供"};
        continue;
      }
      auto v = freq_vocab.find(best);
      bool is_dyn = v != freq_vocab.end() && v->second == "dynamic";
      cls[pid] = Obs{double(best_n) / total, 0, total, best};
      dyn[pid] = Obs{is_dyn ? 1.0 : 0.0, 0, 1, is_dyn ? "动态" : "静态"};
    }
    const size_t a = out.size();
    emit(out, ps, "impact.platform_frequency", "share", Agg::Mean, cls);
    const size_t b = out.size();
    emit(out, ps, "impact.platform_dynamic", "share", Agg::Mean, dyn);
    // Group rows: portals per class (value_text), over portals with datasets.
    std::map<std::pair<std::string, std::string>, std::map<std::string, long long>> gc, gd;
    for (auto& p : ps) {
      auto c = cls.find(p.id);
      if (c == cls.end()) continue;
      for (auto& k : groups_of(p)) {
        gc[k][c->second.text]++;
        gd[k][dyn[p.id].text]++;
      }
    }
    for (size_t i = a; i < out.size(); ++i) {
      if (out[i].scope == "portal") continue;
      auto& m = (i < b ? gc : gd)[{out[i].scope, out[i].scope_key}];
      out[i].value_text = distribution_text(m);
    }
  }
  emit(out, ps, "impact.frequency_missing_share", "share", Agg::Ratio, missing);
  emit(out, ps, "impact.promise_kept", "share", Agg::Ratio, kept);

  // Evaluation channel: a portal has one when its datasets publish a rating, a rating count or a
  // comment count (even zero).
  std::map<std::string, Obs> channel, ratings, comments, unused, dims;
  for (auto& [pid, x] : scan) {
    bool ch = x.channel;
    channel[pid] = Obs{ch ? 1.0 : 0.0, 0, 1, ""};
    if (x.n_rating_count) ratings[pid] = Obs{x.rating_count, 0, x.n_rating_count, ""};
    if (x.n_comment_count) comments[pid] = Obs{x.comment_count, 0, x.n_comment_count, ""};
    if (ch) unused[pid] = Obs{(x.rating_count + x.comment_count) == 0 ? 1.0 : 0.0, 0, 1, ""};
  }
  {
    for (auto& [pid, l] : snap.rating_labels) dims[pid] = Obs{double(l.second), 0, 1, l.first};
    for (auto& [pid, c] : channel)
      if (!dims.count(pid)) dims[pid] = Obs{0.0, 0, 1, ""};
  }
  emit(out, ps, "impact.rating_channel", "share", Agg::Mean, channel);
  emit(out, ps, "impact.ratings", "ratings", Agg::Sum, ratings);
  emit(out, ps, "impact.comments", "comments", Agg::Sum, comments);
  emit(out, ps, "impact.unused_channel", "portals", Agg::Sum, unused);
  emit(out, ps, "impact.rating_dimensions", "dimensions", Agg::Mean, dims);
  // 数据集评价 满意程度: the mean published rating of the portal's datasets (pooled for groups).
  {
    std::map<std::string, Obs> mean;
    db.dataset_columns(run, {"rating"}, [&](const sql::Row& s) {  // pk, portal, fetch, cells, open, rating
      if (s.is_null(5)) return;
      auto& o = mean[s.text(1)];
      o.num = o.num.value_or(0) + s.f64(5);
      o.den += 1;
      o.n++;
    });
    emit(out, ps, "impact.rating_mean", "rating", Agg::Ratio, mean);
  }
  return out;
}

}  // namespace odh::metrics
