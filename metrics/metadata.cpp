// §3 metadata: usage of each element of each standard, element groups, name variation (Table 3-8),
// value conformance and the five machine-readable formats.
#include <regex>
#include <set>

#include "metrics/presence.h"

namespace odh::metrics {
using namespace detail;

namespace {
bool numeric_only(const std::string& s) {
  static const std::regex re(R"(\s*[0-9]+(\.[0-9]+)?\s*)");
  return std::regex_match(s, re);
}
}  // namespace

std::vector<IndicatorRow> compute_metadata(sqlite3* db, int run, const Reference& ref) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);
  std::vector<std::string> wanted;
  for (auto& e : ref.elements) wanted.insert(wanted.end(), e.canonicals.begin(), e.canonicals.end());
  auto pr = load_presence(db, run, wanted);

  std::map<std::string, long long> datasets;
  for (auto& r : pr.rows) datasets[r.portal]++;
  std::map<std::string, std::map<std::string, double>> group_sum, std_sum;  // portal → group → Σ shares
  std::map<std::string, int> group_n, std_n;
  for (auto& e : ref.elements) {
    std::vector<long long> filled_ix(pr.portals.size(), 0);
    const auto idx = pr.indices(e.canonicals);
    for (auto& r : pr.rows)
      if (Presence::any(r, idx)) filled_ix[r.portal_ix]++;
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
        group_sum[p.id][e.group] += *v;
        std_sum[p.id][e.standard] += *v;
      }
      out.push_back(row("portal", p.id, id, v, "share", n));
    }
    emit_count(out, ps, id, presents, true);
    group_n[e.group]++;
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
    std::map<std::string, std::map<std::string, std::set<std::string>>>
        labels;  // canonical → label → portals
    Stmt s(db,
           "SELECT DISTINCT f.canonical, f.label, d.portal_id FROM dataset_field f JOIN dataset d ON "
           "d.dataset_pk=f.dataset_pk WHERE d.run_id=? AND f.canonical IS NOT NULL");
    s.bind(1, (long long)run);
    while (s.step()) labels[s.text(0)][s.text(1)].insert(s.text(2));
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
    Stmt s(db,
           "SELECT portal_id, frequency_raw FROM dataset WHERE run_id=? AND coalesce(frequency_raw,'')<>''");
    s.bind(1, (long long)run);
    while (s.step()) {
      auto& o = freq[s.text(0)];
      o.num = o.num.value_or(0) + (vocab.count(s.text(1)) ? 0 : 1);
      o.den += 1;
      o.n++;
    }
    emit(out, ps, "metadata.frequency_nonstandard", "share", Agg::Ratio, freq);
  }
  {
    std::map<std::string, Obs> size;
    Stmt s(
        db,
        "SELECT d.portal_id, f.value FROM dataset_field f JOIN dataset d ON d.dataset_pk=f.dataset_pk WHERE "
        "d.run_id=? AND f.canonical IN ('byte_size','size','data_size') AND coalesce(f.value,'')<>''");
    s.bind(1, (long long)run);
    while (s.step()) {
      auto& o = size[s.text(0)];
      o.num = o.num.value_or(0) + (numeric_only(s.text(1)) ? 1 : 0);
      o.den += 1;
      o.n++;
    }
    emit(out, ps, "metadata.size_without_unit", "share", Agg::Ratio, size);
  }
  {
    std::map<std::string, Obs> bad;
    Stmt s(
        db,
        "SELECT d.portal_id, x.url, x.live FROM distribution x JOIN dataset d ON d.dataset_pk=x.dataset_pk "
        "WHERE d.run_id=? AND coalesce(x.url,'')<>''");
    s.bind(1, (long long)run);
    while (s.step()) {
      std::string u = s.text(1);
      bool ok = (u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0) && !(!s.null(2) && s.i64(2) == 0);
      auto& o = bad[s.text(0)];
      o.num = o.num.value_or(0) + (ok ? 0 : 1);
      o.den += 1;
      o.n++;
    }
    emit(out, ps, "metadata.bad_links", "share", Agg::Ratio, bad);
  }
  {
    // Portals offering all five of xls, csv, rdf, xml, json (report §3.4: 51 portals).
    std::map<std::string, std::set<std::string>> offered;
    Stmt s(db,
           "SELECT DISTINCT d.portal_id, coalesce(x.format,''), coalesce(x.sniffed_format,'') FROM "
           "distribution x "
           "JOIN dataset d ON d.dataset_pk=x.dataset_pk WHERE d.run_id=?");
    s.bind(1, (long long)run);
    while (s.step()) offered[s.text(0)].insert(norm_format(s.text(1), s.text(2)));
    std::map<std::string, Obs> five;
    for (auto& [pid, n] : datasets) {
      auto& f = offered[pid];
      bool all = f.count("xls") && f.count("csv") && f.count("rdf") && f.count("xml") && f.count("json");
      five[pid] = Obs{all ? 1.0 : 0.0, 0, 1, ""};
    }
    emit(out, ps, "metadata.all_five_formats", "portals", Agg::Sum, five);
  }
  return out;
}

}  // namespace odh::metrics
