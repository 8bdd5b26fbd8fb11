// Beyond the report: a data.europa.eu MQA-style metadata quality score per dataset and portal, Tim
// Berners-Lee's five stars per distribution, and liveness of download links. The mapping of each MQA
// check onto what Chinese portals publish is in docs/indicators.md ("Metadata quality").
#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/core.h"
#include "metrics/presence.h"

namespace odh::metrics {
using namespace detail;

namespace {

struct DistAgg {
  bool url = false, live = false, format = false, media = false, vocab = false, open = false, mr = false,
       conform = false, byte_size = false;
};

std::map<std::string, std::string> verdicts(StoreReader& db, int run, const std::string& aspect) {
  std::map<std::string, std::string> m;
  db.terms(run, [&](const sql::Row& s) {  // aspect, portal_id, verdict
    if (s.view(0) != aspect) return;
    auto& v = m[s.text(1)];
    if (v.empty() || verdict_rank(s.text(2)) > verdict_rank(v)) v = s.text(2);
  });
  return m;
}
}  // namespace

std::string_view mqa_band(int t) {
  if (t >= 351) return "excellent";
  if (t >= 221) return "good";
  if (t >= 121) return "sufficient";
  return "bad";
}

std::map<long long, MqaScore> mqa_scores(StoreReader& db, int run, const Reference& ref) {
  auto snap = load_snapshot(db, run, ref);
  auto v = detail::mqa_scores(db, run, ref, *snap);
  std::map<long long, MqaScore> out;
  for (size_t i = 0; i < v.size(); ++i) out[snap->presence.rows[i].pk] = v[i];
  return out;
}

std::vector<MqaScore> detail::mqa_scores(StoreReader& db, int run, const Reference& ref, const Snapshot& snap) {
  const auto& pr = snap.presence;
  std::vector<DistAgg> dist(pr.rows.size());
  for (auto& x : snap.dists) {
    auto& a = dist[x.row];
    a.url |= x.url;
    a.live |= x.live && *x.live == 1;
    std::string declared = norm_format(x.format, ""), sniffed = norm_format("", x.sniffed);
    const std::string& f = sniffed.empty() ? declared : sniffed;  // norm_format(format, sniffed)
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
  // Portal-level verdicts, once per portal rather than per dataset.
  auto licence = verdicts(db, run, "licence");
  auto rights = verdicts(db, run, "free_use");
  std::vector<char> portal_licence(pr.portals.size()), portal_rights(pr.portals.size());
  for (size_t i = 0; i < pr.portals.size(); ++i) {
    auto l = licence.find(pr.portals[i]);
    portal_licence[i] = l != licence.end() && (verdict_rank(l->second) == 1);
    auto r = rights.find(pr.portals[i]);
    portal_rights[i] = r != rights.end() && r->second != "未提及";
  }
  static const std::regex known_licence(R"((CC[- ]?BY|CC0|ODC-|ODbL|OGL|PDDL|开放数据许可))",
                                        std::regex::icase);
  const auto open_vocab = ref.vocab.count("open_condition") ? ref.vocab.at("open_condition")
                                                            : std::map<std::string, std::string>{};
  enum {
    kTags,
    kTopic,
    kTheme,
    kCategory,
    kSpatial,
    kTemporal,
    kLicence,
    kLicense,
    kOpen,
    kIsOpen,
    kContact,
    kTelephone,
    kEmail,
    kPublisher,
    kDepartment,
    kRights,
    kIssued,
    kPublishTime,
    kModified,
    kUpdateTime,
    kN
  };
  static const char* const names[kN] = {
      "tags",       "topic_raw",      "theme",   "category",     "spatial",   "temporal",   "licence",
      "license",    "open_condition", "is_open", "contact",      "telephone", "email",      "publisher",
      "department", "rights",         "issued",  "publish_time", "modified",  "update_time"};
  int bit[kN];
  for (int k = 0; k < kN; ++k) bit[k] = pr.index(names[k]);

  std::vector<MqaScore> out(pr.rows.size());
  for (size_t i = 0; i < pr.rows.size(); ++i) {
    const auto& r = pr.rows[i];
    MqaScore& m = out[i];
    auto has = [&](int k) { return bit[k] >= 0 && pr.has(i, bit[k]); };
    const DistAgg& d = dist[i];
    m.findability = (has(kTags) ? 30 : 0) + (has(kTopic) || has(kTheme) || has(kCategory) ? 30 : 0) +
                    (has(kSpatial) ? 20 : 0) + (has(kTemporal) ? 20 : 0);
    m.accessibility = (access_ok(i) ? 50 : 0) + (d.url ? 20 : 0) + (d.live ? 30 : 0);
    m.interoperability = (d.format ? 20 : 0) + (d.media ? 10 : 0) + (d.vocab ? 10 : 0) + (d.open ? 20 : 0) +
                         (d.mr ? 20 : 0) + (d.conform ? 30 : 0);
    bool lic = has(kLicence) || has(kLicense) || portal_licence[r.portal_ix];
    bool lic_vocab = false;
    if (!licence_value.empty())
      if (auto lv = licence_value.find(r.pk); lv != licence_value.end())
        lic_vocab = std::regex_search(lv->second, known_licence);
    bool access = has(kOpen) || has(kIsOpen);
    bool access_vocab = open_vocab.count(snap.open_condition[i]) > 0;
    m.reusability = (lic ? 20 : 0) + (lic_vocab ? 10 : 0) + (access ? 10 : 0) + (access_vocab ? 5 : 0) +
                    (has(kContact) || has(kTelephone) || has(kEmail) ? 20 : 0) +
                    (has(kPublisher) || has(kDepartment) ? 10 : 0);
    bool rts = has(kRights) || portal_rights[r.portal_ix];
    m.contextuality = (rts ? 5 : 0) + (d.byte_size ? 5 : 0) + (has(kIssued) || has(kPublishTime) ? 5 : 0) +
                      (has(kModified) || has(kUpdateTime) ? 5 : 0);
  }
  return out;
}

std::vector<IndicatorRow> compute_quality(StoreReader& db, int run, const Reference& ref) {
  return detail::compute_quality(db, run, ref, *load_snapshot(db, run, ref), nullptr);
}

std::vector<IndicatorRow> dataset_quality_rows(const std::vector<DatasetQuality>& dq) {
  std::vector<IndicatorRow> out;
  out.reserve(dq.size());
  for (auto& d : dq)
    out.push_back(row("dataset", std::to_string(d.dataset_pk), "quality.mqa", d.score.total(), "points", 1,
                      std::string(mqa_band(d.score.total()))));
  return out;
}

std::vector<IndicatorRow> detail::compute_quality(StoreReader& db, int run, const Reference& ref,
                                                  const Snapshot& snap, std::vector<DatasetQuality>* dq) {
  std::vector<IndicatorRow> out;
  auto ps = portals(db, run, ref);
  const auto& pr = snap.presence;
  auto scores = detail::mqa_scores(db, run, ref, snap);
  if (dq) {
    dq->clear();
    dq->reserve(scores.size());
    for (size_t i = 0; i < scores.size(); ++i) dq->push_back({pr.rows[i].pk, scores[i]});
    std::sort(dq->begin(), dq->end(),
              [](const DatasetQuality& a, const DatasetQuality& b) { return a.dataset_pk < b.dataset_pk; });
  }
  // Per portal (index into presence.portals): sums of integer points, exact in a double whatever the order.
  struct Acc {
    double total = 0, fnd = 0, acc = 0, itp = 0, reu = 0, ctx = 0, good = 0;
    long long n = 0, bands[4] = {0, 0, 0, 0};  // excellent, good, sufficient, bad
  };
  std::vector<Acc> acc(pr.portals.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    const MqaScore& m = scores[i];
    Acc& a = acc[pr.rows[i].portal_ix];
    const int t = m.total();
    a.total += t;
    a.fnd += m.findability;
    a.acc += m.accessibility;
    a.itp += m.interoperability;
    a.reu += m.reusability;
    a.ctx += m.contextuality;
    a.good += t >= 221 ? 1 : 0;
    a.bands[t >= 351 ? 0 : t >= 221 ? 1 : t >= 121 ? 2 : 3]++;
    a.n++;
  }
  std::map<std::string, Obs> total, fnd, accs, itp, reu, ctx, good;
  static const char* const band_names[4] = {"excellent", "good", "sufficient", "bad"};
  for (size_t p = 0; p < acc.size(); ++p) {
    const Acc& a = acc[p];
    if (!a.n) continue;
    const std::string& pid = pr.portals[p];
    const double n = static_cast<double>(a.n);
    total[pid] = Obs{a.total, n, a.n, ""};
    fnd[pid] = Obs{a.fnd, n, a.n, ""};
    accs[pid] = Obs{a.acc, n, a.n, ""};
    itp[pid] = Obs{a.itp, n, a.n, ""};
    reu[pid] = Obs{a.reu, n, a.n, ""};
    ctx[pid] = Obs{a.ctx, n, a.n, ""};
    std::map<std::string, long long> bands;
    for (int b = 0; b < 4; ++b)
      if (a.bands[b]) bands[band_names[b]] = a.bands[b];
    good[pid] = Obs{a.good, n, a.n, distribution_text(bands)};
  }
  emit(out, ps, "quality.mqa", "points", Agg::Ratio, total);
  for (auto& r : out)
    if (r.indicator == "quality.mqa" && r.value) r.value_text = std::string(mqa_band(static_cast<int>(*r.value + 0.5)));
  emit(out, ps, "quality.mqa.findability", "points", Agg::Ratio, fnd);
  emit(out, ps, "quality.mqa.accessibility", "points", Agg::Ratio, accs);
  emit(out, ps, "quality.mqa.interoperability", "points", Agg::Ratio, itp);
  emit(out, ps, "quality.mqa.reusability", "points", Agg::Ratio, reu);
  emit(out, ps, "quality.mqa.contextuality", "points", Agg::Ratio, ctx);
  emit(out, ps, "quality.mqa_good_share", "share", Agg::Ratio, good);

  // Five stars per distribution. 1★ on the web under an open licence, 2★ machine-readable structured,
  // 3★ non-proprietary, 4★ RDF (URIs); 5★ (linked to other data) is not observable, so the maximum is 4.
  auto licence = verdicts(db, run, "licence");
  std::vector<char> portal_licence(pr.portals.size());
  for (size_t i = 0; i < pr.portals.size(); ++i) {
    auto l = licence.find(pr.portals[i]);
    portal_licence[i] = l != licence.end() && (verdict_rank(l->second) == 1);
  }
  const auto& licensed_ds = snap.licensed;
  struct StarAcc {
    long long n = 0, stars = 0, three = 0, live_n = 0, live_ok = 0, by_star[5] = {0, 0, 0, 0, 0};
  };
  std::vector<StarAcc> sacc(pr.portals.size());
  for (auto& x : snap.dists) {
    const auto& r = pr.rows[x.row];
    int st = 0;
    bool lic = portal_licence[r.portal_ix] || (!licensed_ds.empty() && licensed_ds.count(r.pk));
    if (x.url && lic) {
      st = 1;
      auto it = ref.formats.find(norm_format(x.format, x.sniffed));
      if (it != ref.formats.end() && it->second.machine_readable) {
        st = 2;
        if (it->second.open) st = 3;
        if (it->second.open && it->second.rdf) st = 4;
      }
    }
    StarAcc& a = sacc[r.portal_ix];
    a.n++;
    a.stars += st;
    a.three += st >= 3;
    a.by_star[st]++;
    if (x.live) {
      a.live_n++;
      a.live_ok += *x.live == 1;
    }
  }
  std::map<std::string, Obs> stars, three, live;
  for (size_t p = 0; p < sacc.size(); ++p) {
    const StarAcc& a = sacc[p];
    if (!a.n) continue;
    const std::string& pid = pr.portals[p];
    std::map<std::string, long long> star_dist;
    for (int k = 0; k < 5; ++k)
      if (a.by_star[k]) star_dist[std::to_string(k)] = a.by_star[k];
    stars[pid] = Obs{double(a.stars), double(a.n), a.n, distribution_text(star_dist)};
    three[pid] = Obs{double(a.three), double(a.n), a.n, ""};
    if (a.live_n) live[pid] = Obs{double(a.live_ok), double(a.live_n), a.live_n, ""};
  }
  emit(out, ps, "quality.five_star", "stars", Agg::Ratio, stars);
  emit(out, ps, "quality.five_star_3plus", "share", Agg::Ratio, three);
  emit(out, ps, "quality.link_liveness", "share", Agg::Ratio, live);
  return out;
}

}  // namespace odh::metrics
