// §5.2 data layer: openness (machine-readable formats, by content sniffing when the file was fetched),
// availability (formats offered), usability (terms pages, with evidence), completeness (14 items).
#include <set>

#include "metrics/presence.h"

namespace odh::metrics {
using namespace detail;

namespace {
// Verdicts that grant the right (terms.verdict vocabulary of the parsers room).
const std::set<std::string> kPositive = {"授予", "保障", "不限时免费", "可自由传播", "granted"};
}  // namespace

int detail::verdict_rank(const std::string& v) {
  if (kPositive.count(v)) return 1;
  if (v == "现阶段免费" || v == "受限") return 2;
  if (v == "收费" || v == "禁止") return 3;
  return 0;
}

std::vector<IndicatorRow> compute_data(sqlite3* db, int run, const Reference& ref) {
  return detail::compute_data(db, run, ref, *load_snapshot(db, run, ref));
}

std::vector<IndicatorRow> detail::compute_data(sqlite3* db, int run, const Reference& ref,
                                               const Snapshot& snap) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);
  auto datasets =
      by_portal(db, "SELECT portal_id, count(*) FROM dataset WHERE run_id=? GROUP BY portal_id", run);

  // Formats per dataset.
  std::map<std::string, std::map<long long, std::set<std::string>>> fmts;  // portal → dataset → formats
  for (auto& x : snap.dists) {
    auto f = norm_format(x.format, x.sniffed);
    const auto& r = snap.presence.rows[x.row];
    if (!f.empty()) fmts[r.portal][r.pk].insert(f);
  }
  auto mr = [&](const std::string& f) {
    auto it = ref.formats.find(f);
    return it != ref.formats.end() && it->second.machine_readable;
  };
  std::map<std::string, Obs> any, share, offered;
  std::set<std::string> all_formats;
  std::map<std::string, std::map<std::string, long long>> per_format;  // portal → format → datasets
  for (auto& [pid, n] : datasets) {
    long long with_mr = 0;
    std::map<std::string, long long> fc;
    for (auto& [pk, set] : fmts[pid]) {
      bool m = false;
      for (auto& f : set) {
        m = m || mr(f);
        fc[f]++;
        all_formats.insert(f);
      }
      with_mr += m;
    }
    per_format[pid] = fc;
    any[pid] = Obs{with_mr > 0 ? 1.0 : 0.0, 0, 1, ""};
    share[pid] = Obs{double(with_mr), n, static_cast<long long>(n), ""};
    std::string list;
    for (auto& [f, c] : fc) list += (list.empty() ? "" : ";") + f;
    offered[pid] = Obs{double(fc.size()), 0, 1, list};
  }
  emit(out, ps, "data.machine_readable_any", "share", Agg::Mean, any);
  emit(out, ps, "data.machine_readable_share", "share", Agg::Ratio, share);
  emit(out, ps, "data.formats_offered", "formats", Agg::Mean, offered);
  for (auto& f : all_formats) {
    const std::string id = "data.format_coverage." + f;
    std::map<std::string, std::optional<bool>> has;
    for (auto& p : ps) {
      std::optional<double> v;
      long long n = datasets.count(p.id) ? static_cast<long long>(datasets[p.id]) : 0;
      if (n) {
        long long c = per_format[p.id].count(f) ? per_format[p.id][f] : 0;
        v = double(c) / n;
        has[p.id] = c > 0;
      }
      out.push_back(row("portal", p.id, id, v, "share", n));
    }
    emit_count(out, ps, id, has, true);
  }

  // Usability from the terms pages: one verdict per aspect per portal, with its evidence in `terms`.
  {
    std::map<std::string, std::map<std::string, std::string>> verdict;  // aspect → portal → verdict
    Stmt s(db, "SELECT aspect, portal_id, verdict FROM terms WHERE run_id=? ORDER BY rowid");
    s.bind(1, (long long)run);
    while (s.step()) {
      auto& v = verdict[s.text(0)][s.text(1)];
      // A portal with several terms pages: the most restrictive verdict wins (denied > limited >
      // granted > 未提及), the first one on ties; unknown verdicts rank as 未提及.
      if (v.empty() || verdict_rank(s.text(2)) > verdict_rank(v)) v = s.text(2);
    }
    for (std::string aspect : {"licence", "free_access", "non_discrimination", "free_use", "free_sharing"}) {
      const std::string id = "data." + aspect;
      auto& m = verdict[aspect];
      std::map<std::pair<std::string, std::string>, std::map<std::string, long long>> g;
      std::map<std::pair<std::string, std::string>, std::pair<long long, long long>> pos;  // positive, total
      g[{"national", ""}];
      for (auto& p : ps) {
        auto it = m.find(p.id);
        if (it == m.end()) {
          out.push_back(row("portal", p.id, id, std::nullopt, "share", 0));
          continue;
        }
        bool ok = kPositive.count(it->second) > 0;
        out.push_back(row("portal", p.id, id, ok ? 1.0 : 0.0, "share", 1, it->second));
        for (auto& k : groups_of(p)) {
          g[k][it->second]++;
          pos[k].first += ok;
          pos[k].second++;
        }
      }
      for (auto& [k, d] : g) {
        auto [a, b] = pos[k];
        out.push_back(row(k.first, k.second, id, b ? std::optional<double>(double(a) / b) : std::nullopt,
                          "share", b, distribution_text(d)));
      }
    }
  }

  // Completeness: the 14 basic items.
  {
    const auto& pr = snap.presence;
    std::map<std::string, long long> n;
    for (auto& r : pr.rows) n[r.portal]++;
    std::map<std::string, double> items_present;
    for (auto& [item, cs] : ref.completeness) {
      std::vector<long long> filled_ix(pr.portals.size(), 0);
      const auto idx = pr.indices(cs);
      for (auto& r : pr.rows)
        if (Presence::any(r, idx)) filled_ix[r.portal_ix]++;
      std::map<std::string, long long> filled;
      for (size_t i = 0; i < pr.portals.size(); ++i) filled[pr.portals[i]] = filled_ix[i];
      const std::string id = "data.completeness." + item;
      std::map<std::string, std::optional<bool>> has;
      for (auto& p : ps) {
        std::optional<double> v;
        if (n.count(p.id)) {
          long long f = filled.count(p.id) ? filled[p.id] : 0;
          v = double(f) / n[p.id];
          has[p.id] = f > 0;
          items_present[p.id] += f > 0;
        }
        out.push_back(row("portal", p.id, id, v, "share", n.count(p.id) ? n[p.id] : 0));
      }
      emit_count(out, ps, id, has, true);
    }
    std::map<std::string, Obs> comp;
    for (auto& [pid, c] : n)
      comp[pid] =
          Obs{ref.completeness.empty() ? std::nullopt
                                       : std::optional<double>(items_present[pid] / ref.completeness.size()),
              0, c, ""};
    emit(out, ps, "data.completeness", "share", Agg::Mean, comp);
  }
  return out;
}

}  // namespace odh::metrics
