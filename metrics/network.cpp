// Graph analyses with Boost.Graph: the dataset–tag–app network of §6.2.2 (数据网络化程度) and the click
// depth of datasets from each portal's home page over the crawl's link graph.
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/pending/disjoint_sets.hpp>
#include <set>
#include <unordered_map>

#include "metrics/internal.h"

namespace odh::metrics {
using namespace detail;

namespace {
using DGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

// A dataset of the network: its tags are tags[tag_begin, tag_end) of the layer's flat tag-id array.
struct NetDataset {
  long long pk;
  int tag_begin, tag_end;
  std::optional<double> depth;  // dataset.depth
  long long fetch = -1;         // dataset.fetch_id, -1 when NULL
};
struct NetResult {
  long long datasets = 0, tagged = 0, components = 0, largest = 0, isolated = 0, degree_sum = 0,
            degree_max = 0;
  std::map<std::string, long long> degree_dist;
};

// Vertices: datasets, then distinct tags, then apps; edges dataset–tag and app–dataset.
NetResult analyse(const std::vector<const NetDataset*>& ds, const std::vector<int>& tags,
                  const std::vector<std::pair<long long, long long>>& cites) {
  NetResult r;
  // Vertices 0..n-1 are the datasets, then tags and apps in order of first use; the edge list is
  // built first and the graph constructed from it in one go (cheaper than add_edge one by one).
  // Dataset i is vertex i; a pk → vertex map is only needed to resolve citations.
  const size_t n = ds.size();
  std::unordered_map<long long, size_t> vid;
  if (!cites.empty()) {
    vid.reserve(n);
    for (size_t i = 0; i < n; ++i) vid.emplace(ds[i]->pk, i);
  }
  std::unordered_map<int, size_t> tag;
  std::unordered_map<long long, size_t> app;
  size_t nv = n;
  std::vector<std::pair<size_t, size_t>> edges;
  std::vector<long long> degree(n, 0);
  std::vector<int> uniq;
  for (size_t v = 0; v < n; ++v) {
    const auto* d = ds[v];
    uniq.assign(tags.begin() + d->tag_begin, tags.begin() + d->tag_end);
    std::sort(uniq.begin(), uniq.end());
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    if (!uniq.empty()) r.tagged++;
    for (int t : uniq) {
      auto it = tag.find(t);
      if (it == tag.end()) it = tag.emplace(t, nv++).first;
      edges.emplace_back(v, it->second);
      degree[v]++;
    }
  }
  for (auto& [a, pk] : cites) {
    auto d = vid.find(pk);
    if (d == vid.end()) continue;
    auto it = app.find(a);
    if (it == app.end()) it = app.emplace(a, nv++).first;
    edges.emplace_back(it->second, d->second);
    degree[d->second]++;
  }
  // Connected components with the Boost Graph Library's disjoint sets (the union–find behind its
  // incremental_components) straight over the edge list: the same components as connected_components
  // on an adjacency_list, without building one (a vector per vertex: a million allocations nationally).
  std::vector<size_t> rank(nv, 0), parent(nv);
  boost::disjoint_sets<size_t*, size_t*> sets(rank.data(), parent.data());
  for (size_t v = 0; v < nv; ++v) sets.make_set(v);
  for (auto& [a, b] : edges) sets.union_set(a, b);
  std::vector<long long> size(nv, 0);  // datasets per component, by representative vertex
  for (size_t v = 0; v < n; ++v) size[sets.find_set(v)]++;
  r.datasets = static_cast<long long>(n);
  for (auto c : size)
    if (c) r.components++, r.largest = std::max(r.largest, c);
  long long dist[11] = {0};  // degree 0..9, 10+
  for (auto d : degree) {
    r.degree_sum += d;
    r.degree_max = std::max(r.degree_max, d);
    if (d == 0) r.isolated++;
    dist[d >= 10 ? 10 : d]++;
  }
  for (int i = 0; i < 11; ++i)
    if (dist[i]) r.degree_dist[i == 10 ? "10+" : std::to_string(i)] = dist[i];
  return r;
}

struct DepthVisitor : boost::default_bfs_visitor {
  std::vector<int>* dist;
  template <class E, class G>
  void tree_edge(E e, const G& g) const {
    (*dist)[boost::target(e, g)] = (*dist)[boost::source(e, g)] + 1;
  }
};

// Click depth of every dataset detail fetch, by BFS from the portal's home fetch over `link`.
std::map<long long, int> link_depths(StoreReader& db, int run) {
  std::map<long long, int> depth;  // fetch_id → depth
  std::unordered_map<long long, size_t> vid;
  std::vector<long long> fid;
  std::unordered_map<std::string, std::vector<size_t>> by_url;
  std::map<std::string, std::vector<size_t>> homes;  // portal → home fetch vertices
  {
    db.fetch_urls(run, [&](const sql::Row& s) {  // fetch_id, url, kind, portal_id
      size_t v = fid.size();
      vid[s.i64(0)] = v;
      fid.push_back(s.i64(0));
      by_url[s.text(1)].push_back(v);
      if (s.view(2) == "home") homes[s.text(3)].push_back(v);
    });
  }
  DGraph g(fid.size());
  long long edges = 0;
  {
    db.links(run, [&](const sql::Row& s) {  // from_fetch_id, to_url
      auto f = vid.find(s.i64(0));
      auto t = by_url.find(s.text(1));
      if (f == vid.end() || t == by_url.end()) return;
      for (auto v : t->second) boost::add_edge(f->second, v, g), ++edges;
    });
  }
  if (!edges) return depth;
  std::vector<int> best(fid.size(), -1);
  for (auto& [portal, hs] : homes)
    for (auto h : hs) {
      std::vector<int> dist(fid.size(), -1);
      dist[h] = 0;
      std::vector<boost::default_color_type> color(fid.size());
      DepthVisitor vis;
      vis.dist = &dist;
      boost::breadth_first_search(g, h, boost::visitor(vis).color_map(color.data()));
      for (size_t v = 0; v < fid.size(); ++v)
        if (dist[v] >= 0 && (best[v] < 0 || dist[v] < best[v])) best[v] = dist[v];
    }
  for (size_t v = 0; v < fid.size(); ++v)
    if (best[v] >= 0) depth[fid[v]] = best[v];
  return depth;
}
}  // namespace

std::vector<IndicatorRow> compute_network(StoreReader& db, int run, const Reference& ref) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);

  std::map<std::string, std::vector<NetDataset>> ds;
  std::unordered_map<long long, std::string> portal_of;
  // (portal, title) → pk. With several datasets of one title, the first in (theme, pk) order wins
  // (NULL theme first), the order the run index gave before the scan below replaced it.
  struct TitleKey {
    bool has_theme;
    std::string theme;
    long long pk;
    bool operator<(const TitleKey& o) const {
      return std::tie(has_theme, theme, pk) < std::tie(o.has_theme, o.theme, o.pk);
    }
  };
  std::map<std::pair<std::string, std::string>, TitleKey> title_first;
  std::vector<int> tags;                         // every dataset's tag ids, back to back
  std::unordered_map<std::string, int> tag_ids;  // interned tag strings
  // Titles and owners of datasets are only needed to resolve app citations.
  bool citations = false;
  citations = db.has_app_citations();
  {
    // Full scan in rowid order (the run index costs a B-tree lookup per row).
    std::unordered_map<std::string, std::vector<NetDataset>*> by_pid;
    std::string pid, tag;
    // portal_id, dataset_pk, tags, title, theme, depth, fetch_id
    db.dataset_graph(run, [&](const sql::Row& s) {
      pid = s.view(0);
      auto pit = by_pid.find(pid);
      if (pit == by_pid.end()) pit = by_pid.emplace(pid, &ds[pid]).first;
      const long long pk = s.i64(1);
      NetDataset d{pk, static_cast<int>(tags.size()), 0, s.opt_f64(5), s.is_null(6) ? -1 : s.i64(6)};
      // Tags are ';'-separated; empty pieces are skipped.
      const std::string t = s.text(2);
      for (size_t a = 0; a <= t.size();) {
        size_t b = t.find(';', a);
        if (b == std::string::npos) b = t.size();
        if (b > a) {
          tag.assign(t, a, b - a);
          auto it = tag_ids.find(tag);
          if (it == tag_ids.end()) it = tag_ids.emplace(tag, static_cast<int>(tag_ids.size())).first;
          tags.push_back(it->second);
        }
        a = b + 1;
      }
      d.tag_end = static_cast<int>(tags.size());
      pit->second->push_back(d);
      if (citations) portal_of[pk] = pid;
      if (citations && !s.view(3).empty()) {
        TitleKey k{!s.is_null(4), s.text(4), pk};
        auto [it, fresh] = title_first.emplace(std::make_pair(pid, s.text(3)), k);
        if (!fresh && k < it->second) it->second = k;
      }
    });
  }
  std::map<std::pair<std::string, std::string>, long long> by_title;
  for (auto& [k, v] : title_first) by_title.emplace(k, v.pk);
  // App → dataset citations (by key, else by title within the app's portal).
  std::map<std::string, std::vector<std::pair<long long, long long>>> cites;
  std::map<std::string, std::set<long long>> citing_apps;
  std::map<std::string, long long> apps;
  {
    for (auto& [pid, n] : db.count_by_portal(run, StoreReader::Counted::kApps)) apps[pid] = static_cast<long long>(n);
    // portal_id, app_pk, dataset_pk, dataset_title
    db.app_citations(run, [&](const sql::Row& c) {
      std::string pid = c.text(0);
      long long pk = -1;
      if (!c.is_null(2) && portal_of.count(c.i64(2))) {
        pk = c.i64(2);
      } else if (auto it = by_title.find({pid, c.text(3)}); it != by_title.end()) {
        pk = it->second;
      }
      if (pk < 0) return;
      cites[portal_of[pk]].emplace_back(c.i64(1), pk);
      citing_apps[pid].insert(c.i64(1));
    });
  }
  std::map<std::string, Obs> tagged, comps, largest, isolated, degree, dmax, app_share, cited;
  for (auto& [pid, v] : ds) {
    std::vector<const NetDataset*> p;
    for (auto& d : v) p.push_back(&d);
    auto r = analyse(p, tags, cites[pid]);
    double n = r.datasets;
    tagged[pid] = Obs{double(r.tagged), n, r.datasets, ""};
    comps[pid] = Obs{double(r.components), 0, r.datasets, ""};
    largest[pid] = Obs{double(r.largest), n, r.datasets, ""};
    isolated[pid] = Obs{double(r.isolated), n, r.datasets, ""};
    degree[pid] = Obs{double(r.degree_sum), n, r.datasets, ""};
    dmax[pid] = Obs{double(r.degree_max), 0, r.datasets, distribution_text(r.degree_dist)};
    std::set<long long> c;
    for (auto& [a, pk] : cites[pid]) c.insert(pk);
    cited[pid] = Obs{double(c.size()), n, r.datasets, ""};
  }
  for (auto& [pid, n] : apps) app_share[pid] = Obs{double(citing_apps[pid].size()), double(n), n, ""};
  emit(out, ps, "network.tagged_share", "share", Agg::Ratio, tagged);
  emit(out, ps, "network.components", "components", Agg::Sum, comps);
  emit(out, ps, "network.largest_component_share", "share", Agg::Ratio, largest);
  emit(out, ps, "network.isolated_share", "share", Agg::Ratio, isolated);
  emit(out, ps, "network.degree_mean", "links/dataset", Agg::Ratio, degree);
  emit(out, ps, "network.degree_max", "links", Agg::Mean, dmax);
  emit(out, ps, "network.apps_citing_share", "share", Agg::Ratio, app_share);
  emit(out, ps, "network.datasets_cited_share", "share", Agg::Ratio, cited);
  {
    // National graph: equal tag strings join portals.
    std::vector<const NetDataset*> all;
    std::vector<std::pair<long long, long long>> all_cites;
    for (auto& [pid, v] : ds)
      for (auto& d : v) all.push_back(&d);
    for (auto& [pid, v] : cites) all_cites.insert(all_cites.end(), v.begin(), v.end());
    auto r = analyse(all, tags, all_cites);
    out.push_back(row("national", "", "network.national_components",
                      r.datasets ? std::optional<double>(r.components) : std::nullopt, "components",
                      r.datasets));
    out.push_back(row("national", "", "network.national_largest_share",
                      r.datasets ? std::optional<double>(double(r.largest) / r.datasets) : std::nullopt,
                      "share", r.datasets, distribution_text(r.degree_dist)));
  }

  // Click depth: BFS over the link graph when the crawl recorded links, else the depth the crawler
  // recorded on the dataset or its fetch.
  auto bfs = link_depths(db, run);
  std::map<std::string, Obs> mean, mx, le3;
  std::map<std::string, std::string> source;
  std::unordered_map<long long, std::optional<double>> fetch_depth;  // fetch_id → crawler depth
  db.fetch_depths([&](const sql::Row& f) { fetch_depth[f.i64(0)] = f.opt_f64(1); });
  for (auto& [pid, v] : ds) {
    for (auto& dd : v) {
      std::optional<double> depth;
      std::optional<double> recorded = dd.depth;
      if (!recorded && dd.fetch >= 0)
        if (auto it = fetch_depth.find(dd.fetch); it != fetch_depth.end()) recorded = it->second;
      std::map<long long, int>::const_iterator b;
      if (dd.fetch >= 0 && (b = bfs.find(dd.fetch)) != bfs.end())
        depth = b->second;
      else if (recorded)
        depth = recorded;
      if (!depth) continue;
      auto& m = mean[pid];
      m.num = m.num.value_or(0) + *depth;
      m.den++;
      m.n++;
      auto& x = mx[pid];
      x.num = std::max(x.num.value_or(0), *depth);
      x.n++;
      auto& l = le3[pid];
      l.num = l.num.value_or(0) + (*depth <= 3 ? 1 : 0);
      l.den++;
      l.n++;
    }
  }
  emit(out, ps, "findability.click_depth_mean", "clicks", Agg::Ratio, mean);
  emit(out, ps, "findability.click_depth_max", "clicks", Agg::Mean, mx);
  emit(out, ps, "findability.depth_le3_share", "share", Agg::Ratio, le3);
  return out;
}

}  // namespace odh::metrics
