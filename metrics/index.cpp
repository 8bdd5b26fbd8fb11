// The composite index (beyond the report): one score per publishing portal over the four layers of the
// report's Table 5-1, with the weights of data/metrics/index_weights.csv, its ranks overall / per level /
// per region, and how the ranks move when the weights change (sensitivity).
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "metrics/internal.h"

namespace odh::metrics {
using namespace detail;

namespace {

// Scores 0–100 per portal for given layer weights; normalized term values are fixed.
struct Scores {
  std::map<std::string, double> total;                        // portal → composite
  std::map<std::string, std::map<std::string, double>> layer;  // portal → layer → score
};

Scores score(const std::vector<std::string>& sample, const std::map<std::string, double>& layer_w,
             const std::vector<Reference::IndexTerm>& terms,
             const std::vector<std::unordered_map<std::string, double>>& norm) {
  Scores s;
  std::map<std::string, double> term_w_sum;
  for (auto& t : terms) term_w_sum[t.layer] += t.weight;
  double lw_sum = 0;
  for (auto& [l, w] : layer_w)
    if (term_w_sum[l] > 0) lw_sum += w;
  for (auto& pid : sample) {
    double total = 0;
    for (auto& [l, w] : layer_w) {
      if (term_w_sum[l] <= 0) continue;
      double v = 0;
      for (size_t i = 0; i < terms.size(); ++i) {
        if (terms[i].layer != l) continue;
        auto it = norm[i].find(pid);
        v += terms[i].weight * (it == norm[i].end() ? 0.0 : it->second);
      }
      v = 100 * v / term_w_sum[l];
      s.layer[pid][l] = v;
      if (lw_sum > 0) total += w * v / lw_sum;
    }
    s.total[pid] = total;
  }
  return s;
}

// Competition ranks (1 = highest score; ties share the better rank), ties broken by nothing.
std::map<std::string, int> ranks(const std::map<std::string, double>& score,
                                 const std::vector<std::string>& members) {
  std::vector<std::pair<double, std::string>> v;
  for (auto& m : members)
    if (auto it = score.find(m); it != score.end()) v.emplace_back(it->second, m);
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::map<std::string, int> r;
  for (size_t i = 0; i < v.size(); ++i)
    r[v[i].second] = (i > 0 && v[i].first == v[i - 1].first) ? r[v[i - 1].second] : static_cast<int>(i) + 1;
  return r;
}

double spearman(const std::map<std::string, int>& a, const std::map<std::string, int>& b) {
  double n = static_cast<double>(a.size()), d2 = 0;
  if (n < 2) return 1;
  for (auto& [k, r] : a) {
    auto it = b.find(k);
    double d = r - (it == b.end() ? r : it->second);
    d2 += d * d;
  }
  return 1 - 6 * d2 / (n * (n * n - 1));
}

}  // namespace

std::vector<IndicatorRow> compute_index(StoreReader& db, int run, const Reference& ref,
                                        const std::vector<IndicatorRow>& rows) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);
  // Sample: publishing portals (≥ 1 dataset), as for the report's §5.
  std::unordered_map<std::string, const IndicatorRow*> portal_rows;  // indicator + '\x1f' + portal
  std::vector<std::string> sample;
  for (auto& r : rows) {
    if (r.scope != "portal") continue;
    portal_rows[r.indicator + '\x1f' + r.scope_key] = &r;
    if (r.indicator == "platform.datasets" && r.value && *r.value > 0) sample.push_back(r.scope_key);
  }
  std::sort(sample.begin(), sample.end());
  // Normalized values per term: transform, then min-max over the sample; direction flips.
  const auto& terms = ref.index_terms;
  std::vector<std::unordered_map<std::string, double>> norm(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) {
    std::unordered_map<std::string, double> raw;
    for (auto& pid : sample) {
      auto it = portal_rows.find(terms[i].indicator + '\x1f' + pid);
      if (it == portal_rows.end() || !it->second->value) continue;
      double v = *it->second->value;
      if (terms[i].log) v = std::log1p(std::max(0.0, v));
      raw[pid] = v;
    }
    if (raw.empty()) continue;
    double lo = raw.begin()->second, hi = lo;
    for (auto& [p, v] : raw) lo = std::min(lo, v), hi = std::max(hi, v);
    for (auto& [p, v] : raw) {
      double x = hi > lo ? (v - lo) / (hi - lo) : 1.0;
      norm[i][p] = terms[i].direction > 0 ? x : 1 - x;
    }
  }
  const Scores base = score(sample, ref.index_layers, terms, norm);

  // Portal rows: composite, layers, ranks (national, within level, within region).
  std::map<std::string, std::vector<std::string>> by_level, by_region;
  std::map<std::string, const Portal*> pmap;
  for (auto& p : ps) pmap[p.id] = &p;
  for (auto& pid : sample)
    if (auto it = pmap.find(pid); it != pmap.end()) {
      by_level[it->second->level].push_back(pid);
      by_region[it->second->region].push_back(pid);
    }
  const auto rank_all = ranks(base.total, sample);
  std::map<std::string, int> rank_level, rank_region;
  for (auto& [k, m] : by_level)
    for (auto& [p, r] : ranks(base.total, m)) rank_level[p] = r;
  for (auto& [k, m] : by_region)
    for (auto& [p, r] : ranks(base.total, m)) rank_region[p] = r;

  // Sensitivity: each layer's weight doubled, then halved (others unchanged), and all layers equal.
  std::vector<std::pair<std::string, std::map<std::string, double>>> scenarios;
  for (auto& [l, w] : ref.index_layers) {
    for (double f : {2.0, 0.5}) {
      auto lw = ref.index_layers;
      lw[l] = w * f;
      scenarios.emplace_back(l + (f > 1 ? "×2" : "×½"), lw);
    }
  }
  {
    auto lw = ref.index_layers;
    for (auto& [l, w] : lw) w = 1;
    scenarios.emplace_back("equal", lw);
  }
  std::map<std::string, int> rmin = rank_all, rmax = rank_all;
  std::string rho_text;
  double shift_sum = 0;
  long long shift_n = 0;
  for (auto& [name, lw] : scenarios) {
    auto s = score(sample, lw, terms, norm);
    auto r = ranks(s.total, sample);
    for (auto& [p, x] : r) {
      rmin[p] = std::min(rmin[p], x);
      rmax[p] = std::max(rmax[p], x);
      shift_sum += std::abs(x - rank_all.at(p));
      shift_n++;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", spearman(rank_all, r));
    rho_text += (rho_text.empty() ? "" : ";") + name + "=" + buf;
  }

  std::map<std::string, Obs> composite, rk, rkl, rkr, lo, hi;
  std::map<std::string, std::map<std::string, Obs>> layers;
  for (auto& pid : sample) {
    const long long n = static_cast<long long>(sample.size());
    composite[pid] = Obs{base.total.at(pid), 0, 1, ""};
    rk[pid] = Obs{double(rank_all.at(pid)), 0, n, ""};
    rkl[pid] = Obs{double(rank_level[pid]), 0, static_cast<long long>(by_level[pmap.count(pid) ? pmap[pid]->level : ""].size()), ""};
    rkr[pid] = Obs{double(rank_region[pid]), 0, static_cast<long long>(by_region[pmap.count(pid) ? pmap[pid]->region : ""].size()), ""};
    lo[pid] = Obs{double(rmin[pid]), 0, static_cast<long long>(scenarios.size()), ""};
    hi[pid] = Obs{double(rmax[pid]), 0, static_cast<long long>(scenarios.size()), ""};
    for (auto& [l, v] : base.layer.at(pid)) layers[l][pid] = Obs{v, 0, 1, ""};
  }
  emit(out, ps, "index.composite", "points", Agg::Mean, composite);
  for (auto& [l, m] : layers) emit(out, ps, "index.layer." + l, "points", Agg::Mean, m);
  auto portal_only = [&](const std::string& id, const std::map<std::string, Obs>& o) {
    for (auto& p : ps) {
      auto it = o.find(p.id);
      out.push_back(row("portal", p.id, id, it == o.end() ? std::nullopt : it->second.num, "rank",
                        it == o.end() ? 0 : it->second.n));
    }
  };
  portal_only("index.rank", rk);
  portal_only("index.rank_level", rkl);
  portal_only("index.rank_region", rkr);
  portal_only("index.rank_min", lo);
  portal_only("index.rank_max", hi);
  out.push_back(row("national", "", "index.sensitivity",
                    shift_n ? std::optional<double>(shift_sum / shift_n) : std::nullopt, "ranks",
                    static_cast<long long>(sample.size()), rho_text));
  return out;
}

}  // namespace odh::metrics
