#include "metrics/internal.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/core.h"

namespace odh::metrics::detail {

std::string tier_of(const Portal& p, const Reference& ref) {
  // County-level portals do not make their city "have a portal"; a municipality's provincial portal does.
  if (p.level == "县区级") return "";
  const std::string& key = p.city.empty() ? p.province : p.city;
  auto it = ref.city_tier.find(key);
  return it == ref.city_tier.end() ? "" : it->second;
}

std::vector<Portal> portals(StoreReader& db, int run, const Reference& ref) {
  std::vector<Portal> v;
  db.portals(run, [&](const sql::Row& s) {
    Portal p{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6), ""};
    p.tier = tier_of(p, ref);
    v.push_back(std::move(p));
  });
  return v;
}

IndicatorRow row(std::string scope, std::string key, std::string id, std::optional<double> v,
                 std::string unit, long long n, std::string text) {
  if (v && !std::isfinite(*v)) v.reset();
  return IndicatorRow{
      std::move(scope), std::move(key), std::move(id), v, std::move(text), std::move(unit), n};
}

namespace {
struct GroupAcc {
  double sum = 0, num = 0, den = 0;
  long long n = 0, computable = 0, members = 0;
};
}  // namespace

std::vector<std::pair<std::string, std::string>> groups_of(const Portal& p) {
  std::vector<std::pair<std::string, std::string>> g{
      {"national", ""}, {"level", p.level}, {"region", p.region}};
  if (!p.tier.empty()) g.emplace_back("tier", p.tier);
  return g;
}

void emit_stats(std::vector<IndicatorRow>& out, const std::vector<Portal>& ps, const std::string& prefix,
                const std::string& unit, const std::map<std::string, double>& values) {
  std::map<std::pair<std::string, std::string>, std::vector<double>> g;
  g[{"national", ""}];
  for (auto& p : ps) {
    auto it = values.find(p.id);
    for (auto& k : groups_of(p)) {
      auto& v = g[k];
      if (it != values.end()) v.push_back(it->second);
    }
  }
  for (auto& [k, v] : g) {
    std::optional<double> mean, median, above, below;
    if (!v.empty()) {
      double s = 0;
      for (double x : v) s += x;
      mean = s / v.size();
      std::sort(v.begin(), v.end());
      median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
      above = 0;
      below = 0;
      for (double x : v) {
        if (x > *mean) *above += 1;
        if (x < *mean) *below += 1;
      }
    }
    long long n = static_cast<long long>(v.size());
    out.push_back(row(k.first, k.second, prefix + "_mean", mean, unit, n));
    out.push_back(row(k.first, k.second, prefix + "_median", median, unit, n));
    out.push_back(row(k.first, k.second, prefix + "_above_mean", above, "portals", n));
    out.push_back(row(k.first, k.second, prefix + "_below_mean", below, "portals", n));
  }
}

void emit(std::vector<IndicatorRow>& out, const std::vector<Portal>& ps, const std::string& id,
          const std::string& unit, Agg agg, const std::map<std::string, Obs>& obs) {
  std::map<std::pair<std::string, std::string>, GroupAcc> acc;
  acc[{"national", ""}];  // national row always exists, even with no portals
  for (const auto& p : ps) {
    auto it = obs.find(p.id);
    std::optional<double> v;
    const Obs* o = it == obs.end() ? nullptr : &it->second;
    if (o && o->num) {
      if (agg == Agg::Ratio) {
        if (o->den > 0) v = *o->num / o->den;
      } else {
        v = o->num;
      }
    }
    out.push_back(row("portal", p.id, id, v, unit, o ? o->n : 0, o ? o->text : ""));
    for (auto& g : groups_of(p)) {
      auto& a = acc[g];
      a.members++;
      if (!o || !o->num) continue;
      a.n += o->n;
      if (agg == Agg::Ratio) {
        a.num += *o->num;
        a.den += o->den;
        if (o->den > 0) a.computable++;
      } else if (v) {
        a.sum += *v;
        a.computable++;
      }
    }
  }
  for (auto& [g, a] : acc) {
    std::optional<double> v;
    long long n = a.computable;
    switch (agg) {
      case Agg::Sum:
        if (a.computable) v = a.sum;
        break;
      case Agg::Mean:
        if (a.computable) v = a.sum / a.computable;
        break;
      case Agg::Ratio:
        if (a.den > 0) v = a.num / a.den;
        n = a.n;
        break;
    }
    out.push_back(row(g.first, g.second, id, v, unit, n));
  }
}

void emit_count(std::vector<IndicatorRow>& out, const std::vector<Portal>& ps, const std::string& id,
                const std::map<std::string, std::optional<bool>>& flag, bool share) {
  std::map<std::pair<std::string, std::string>, GroupAcc> acc;
  acc[{"national", ""}];
  for (const auto& p : ps) {
    auto it = flag.find(p.id);
    std::optional<bool> f = it == flag.end() ? std::nullopt : it->second;
    for (auto& g : groups_of(p)) {
      auto& a = acc[g];
      if (!f) continue;
      a.computable++;
      if (*f) a.sum += 1;
    }
  }
  for (auto& [g, a] : acc) {
    std::optional<double> v;
    if (share) {
      if (a.computable) v = a.sum / a.computable;
    } else {
      v = a.sum;
    }
    out.push_back(row(g.first, g.second, id, v, share ? "share" : "portals", a.computable));
  }
}

std::string distribution_text(const std::map<std::string, long long>& counts, size_t limit) {
  std::vector<std::pair<std::string, long long>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
  if (limit && v.size() > limit) v.resize(limit);
  std::string s;
  for (auto& [k, c] : v) {
    if (!s.empty()) s += ';';
    s += k + "=" + std::to_string(c);
  }
  return s;
}

std::string norm_format(const std::string& declared, const std::string& sniffed) {
  std::string f = sniffed.empty() ? declared : sniffed;
  f.erase(0, f.find_first_not_of(" .\t"));
  while (!f.empty() && (f.back() == ' ' || f.back() == '\t')) f.pop_back();
  std::transform(f.begin(), f.end(), f.begin(), [](unsigned char c) { return std::tolower(c); });
  return f;
}

std::string crawl_date(StoreReader& db, int run) { return db.run_date(run); }

std::optional<long long> days_between(const std::string& a, const std::string& b) {
  auto parse = [](const std::string& s) -> std::optional<std::chrono::sys_days> {
    int y, m, d;
    if (s.size() < 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days(ymd);
  };
  auto x = parse(a), y = parse(b);
  if (!x || !y) return std::nullopt;
  return (*y - *x).count();
}

std::optional<int> previous_run(StoreReader& db, int run) {
  if (auto p = db.previous_run(run)) return static_cast<int>(*p);
  return std::nullopt;
}

int verdict_rank(const std::string& verdict) { return std::max(0, odh::verdict_rank(verdict)); }

}  // namespace odh::metrics::detail
