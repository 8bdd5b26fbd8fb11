// What changed between two runs (metrics.h "Year over year"; docs/diff.md).
#include <algorithm>
#include <functional>
#include <set>

#include "metrics/metrics.h"
#include "store/store.h"

namespace odh::metrics {
namespace {

// Fields that move without the record changing: usage counters and where the crawl found it.
bool volatile_field(const std::string& f) {
  return f == "views" || f == "downloads" || f == "rating" || f == "rating_count" || f == "comment_count" ||
         f == "depth";
}

struct Record {
  std::string portal, kind, key;
  std::map<std::string, std::string> fields;
  std::string get(const std::string& f) const {
    auto it = fields.find(f);
    return it == fields.end() ? "" : it->second;
  }
  // The normalised record's content hash: every non-volatile field, in name order.
  std::size_t hash() const {
    std::size_t h = 0;
    for (const auto& [f, v] : fields)
      if (!volatile_field(f)) h = h * 1000003u ^ std::hash<std::string>{}(f + '\x1f' + v);
    return h;
  }
  std::string title() const { return get("title"); }
  std::string alt_key() const { return get("title") + " | " + get("publisher"); }  // the fallback match
};

// The records of a run by (kind, portal, key); the n-th record of a repeated key gets "#n".
std::map<std::string, Record> load(StoreReader& db, std::int64_t run) {
  std::map<std::string, Record> out;
  Record* cur = nullptr;
  std::map<std::string, int> seen;
  db.record_fields(run, [&](const std::string& portal, const char* kind, const std::string& key, const char* field,
                            const std::string& value) {
    if (std::string(kind) == "portal") return;
    std::string base = std::string(kind) + '\x1f' + portal + '\x1f' + key;
    // A new record starts with a new key, or with a field the current record already has.
    if (!cur || cur->portal != portal || cur->kind != kind || cur->key != key || cur->fields.count(field)) {
      int n = seen[base]++;
      std::string id = n ? base + "#" + std::to_string(n) : base;
      cur = &out[id];
      cur->portal = portal, cur->kind = kind, cur->key = n ? key + "#" + std::to_string(n) : key;
    }
    cur->fields[field] = value;
  });
  return out;
}

std::int64_t num(const std::string& s) { return s.empty() ? 0 : std::atoll(s.c_str()); }

}  // namespace

RunDiff diff_runs(StoreReader& db, std::int64_t run, std::int64_t baseline) {
  RunDiff d;
  d.run = run, d.baseline = baseline;
  // Portals: new, gone, kind changed.
  std::map<std::string, std::pair<std::string, std::string>> before, after;  // id → kind, name
  db.portal_details(baseline, [&](const sql::Row& r) { before[r.text(0)] = {r.text(4), r.text(1)}; });
  db.portal_details(run, [&](const sql::Row& r) { after[r.text(0)] = {r.text(4), r.text(1)}; });
  for (const auto& [id, kn] : after) {
    auto b = before.find(id);
    if (b == before.end()) d.portals.push_back({id, kn.second, "new", "", kn.first});
    else if (b->second.first != kn.first) d.portals.push_back({id, kn.second, "kind", b->second.first, kn.first});
  }
  for (const auto& [id, kn] : before)
    if (!after.count(id)) d.portals.push_back({id, kn.second, "gone", kn.first, ""});
  for (const auto& [id, kn] : after) d.tally[id];
  for (const auto& [id, kn] : before) d.tally[id];

  auto old_recs = load(db, baseline), new_recs = load(db, run);
  std::vector<const Record*> added, removed;
  auto changed = [&](const Record& o, const Record& n) {
    auto& t = d.tally[n.portal];
    if (n.kind == "dataset") {
      t.views_delta += num(n.get("views")) - num(o.get("views"));
      t.downloads_delta += num(n.get("downloads")) - num(o.get("downloads"));
    }
    if (o.hash() == n.hash()) return;
    RecordChange c{n.portal, n.kind, n.key, n.title(), "changed", {}};
    std::set<std::string> names;
    for (const auto* r : {&o, &n})
      for (const auto& kv : r->fields) names.insert(kv.first);
    for (const auto& f : names)
      if (!volatile_field(f) && o.get(f) != n.get(f)) c.fields.push_back(f);
    if (n.kind == "dataset") ++t.changed;
    d.records.push_back(std::move(c));
  };
  for (const auto& [id, n] : new_recs) {
    if (n.kind == "dataset") ++d.tally[n.portal].run;
    auto o = old_recs.find(id);
    if (o == old_recs.end()) added.push_back(&n);
    else changed(o->second, n);
  }
  for (const auto& [id, o] : old_recs) {
    if (o.kind == "dataset") ++d.tally[o.portal].baseline;
    if (!new_recs.count(id)) removed.push_back(&o);
  }
  // Second chance: the same title + publisher in the same portal under another source id.
  std::multimap<std::string, const Record*> by_alt;
  for (const auto* r : removed) by_alt.emplace(r->kind + '\x1f' + r->portal + '\x1f' + r->alt_key(), r);
  std::set<const Record*> matched;
  for (const auto* n : added) {
    auto it = by_alt.find(n->kind + '\x1f' + n->portal + '\x1f' + n->alt_key());
    if (it == by_alt.end() || n->title().empty()) {
      auto& t = d.tally[n->portal];
      (n->kind == "dataset" ? t.added : n->kind == "api" ? t.apis_added : t.apps_added)++;
      d.records.push_back({n->portal, n->kind, n->key, n->title(), "added", {}});
      continue;
    }
    matched.insert(it->second);
    changed(*it->second, *n);
    by_alt.erase(it);
  }
  for (const auto* o : removed) {
    if (matched.count(o)) continue;
    auto& t = d.tally[o->portal];
    (o->kind == "dataset" ? t.removed : o->kind == "api" ? t.apis_removed : t.apps_removed)++;
    d.records.push_back({o->portal, o->kind, o->key, o->title(), "removed", {}});
  }
  std::sort(d.records.begin(), d.records.end(), [](const RecordChange& a, const RecordChange& b) {
    return std::tie(a.portal, a.kind, a.change, a.key) < std::tie(b.portal, b.kind, b.change, b.key);
  });
  std::sort(d.portals.begin(), d.portals.end(),
            [](const PortalChange& a, const PortalChange& b) { return std::tie(a.change, a.portal) < std::tie(b.change, b.portal); });
  return d;
}

}  // namespace odh::metrics
