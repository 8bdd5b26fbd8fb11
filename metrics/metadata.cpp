// §3 metadata: usage of each element of each standard, element groups, name variation (Table 3-8),
// value conformance and the five machine-readable formats.
#include <set>
#include <unordered_map>

#include "metrics/presence.h"

namespace odh::metrics {
using namespace detail;

std::vector<IndicatorRow> compute_metadata(StoreReader& db, int run, const Reference& ref) {
  return detail::compute_metadata(db, run, ref, *load_snapshot(db, run, ref));
}

std::vector<IndicatorRow> detail::compute_metadata(StoreReader& db, int run, const Reference& ref,
                                                   const Snapshot& snap) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);
  const auto& pr = snap.presence;

  std::map<std::string, long long> datasets;
  {
    std::vector<long long> n(pr.portals.size(), 0);
    for (auto& r : pr.rows) n[r.portal_ix]++;
    for (size_t i = 0; i < n.size(); ++i)
      if (n[i]) datasets[pr.portals[i]] = n[i];
  }
  std::map<std::string, std::map<std::string, double>> group_sum, std_sum;  // portal → group → Σ shares
  std::map<std::string, int> group_n, std_n;
  // The groups of report §3.2 are measured over the report's own element lists (standard `rpt`) when the
  // reference has them, else over every standard's elements.
  bool has_rpt = false;
  for (auto& e : ref.elements) has_rpt = has_rpt || e.standard == "rpt";
  for (auto& e : ref.elements) {
    const bool in_group = !has_rpt || e.standard == "rpt";
    std::vector<long long> filled_ix(pr.portals.size(), 0);
    const auto m = pr.mask(pr.indices(e.canonicals));
    for (size_t i = 0; i < pr.rows.size(); ++i)
      if (pr.any(i, m)) filled_ix[pr.rows[i].portal_ix]++;
    std::map<std::string, long long> filled;
    for (size_t i = 0; i < pr.portals.size(); ++i) filled[pr.portals[i]] = filled_ix[i];
    const std::string id = "metadata.element." + e.standard + "." + e.element;
    std::map<std::string, std::optional<bool>> presents;
    for (auto& p : ps) {
      auto n = datasets.count(p.id) ? datasets[p.id] : 0;
      std::optional<double> v;
      if (n) {
        double f = filled.count(p.id) ? filled[p.id] : 0;
        v = f / n;
        presents[p.id] = f > 0;
        if (in_group) group_sum[p.id][e.group] += *v;
        std_sum[p.id][e.standard] += *v;
      }
      out.push_back(row("portal", p.id, id, v, "share", n));
    }
    emit_count(out, ps, id, presents, true);
    if (in_group) group_n[e.group]++;
    std_n[e.standard]++;
  }
  for (auto& [g, cnt] : group_n) {
    std::map<std::string, Obs> o;
    for (auto& [pid, m] : group_sum) o[pid] = Obs{m[g] / cnt, 0, datasets[pid], ""};
    emit(out, ps, "metadata.group." + g, "share", Agg::Mean, o);
  }
  for (auto& [s, cnt] : std_n) {
    std::map<std::string, Obs> o;
    for (auto& [pid, m] : std_sum) o[pid] = Obs{m[s] / cnt, 0, datasets[pid], ""};
    emit(out, ps, "metadata.standard." + s, "share", Agg::Mean, o);
  }

  // Name variation: raw labels used for each canonical field across portals.
  {
    const auto& labels = snap.labels;  // canonical → label → portals
    for (auto& [c, m] : labels) {
      std::map<std::string, long long> counts;
      for (auto& [l, set] : m) counts[l] = static_cast<long long>(set.size());
      out.push_back(row("national", "", "metadata.label_variants." + c, double(m.size()), "labels",
                        static_cast<long long>(m.size()), distribution_text(counts)));
    }
  }

  // Value conformance.
  {
    std::map<std::string, Obs> freq;
    const auto& vocab =
        ref.vocab.count("frequency") ? ref.vocab.at("frequency") : std::map<std::string, std::string>{};
    db.dataset_frequencies(run, [&](const sql::Row& s) {
      auto& o = freq[s.text(0)];
      o.num = o.num.value_or(0) + (vocab.count(s.text(1)) ? 0 : 1);
      o.den += 1;
      o.n++;
    });
    emit(out, ps, "metadata.frequency_nonstandard", "share", Agg::Ratio, freq);
  }
  {
    std::map<std::string, Obs> size;
    for (auto& [portal, v] : snap.size_values) size[portal] = Obs{v.first, double(v.second), v.second, ""};
    emit(out, ps, "metadata.size_without_unit", "share", Agg::Ratio, size);
  }
  {
    // Per portal index, over distributions with a URL: a URL that is not http(s) is bad without a
    // check; an http(s) URL counts once the harvest's file stage probed it (live 0/1). A portal whose
    // links were never probed says "not checked" (NULL), never 0 %.
    struct Links {
      long long bad = 0, judged = 0, unchecked = 0, with_url = 0;
      std::map<std::string, long long> classes;
    };
    std::vector<Links> links(pr.portals.size());
    for (auto& x : snap.dists) {
      if (!x.url) continue;
      auto& l = links[pr.rows[x.row].portal_ix];
      l.with_url++;
      if (!x.url_http) {
        l.bad++, l.judged++;
        l.classes["not-a-url"]++;
      } else if (x.live) {
        l.judged++;
        l.bad += *x.live == 0;
        l.classes[x.link_class.empty() ? (*x.live ? "ok" : "dead") : x.link_class]++;
      } else {
        l.unchecked++;
      }
    }
    std::map<std::string, Obs> bad, checked, classes;
    for (size_t i = 0; i < links.size(); ++i) {
      const Links& l = links[i];
      if (!l.with_url) continue;
      const long long probed = l.judged - (l.classes.count("not-a-url") ? l.classes.at("not-a-url") : 0);
      if (probed > 0 || (l.judged > 0 && l.unchecked == 0))
        bad[pr.portals[i]] = Obs{double(l.bad), double(l.judged), l.judged, ""};
      else
        bad[pr.portals[i]] = Obs{std::nullopt, 0, 0, "not checked"};
      checked[pr.portals[i]] = Obs{double(probed), double(l.with_url - (l.judged - probed)), l.with_url, ""};
      if (!l.classes.empty()) classes[pr.portals[i]] = Obs{double(l.judged), 0, l.judged, distribution_text(l.classes)};
    }
    emit(out, ps, "metadata.bad_links", "share", Agg::Ratio, bad);
    emit(out, ps, "metadata.links_checked", "share", Agg::Ratio, checked);
    emit(out, ps, "metadata.link_classes", "links", Agg::Sum, classes);
  }
  {
    // Portals offering all five of xls, csv, rdf, xml, json (report §3.4: 51 portals).
    static const char* const kFive[] = {"xls", "csv", "rdf", "xml", "json"};
    std::vector<unsigned> offered(pr.portals.size(), 0);  // bit i: kFive[i] offered
    for (auto& x : snap.dists) {
      const std::string f = norm_format(x.format, x.sniffed);
      for (unsigned i = 0; i < 5; ++i)
        if (f == kFive[i]) offered[pr.rows[x.row].portal_ix] |= 1u << i;
    }
    std::unordered_map<std::string, size_t> pix;
    for (size_t i = 0; i < pr.portals.size(); ++i) pix[pr.portals[i]] = i;
    std::map<std::string, Obs> five;
    for (auto& [pid, n] : datasets) {
      bool all = offered[pix.at(pid)] == 0x1f;
      five[pid] = Obs{all ? 1.0 : 0.0, 0, 1, ""};
    }
    emit(out, ps, "metadata.all_five_formats", "portals", Agg::Sum, five);
  }
  return out;
}

}  // namespace odh::metrics
