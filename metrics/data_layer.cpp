// §5.2 data layer: openness (machine-readable formats, by content sniffing when the file was fetched),
// availability (formats offered), usability (terms pages, with evidence), completeness (14 items).
#include <algorithm>
#include <set>
#include <unordered_map>

#include "metrics/presence.h"

namespace odh::metrics {
using namespace detail;

std::vector<IndicatorRow> compute_data(StoreReader& db, int run, const Reference& ref) {
  return detail::compute_data(db, run, ref, *load_snapshot(db, run, ref));
}

std::vector<IndicatorRow> detail::compute_data(StoreReader& db, int run, const Reference& ref,
                                               const Snapshot& snap) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);
  const auto& pr = snap.presence;
  std::map<std::string, double> datasets;  // portal → datasets of the run
  {
    std::vector<long long> n(pr.portals.size(), 0);
    for (auto& r : pr.rows) n[r.portal_ix]++;
    for (size_t i = 0; i < n.size(); ++i)
      if (n[i]) datasets[pr.portals[i]] = static_cast<double>(n[i]);
  }

  // Formats per dataset: (presence row, interned format) pairs, deduplicated by sorting.
  std::vector<std::string> fnames;
  std::unordered_map<std::string, int> fid;
  std::vector<std::pair<int, int>> row_fmt;
  row_fmt.reserve(snap.dists.size());
  // Per portal: distributions judged by their content (a fetched file) and by their label only — a
  // portal whose files were not fetched says so in value_text.
  std::vector<std::pair<long long, long long>> judged_by(pr.portals.size(), {0, 0});
  for (auto& x : snap.dists) {
    auto f = norm_format(x.format, x.sniffed);
    if (f.empty()) continue;
    auto& jb = judged_by[pr.rows[x.row].portal_ix];
    (x.sniffed.empty() ? jb.second : jb.first)++;
    auto it = fid.find(f);
    if (it == fid.end()) {
      it = fid.emplace(f, static_cast<int>(fnames.size())).first;
      fnames.push_back(f);
    }
    row_fmt.emplace_back(x.row, it->second);
  }
  std::sort(row_fmt.begin(), row_fmt.end());
  row_fmt.erase(std::unique(row_fmt.begin(), row_fmt.end()), row_fmt.end());
  std::vector<char> fmt_mr(fnames.size());
  for (size_t i = 0; i < fnames.size(); ++i) {
    auto it = ref.formats.find(fnames[i]);
    fmt_mr[i] = it != ref.formats.end() && it->second.machine_readable;
  }
  const size_t nf = fnames.size();
  std::vector<long long> with_mr_ix(pr.portals.size(), 0), fc_ix(pr.portals.size() * nf, 0);
  for (size_t i = 0; i < row_fmt.size();) {
    const int r = row_fmt[i].first, pix = pr.rows[r].portal_ix;
    bool m = false;
    for (; i < row_fmt.size() && row_fmt[i].first == r; ++i) {
      m = m || fmt_mr[row_fmt[i].second];
      fc_ix[pix * nf + row_fmt[i].second]++;
    }
    with_mr_ix[pix] += m;
  }
  std::map<std::string, Obs> any, share, offered;
  std::set<std::string> all_formats;
  std::map<std::string, std::map<std::string, long long>> per_format;  // portal → format → datasets
  std::unordered_map<std::string, int> portal_ix;
  for (size_t i = 0; i < pr.portals.size(); ++i) portal_ix[pr.portals[i]] = static_cast<int>(i);
  for (auto& [pid, n] : datasets) {
    const int pix = portal_ix.at(pid);
    const long long with_mr = with_mr_ix[pix];
    std::map<std::string, long long> fc;
    for (size_t f = 0; f < nf; ++f)
      if (long long c = fc_ix[pix * nf + f]) {
        fc[fnames[f]] = c;
        all_formats.insert(fnames[f]);
      }
    per_format[pid] = fc;
    any[pid] = Obs{with_mr > 0 ? 1.0 : 0.0, 0, 1, ""};
    share[pid] = Obs{double(with_mr), n, static_cast<long long>(n),
                     "content=" + std::to_string(judged_by[pix].first) + ";label=" + std::to_string(judged_by[pix].second)};
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
    db.terms(run, [&](const sql::Row& s) {
      auto& v = verdict[s.text(0)][s.text(1)];
      // A portal with several terms pages: the most restrictive verdict wins (denied > limited >
      // granted > 未提及), the first one on ties; unknown verdicts rank as 未提及.
      if (v.empty() || verdict_rank(s.text(2)) > verdict_rank(v)) v = s.text(2);
    });
    for (std::string aspect : {"licence", "free_access", "non_discrimination", "free_use", "free_sharing"}) {
      const std::string id = "data." + aspect;
      auto& m = verdict[aspect];
      std::map<std::pair<std::string, std::string>, std::map<std::string, long long>> g;
      std::map<std::pair<std::string, std::string>, std::pair<long long, long long>> pos;  // positive, total
      g[{"national", ""}];
      for (auto& p : ps) {
        auto it = m.find(p.id);
        std::string v;
        if (it != m.end()) {
          v = it->second;
        } else if (datasets.count(p.id)) {
          v = "未提及";  // a publishing portal without a classified terms page: 未明确/未提及, not NULL
        } else {
          out.push_back(row("portal", p.id, id, std::nullopt, "share", 0));
          continue;
        }
        bool ok = (verdict_rank(v) == 1);
        out.push_back(row("portal", p.id, id, ok ? 1.0 : 0.0, "share", 1, v));
        for (auto& k : groups_of(p)) {
          g[k][v]++;
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
    std::map<std::string, long long> n;
    for (auto& r : pr.rows) n[r.portal]++;
    std::map<std::string, double> items_present;
    for (auto& [item, cs] : ref.completeness) {
      std::vector<long long> filled_ix(pr.portals.size(), 0);
      const auto m = pr.mask(pr.indices(cs));
      for (size_t i = 0; i < pr.rows.size(); ++i)
        if (pr.any(i, m)) filled_ix[pr.rows[i].portal_ix]++;
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
