// §5.4 impact layer: persistence (publication and update recency against the crawl date, update
// frequency, promise kept) and dataset evaluation (rating/comment channels and their use).
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
    if (!s.is_null(1) && (date = s.view(1)) > cur->issued) cur->issued = date;
    std::optional<long long> age;
    if (!s.is_null(2)) {
      date = s.view(2);
      if (date > cur->modified) cur->modified = date;
      auto a = age_of.find(date);
      if (a == age_of.end()) a = age_of.emplace(date, days_between(date, today)).first;
      age = a->second;
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

void recency(std::vector<IndicatorRow>& out, const std::map<std::string, PortalScan>& scan,
             const std::vector<Portal>& ps, bool issued, const std::string& id, const std::string& today) {
  std::map<std::string, std::string> latest;  // portal → max date ('' when none)
  for (auto& [pid, x] : scan) latest[pid] = issued ? x.issued : x.modified;
  std::map<std::pair<std::string, std::string>, std::map<std::string, long long>> g;
  std::map<std::pair<std::string, std::string>, std::pair<double, long long>> days_sum;
  g[{"national", ""}];
  for (auto& p : ps) {
    auto it = latest.find(p.id);
    if (it == latest.end()) {  // no datasets: not in the sample
      out.push_back(row("portal", p.id, id, std::nullopt, "days", 0));
      continue;
    }
    auto d = it->second.empty() ? std::nullopt : days_between(it->second, today);
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
  recency(out, scan, ps, true, "impact.issued_recency", today);
  recency(out, scan, ps, false, "impact.update_recency", today);

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
  return out;
}

}  // namespace odh::metrics
