// Platform construction (§2) and the platform layer of §5.1: counts, coverage against the
// administrative units, kinds, reachability, year over year, topics, content, capacity.
#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "metrics/presence.h"

namespace odh::metrics {
using namespace detail;

namespace {

// Counts of datasets / APIs / apps per portal (0 for portals with none).
std::map<std::string, Obs> counts(const std::vector<Portal>& ps, const std::map<std::string, double>& m) {
  std::map<std::string, Obs> o;
  for (auto& p : ps) {
    auto it = m.find(p.id);
    double v = it == m.end() ? 0 : it->second;
    o[p.id] = Obs{v, 0, static_cast<long long>(v), ""};
  }
  return o;
}

void coverage(std::vector<IndicatorRow>& out, const std::vector<Portal>& ps, const Reference& ref) {
  // By level: portals at the level / administrative units at the level.
  std::map<std::string, long long> per_level;
  for (auto& p : ps) per_level[p.level]++;
  long long units_total = 0, portals_total = 0;
  for (auto& [level, units] : ref.units_by_level) {
    long long n = per_level.count(level) ? per_level[level] : 0;
    units_total += units;
    portals_total += n;
    out.push_back(row("level", level, "platform.coverage",
                      units ? std::optional<double>(double(n) / units) : std::nullopt, "share", n));
  }
  out.push_back(row("national", "", "platform.coverage",
                    units_total ? std::optional<double>(double(portals_total) / units_total) : std::nullopt,
                    "share", portals_total));
  // By city tier: distinct ranked cities with a city-level (or municipal) portal / cities in the tier.
  std::map<std::string, std::set<std::string>> cities;
  for (auto& p : ps)
    if (!p.tier.empty()) cities[p.tier].insert(p.city.empty() ? p.province : p.city);
  for (auto& [tier, size] : ref.tier_sizes) {
    long long n = cities.count(tier) ? cities[tier].size() : 0;
    out.push_back(row("tier", tier, "platform.coverage",
                      size ? std::optional<double>(double(n) / size) : std::nullopt, "share", n));
  }
}

void year_over_year(std::vector<IndicatorRow>& out, StoreReader& db, int run, const std::vector<Portal>& ps,
                    const Reference& ref) {
  const char* ids[] = {"platform.new_portals", "platform.cancelled_portals", "platform.to_independent",
                       "platform.to_embedded"};
  auto prev = previous_run(db, run);
  if (!prev) {
    for (auto id : ids) out.push_back(row("national", "", id, std::nullopt, "portals", 0));
    return;
  }
  auto before = portals(db, *prev, ref);
  std::map<std::string, const Portal*> b, a;
  for (auto& p : before) b[p.id] = &p;
  for (auto& p : ps) a[p.id] = &p;
  std::map<std::string, std::optional<bool>> fresh, to_ind, to_emb, gone;
  for (auto& p : ps) {
    auto it = b.find(p.id);
    fresh[p.id] = it == b.end();
    to_ind[p.id] = it != b.end() && it->second->kind == "embedded" && p.kind == "independent";
    to_emb[p.id] = it != b.end() && it->second->kind == "independent" && p.kind == "embedded";
  }
  std::vector<Portal> cancelled;
  for (auto& p : before)
    if (!a.count(p.id)) {
      cancelled.push_back(p);
      gone[p.id] = true;
    }
  const size_t first = out.size();
  emit_count(out, ps, ids[0], fresh, false);
  const size_t mid = out.size();
  emit_count(out, cancelled, ids[1], gone, false);
  const size_t last = out.size();
  emit_count(out, ps, ids[2], to_ind, false);
  emit_count(out, ps, ids[3], to_emb, false);
  // Figure 2-5: new and cancelled portals by kind (value_text independent=…;embedded=…, per group).
  auto by_kind = [&](const std::vector<Portal>& members, const std::map<std::string, std::optional<bool>>& f,
                     size_t from, size_t to) {
    std::map<std::pair<std::string, std::string>, std::map<std::string, long long>> g;
    for (auto& p : members) {
      auto it = f.find(p.id);
      if (it == f.end() || !it->second || !*it->second) continue;
      for (auto& k : groups_of(p)) g[k][p.kind]++;
    }
    for (size_t i = from; i < to; ++i) {
      auto& m = g[{out[i].scope, out[i].scope_key}];
      out[i].value_text = "independent=" + std::to_string(m["independent"]) +
                          ";embedded=" + std::to_string(m["embedded"]);
    }
  };
  by_kind(ps, fresh, first, mid);
  by_kind(cancelled, gone, mid, last);
}

}  // namespace

std::vector<IndicatorRow> compute_platform(StoreReader& db, int run, const Reference& ref) {
  return detail::compute_platform(db, run, ref, *load_snapshot(db, run, ref));
}

std::vector<IndicatorRow> detail::compute_platform(StoreReader& db, int run, const Reference& ref,
                                                   const Snapshot& snap) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);

  std::map<std::string, Obs> one, independent, embedded;
  for (auto& p : ps) {
    one[p.id] = Obs{1.0, 0, 1, p.kind};
    independent[p.id] = Obs{p.kind == "independent" ? 1.0 : 0.0, 0, 1, ""};
    embedded[p.id] = Obs{p.kind == "embedded" ? 1.0 : 0.0, 0, 1, ""};
  }
  emit(out, ps, "platform.portals", "portals", Agg::Sum, one);
  // Figure 2-7 (region × level) and the map of figure 2-1 (province): portal counts, value_text the kinds.
  {
    std::map<std::pair<std::string, std::string>, std::map<std::string, long long>> g;
    for (auto& p : ps) {
      g[{"region_level", p.region + "/" + p.level}][p.kind]++;
      if (!p.province.empty()) g[{"province", p.province}][p.kind]++;
    }
    for (auto& [k, m] : g) {
      long long n = 0;
      for (auto& [kind, c] : m) n += c;
      out.push_back(row(k.first, k.second, "platform.portals", double(n), "portals", n, distribution_text(m)));
    }
  }
  // Share of all portals of the run (the report's §2 shares use a base of 671 = Σ of its level counts,
  // its kind shares 670; docs/indicators.md).
  {
    std::map<std::string, long long> g;
    for (auto& p : ps)
      for (auto& k : groups_of(p)) g[k.first + "\x1f" + k.second]++;
    for (auto& [k, n] : g) {
      auto sep = k.find('\x1f');
      out.push_back(row(k.substr(0, sep), k.substr(sep + 1), "platform.portals_share",
                        ps.empty() ? std::nullopt : std::optional<double>(double(n) / ps.size()), "share",
                        n));
    }
    if (ps.empty()) out.push_back(row("national", "", "platform.portals_share", std::nullopt, "share", 0));
  }
  coverage(out, ps, ref);
  emit(out, ps, "platform.independent_share", "share", Agg::Mean, independent);
  emit(out, ps, "platform.embedded_share", "share", Agg::Mean, embedded);
  year_over_year(out, db, run, ps, ref);

  // Reachability and error classes.
  auto datasets = db.count_by_portal(run, StoreReader::Counted::kDatasets);
  std::map<std::string, Obs> reach, publishing, errors;
  {
    db.portal_status(run, [&](const sql::Row& s) {  // portal_id, reachable, error_class
      std::string id = s.text(0);
      bool r = s.i64(1) != 0;
      reach[id] = Obs{r ? 1.0 : 0.0, 0, 1, r ? "" : s.text(2)};
      bool pub = r && datasets.count(id) && datasets[id] > 0;
      publishing[id] = Obs{pub ? 1.0 : 0.0, 0, 1, ""};
      if (!r) errors[id] = Obs{1.0, 0, 1, s.text(2).empty() ? "unknown" : s.text(2)};
    });
  }
  emit(out, ps, "platform.reachable_share", "share", Agg::Mean, reach);
  emit(out, ps, "platform.publishing", "portals", Agg::Sum, publishing);
  emit(out, ps, "platform.publishing_share", "share", Agg::Mean, publishing);
  {
    std::map<std::string, std::map<std::string, long long>> g;
    g["national\x1f"];
    for (auto& p : ps) {
      auto it = errors.find(p.id);
      out.push_back(row("portal", p.id, "platform.error_class", it == errors.end() ? 0.0 : 1.0, "portals",
                        reach.count(p.id), it == errors.end() ? "" : it->second.text));
      for (auto& k : groups_of(p)) {
        auto& m = g[k.first + "\x1f" + k.second];
        if (it != errors.end()) m[it->second.text]++;
      }
    }
    for (auto& [k, m] : g) {
      long long total = 0;
      for (auto& [c, n] : m) total += n;
      auto sep = k.find('\x1f');
      out.push_back(row(k.substr(0, sep), k.substr(sep + 1), "platform.error_class", double(total), "portals",
                        total, distribution_text(m)));
    }
  }

  // Content: datasets, APIs (apps are in the usage layer).
  auto apis = db.count_by_portal(run, StoreReader::Counted::kApis);
  emit(out, ps, "platform.datasets", "datasets", Agg::Sum, counts(ps, datasets));
  emit(out, ps, "platform.apis", "apis", Agg::Sum, counts(ps, apis));
  // Statistics over portals publishing datasets (the report's sample: portals with ≥1 dataset).
  std::map<std::string, double> published;
  for (auto& [id, n] : datasets)
    if (n > 0) published[id] = n;
  emit_stats(out, ps, "platform.datasets", "datasets", published);
  {
    std::vector<std::pair<double, std::string>> v;
    for (auto& [id, n] : published) v.emplace_back(n, id);
    std::sort(v.begin(), v.end(),
              [](auto& x, auto& y) { return x.first != y.first ? x.first > y.first : x.second < y.second; });
    std::string t;
    for (size_t i = 0; i < v.size() && i < 10; ++i)
      t += (t.empty() ? "" : ";") + v[i].second + "=" + std::to_string((long long)v[i].first);
    double top = 0, all = 0;
    for (size_t i = 0; i < v.size(); ++i) (i < 10 ? top : all) += v[i].first;
    all += top;
    // The report's "排名前十的数据中，占比 55.77%": the largest portal's share of the top-10 total.
    out.push_back(row("national", "", "platform.datasets_top10",
                      top > 0 ? std::optional<double>(v[0].first / top) : std::nullopt, "share",
                      std::min<size_t>(10, v.size()), t));
    out.push_back(row("national", "", "platform.datasets_top10_of_all",
                      all > 0 ? std::optional<double>(top / all) : std::nullopt, "share",
                      std::min<size_t>(10, v.size()), t));
  }
  std::map<std::string, Obs> has_api, zero_api;
  for (auto& [id, n] : published) {
    bool a = apis.count(id) && apis[id] > 0;
    has_api[id] = Obs{a ? 1.0 : 0.0, 0, 1, ""};
    zero_api[id] = Obs{a ? 0.0 : 1.0, 0, 1, ""};
  }
  emit(out, ps, "platform.api_share", "share", Agg::Mean, has_api);
  emit(out, ps, "platform.zero_api_portals", "portals", Agg::Sum, zero_api);

  // Topics: the portal's own topic list, else the distinct topic names on its datasets.
  auto topics = db.count_by_portal(run, StoreReader::Counted::kTopicNames);
  // Topic names per portal: the topic table, and the datasets' topic_raw (one full scan).
  std::map<std::string, std::set<std::string>> table_names, ds_names;
  std::map<std::string, std::map<std::string, long long>> topic_datasets;  // portal → topic_raw → datasets
  {
    db.topics(run, [&](const sql::Row& s) { table_names[s.text(0)].insert(s.text(1)); });
    // Per portal, an unordered set first (one hash per dataset), sorted into ds_names at the end.
    std::unordered_map<std::string, std::unordered_map<std::string, long long>> names;
    std::string pid, topic;
    std::unordered_map<std::string, long long>* cur = nullptr;
    db.dataset_topics(run, [&](const sql::Row& d) {  // portal_id, topic_raw
      if (!cur || d.view(0) != pid) pid = d.view(0), cur = &names[pid];
      topic = d.view(1);
      (*cur)[topic]++;
    });
    for (auto& [p, counts] : names) {
      std::map<std::string, long long> sorted(counts.begin(), counts.end());
      for (auto& [n, c] : sorted) ds_names[p].insert(n);
      topic_datasets[p] = std::move(sorted);
    }
  }
  // Figures 5-3 and 5-5: datasets per topic of each portal (value = topics with datasets).
  {
    std::map<std::string, Obs> o;
    for (auto& [pid, m] : topic_datasets) {
      long long n = 0;
      for (auto& [t, c] : m) n += c;
      o[pid] = Obs{double(m.size()), 0, n, distribution_text(m)};
    }
    emit(out, ps, "platform.topic_datasets", "topics", Agg::Sum, o);
  }
  std::map<std::string, double> ds_topics;
  for (auto& [id, names] : ds_names) ds_topics[id] = double(names.size());
  for (auto& [id, n] : ds_topics)
    if (!topics.count(id)) topics[id] = n;
  std::map<std::string, Obs> tobs, lt3;
  for (auto& [id, n] : topics) {
    tobs[id] = Obs{n, 0, 1, ""};
    lt3[id] = Obs{n < 3 ? 1.0 : 0.0, 0, 1, ""};
  }
  emit(out, ps, "platform.topics", "topics", Agg::Mean, tobs);
  {
    std::map<std::string, double> sample;
    for (auto& [id, n] : topics)
      if (published.count(id)) sample[id] = n;
    emit_stats(out, ps, "platform.topics", "topics", sample);
  }
  emit(out, ps, "platform.topics_lt3", "portals", Agg::Sum, lt3);
  {
    // Distinct portals per name: a portal's own topic list, else its datasets' topic names.
    std::map<std::string, long long> freq;
    long long total = 0;
    for (auto& [pid, names] : table_names)
      for (auto& n : names) freq[n]++, total++;
    for (auto& [pid, names] : ds_names)
      if (!table_names.count(pid))
        for (auto& n : names) freq[n]++, total++;
    out.push_back(row("national", "", "platform.topic_names",
                      freq.empty() ? std::nullopt : std::optional<double>(freq.size()), "names", total,
                      distribution_text(freq, 100)));
  }

  // Capacity (数据容量): Σ rows × fields per dataset, from the downloaded file when known, else from
  // the 数据量 × 数据项 metadata.
  {
    std::map<std::string, Obs> cap;
    const auto& rows = snap.presence.rows;
    std::vector<std::optional<double>> file_cells(rows.size());
    std::vector<char> file_exact(rows.size(), 0);  // the file was read whole (not a first-bytes count)
    // Appendix 6: only downloadable, structured datasets count: a distribution with an http(s) URL in a
    // machine-readable format (formats.csv).
    std::vector<char> structured(rows.size(), 0);
    for (auto& x : snap.dists) {
      if (x.cells && (!file_cells[x.row] || *x.cells > *file_cells[x.row])) {
        file_cells[x.row] = x.cells;
        file_exact[x.row] = !x.cells_lower_bound;
      }
      if (!x.url_http) continue;
      auto f = ref.formats.find(norm_format(x.format, x.sniffed));
      if (f != ref.formats.end() && f->second.machine_readable) structured[x.row] = 1;
    }
    // Per portal index, summed in presence order (portal, pk) as before; then keyed by portal id.
    const auto& pr = snap.presence;
    // The file's count wins when it read the whole file; a first-bytes count (a lower bound) only
    // when the metadata declares nothing larger. The source of each dataset's number is counted.
    std::vector<Obs> cap_ix(pr.portals.size());
    std::vector<std::map<std::string, long long>> source_ix(pr.portals.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      if (!structured[i]) continue;
      auto c = snap.cells[i];
      const char* source = "metadata";
      if (file_cells[i] && (file_exact[i] || !c || *file_cells[i] > *c)) {
        c = file_cells[i];
        source = file_exact[i] ? "file" : "file-first-bytes";
      }
      if (!c) continue;
      auto& o = cap_ix[rows[i].portal_ix];
      o.num = o.num.value_or(0) + *c;
      o.n++;
      source_ix[rows[i].portal_ix][source]++;
    }
    std::map<std::string, Obs> from_files;
    for (size_t i = 0; i < cap_ix.size(); ++i) {
      if (!cap_ix[i].n) continue;
      auto& s = source_ix[i];
      long long files = (s.count("file") ? s.at("file") : 0) + (s.count("file-first-bytes") ? s.at("file-first-bytes") : 0);
      from_files[pr.portals[i]] = Obs{double(files), double(cap_ix[i].n), cap_ix[i].n, distribution_text(s)};
    }
    for (size_t i = 0; i < cap_ix.size(); ++i)
      if (cap_ix[i].n) cap[pr.portals[i]] = std::move(cap_ix[i]);
    emit(out, ps, "platform.capacity", "cells", Agg::Sum, cap);
    emit(out, ps, "platform.capacity_from_files", "share", Agg::Ratio, from_files);
    std::map<std::string, Obs> computable, gt, lt;
    for (auto& [id, o] : cap) {
      computable[id] = Obs{1.0, 0, 1, ""};
      gt[id] = Obs{*o.num > 1e8 ? 1.0 : 0.0, 0, 1, ""};
      lt[id] = Obs{*o.num < 1e7 ? 1.0 : 0.0, 0, 1, ""};
    }
    emit(out, ps, "platform.capacity_computable", "portals", Agg::Sum, computable);
    emit(out, ps, "platform.capacity_gt_1e8", "portals", Agg::Sum, gt);
    emit(out, ps, "platform.capacity_lt_1e7", "portals", Agg::Sum, lt);
  }
  return out;
}

}  // namespace odh::metrics
