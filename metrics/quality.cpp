// Beyond the report: a data.europa.eu MQA-style metadata quality score per dataset and portal, Tim
// Berners-Lee's five stars per distribution, and liveness of download links. The mapping of each MQA
// check onto what Chinese portals publish is in docs/indicators.md ("Metadata quality").
#include <regex>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/core.h"
#include "metrics/presence.h"

namespace odh::metrics {
using namespace detail;

namespace {
const std::set<std::string> kPositive = {"授予", "保障", "不限时免费", "可自由传播", "granted"};

struct DistAgg {
  bool url = false, live = false, format = false, media = false, vocab = false, open = false, mr = false,
       conform = false, byte_size = false;
};

std::map<std::string, std::string> verdicts(sqlite3* db, int run, const std::string& aspect) {
  std::map<std::string, std::string> m;
  Stmt s(db, "SELECT portal_id, verdict FROM terms WHERE run_id=? AND aspect=?");
  s.bind(1, (long long)run).bind(2, aspect);
  while (s.step()) {
    auto& v = m[s.text(0)];
    if (v.empty() || verdict_rank(s.text(1)) > verdict_rank(v)) v = s.text(1);
  }
  return m;
}
}  // namespace

std::string mqa_band(int t) {
  if (t >= 351) return "excellent";
  if (t >= 221) return "good";
  if (t >= 121) return "sufficient";
  return "bad";
}

std::map<long long, MqaScore> mqa_scores(sqlite3* db, int run, const Reference& ref) {
  return detail::mqa_scores(db, run, ref, *load_snapshot(db, run, ref));
}

std::map<long long, MqaScore> detail::mqa_scores(sqlite3* db, int run, const Reference& ref,
                                                 const Snapshot& snap) {
  const auto& pr = snap.presence;
  std::vector<DistAgg> dist(pr.rows.size());
  for (auto& x : snap.dists) {
    auto& a = dist[x.row];
    a.url |= !x.url.empty();
    a.live |= x.live && *x.live == 1;
    std::string declared = norm_format(x.format, ""), sniffed = norm_format("", x.sniffed);
    std::string f = norm_format(x.format, x.sniffed);
    a.format |= !declared.empty() || !sniffed.empty();
    a.media |= !x.content_type.empty();
    auto it = ref.formats.find(f);
    if (it != ref.formats.end()) {
      a.vocab = true;
      a.open |= it->second.open;
      a.mr |= it->second.machine_readable;
    }
    // Schema conformance stand-in: the fetched file is what its label says it is.
    a.conform |= !declared.empty() && declared == sniffed;
    a.byte_size |= x.byte_size;
  }
  // Access URL answered: the dataset's detail fetch has a 2xx status.
  auto access_ok = [&](size_t i) {
    if (snap.fetch_id[i] < 0) return false;
    auto it = snap.fetch_status.find(snap.fetch_id[i]);
    return it != snap.fetch_status.end() && it->second && *it->second >= 200 && *it->second < 300;
  };
  const auto& licence_value = snap.licence_value;
  auto licence = verdicts(db, run, "licence");
  auto rights = verdicts(db, run, "free_use");
  static const std::regex known_licence(R"((CC[- ]?BY|CC0|ODC-|ODbL|OGL|PDDL|开放数据许可))",
                                        std::regex::icase);
  const auto open_vocab = ref.vocab.count("open_condition") ? ref.vocab.at("open_condition")
                                                            : std::map<std::string, std::string>{};

  std::unordered_map<std::string, int> ix;
  for (auto& c : pr.canonicals) ix[c] = pr.index(c);
  std::map<long long, MqaScore> out;
  for (size_t i = 0; i < pr.rows.size(); ++i) {
    const auto& r = pr.rows[i];
    MqaScore m;
    auto has = [&](const char* c) {
      int i = ix.at(c);
      return i >= 0 && r.has[i];
    };
    const DistAgg& d = dist[i];
    m.findability = (has("tags") ? 30 : 0) + (has("topic_raw") || has("theme") || has("category") ? 30 : 0) +
                    (has("spatial") ? 20 : 0) + (has("temporal") ? 20 : 0);
    m.accessibility = (access_ok(i) ? 50 : 0) + (d.url ? 20 : 0) + (d.live ? 30 : 0);
    m.interoperability = (d.format ? 20 : 0) + (d.media ? 10 : 0) + (d.vocab ? 10 : 0) + (d.open ? 20 : 0) +
                         (d.mr ? 20 : 0) + (d.conform ? 30 : 0);
    bool lic =
        has("licence") || has("license") || (licence.count(r.portal) && kPositive.count(licence[r.portal]));
    auto lv = licence_value.find(r.pk);
    bool lic_vocab = lv != licence_value.end() && std::regex_search(lv->second, known_licence);
    bool access = has("open_condition") || has("is_open");
    bool access_vocab = open_vocab.count(snap.open_condition[i]) > 0;
    m.reusability = (lic ? 20 : 0) + (lic_vocab ? 10 : 0) + (access ? 10 : 0) + (access_vocab ? 5 : 0) +
                    (has("contact") || has("telephone") || has("email") ? 20 : 0) +
                    (has("publisher") || has("department") ? 10 : 0);
    bool rts = has("rights") || (rights.count(r.portal) && rights[r.portal] != "未提及");
    m.contextuality = (rts ? 5 : 0) + (d.byte_size ? 5 : 0) + (has("issued") || has("publish_time") ? 5 : 0) +
                      (has("modified") || has("update_time") ? 5 : 0);
    out[r.pk] = m;
  }
  return out;
}

std::vector<IndicatorRow> compute_quality(sqlite3* db, int run, const Reference& ref) {
  return detail::compute_quality(db, run, ref, *load_snapshot(db, run, ref));
}

std::vector<IndicatorRow> detail::compute_quality(sqlite3* db, int run, const Reference& ref,
                                                  const Snapshot& snap) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);
  auto scores = detail::mqa_scores(db, run, ref, snap);
  auto portal_of_pk = [&](long long pk) -> const std::string& {
    return snap.presence.rows[snap.row.at(pk)].portal;
  };
  std::map<std::string, Obs> total, fnd, acc, itp, reu, ctx, good;
  std::map<std::string, std::map<std::string, long long>> bands;
  for (auto& [pk, m] : scores) {
    const auto& pid = portal_of_pk(pk);
    out.push_back(
        row("dataset", std::to_string(pk), "quality.mqa", m.total(), "points", 1, mqa_band(m.total())));
    auto add = [&](std::map<std::string, Obs>& o, double v) {
      auto& x = o[pid];
      x.num = x.num.value_or(0) + v;
      x.den++;
      x.n++;
    };
    add(total, m.total());
    add(fnd, m.findability);
    add(acc, m.accessibility);
    add(itp, m.interoperability);
    add(reu, m.reusability);
    add(ctx, m.contextuality);
    add(good, m.total() >= 221 ? 1 : 0);
    bands[pid][mqa_band(m.total())]++;
  }
  emit(out, ps, "quality.mqa", "points", Agg::Ratio, total);
  for (auto& r : out)
    if (r.indicator == "quality.mqa" && r.scope != "dataset" && r.value)
      r.value_text = mqa_band(static_cast<int>(*r.value + 0.5));
  emit(out, ps, "quality.mqa.findability", "points", Agg::Ratio, fnd);
  emit(out, ps, "quality.mqa.accessibility", "points", Agg::Ratio, acc);
  emit(out, ps, "quality.mqa.interoperability", "points", Agg::Ratio, itp);
  emit(out, ps, "quality.mqa.reusability", "points", Agg::Ratio, reu);
  emit(out, ps, "quality.mqa.contextuality", "points", Agg::Ratio, ctx);
  for (auto& [pid, m] : bands) good[pid].text = distribution_text(m);
  emit(out, ps, "quality.mqa_good_share", "share", Agg::Ratio, good);

  // Five stars per distribution. 1★ on the web under an open licence, 2★ machine-readable structured,
  // 3★ non-proprietary, 4★ RDF (URIs); 5★ (linked to other data) is not observable, so the maximum is 4.
  auto licence = verdicts(db, run, "licence");
  const auto& licensed_ds = snap.licensed;
  std::map<std::string, Obs> stars, three;
  std::map<std::string, std::map<std::string, long long>> star_dist;
  std::map<std::string, Obs> live;
  {
    for (auto& x : snap.dists) {
      const std::string& pid = snap.presence.rows[x.row].portal;
      const long long pk = snap.presence.rows[x.row].pk;
      int st = 0;
      bool lic = licensed_ds.count(pk) || (licence.count(pid) && kPositive.count(licence[pid]));
      if (!x.url.empty() && lic) {
        st = 1;
        auto it = ref.formats.find(norm_format(x.format, x.sniffed));
        if (it != ref.formats.end() && it->second.machine_readable) {
          st = 2;
          if (it->second.open) st = 3;
          if (it->second.open && it->second.rdf) st = 4;
        }
      }
      auto& o = stars[pid];
      o.num = o.num.value_or(0) + st;
      o.den++;
      o.n++;
      auto& t = three[pid];
      t.num = t.num.value_or(0) + (st >= 3 ? 1 : 0);
      t.den++;
      t.n++;
      star_dist[pid][std::to_string(st)]++;
      if (x.live) {
        auto& l = live[pid];
        l.num = l.num.value_or(0) + (*x.live == 1 ? 1 : 0);
        l.den++;
        l.n++;
      }
    }
  }
  for (auto& [pid, m] : star_dist) stars[pid].text = distribution_text(m);
  emit(out, ps, "quality.five_star", "stars", Agg::Ratio, stars);
  emit(out, ps, "quality.five_star_3plus", "share", Agg::Ratio, three);
  emit(out, ps, "quality.link_liveness", "share", Agg::Ratio, live);
  return out;
}

}  // namespace odh::metrics
