// World: the deterministic plan of every simulated portal — counts, reachability, records,
// terms. Records recombine real metadata from data/sim/pool.json (built from
// ../shared/fixtures-real by tools/make_sim_pool.py).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/core.h"
#include "registry/reference.h"
#include "sim/family.h"
#include "sim/intl.h"
#include "sim/faults.h"
#include "sim/twin.h"

namespace odh::sim {

const char* reach_name(Reach r) {
  switch (r) {
    case Reach::kOk: return "ok";
    case Reach::kEmpty: return "empty";
    case Reach::kDns: return "dns";
    case Reach::kRefused: return "refused";
    case Reach::kTimeout: return "timeout";
    case Reach::kHttpError: return "http-error";
    case Reach::kRedirectHome: return "redirect-home";
  }
  return "?";
}
const char* right_name(Right r) {
  switch (r) {
    case Right::kFreeAccess: return "free-access";
    case Right::kNonDiscrimination: return "non-discrimination";
    case Right::kFreeUse: return "free-use";
    case Right::kFreeSharing: return "free-sharing";
  }
  return "?";
}
const char* stance_name(Stance s) {
  switch (s) {
    case Stance::kGrant: return "grant";
    case Stance::kLimit: return "limit";
    case Stance::kDeny: return "deny";
    case Stance::kSilent: return "silent";
  }
  return "?";
}

std::int64_t scale_count(std::int64_t n, double scale) {
  if (n <= 0) return 0;
  auto v = static_cast<std::int64_t>(std::llround(static_cast<double>(n) * scale));
  return std::max<std::int64_t>(1, v);
}

namespace {

std::string host_of(const std::string& url, std::string* path) {
  auto p = url.find("://");
  std::string rest = p == std::string::npos ? url : url.substr(p + 3);
  auto slash = rest.find_first_of("/?#");
  std::string host = slash == std::string::npos ? rest : rest.substr(0, slash);
  std::string tail = slash == std::string::npos ? "/" : rest.substr(slash);
  if (auto h = tail.find('#'); h != std::string::npos) tail = tail.substr(0, h);
  if (tail.empty() || tail[0] != '/') tail = "/" + tail;
  if (path) *path = tail;
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  bool https = url.rfind("https", 0) == 0;
  if (https && host.size() > 4 && host.substr(host.size() - 4) == ":443") host.resize(host.size() - 4);
  if (!https && host.size() > 3 && host.substr(host.size() - 3) == ":80") host.resize(host.size() - 3);
  return host;
}

std::vector<PoolRecord> load_pool(const std::string& file) {
  auto j = nlohmann::json::parse(read_file(file), nullptr, false);
  if (!j.is_array() || j.empty()) throw Failure("sim: bad record pool " + file);
  std::vector<PoolRecord> out;
  for (const auto& r : j) {
    PoolRecord p;
    auto s = [&](const char* k) { return r.contains(k) && r[k].is_string() ? r[k].get<std::string>() : ""; };
    p.title = s("title");
    p.dept = s("dept");
    p.topic = s("topic");
    p.industry = s("industry");
    p.desc = s("desc");
    p.freq = s("freq");
    p.open = s("open");
    p.published = s("published");
    p.updated = s("updated");
    p.volume = s("volume");
    p.source = s("source");
    for (const auto& t : r.value("tags", nlohmann::json::array()))
      if (t.is_string() && !t.get<std::string>().empty()) p.tags.push_back(t);
    for (const auto& t : r.value("formats", nlohmann::json::array()))
      if (t.is_string()) p.formats.push_back(t);
    out.push_back(std::move(p));
  }
  return out;
}


std::string norm_name(std::string s) {
  std::string o;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n') continue;
    o += static_cast<char>(c);
  }
  return o;
}

struct A3Row {
  std::string id, name;
  std::int64_t datasets = 0, apis = 0, apps = 0;
};

// appendix3.csv: a header row naming columns; we accept English or Chinese names.
std::vector<A3Row> load_appendix3(const std::string& file) {
  std::vector<A3Row> rows;
  std::ifstream in(file);
  if (!in) return rows;
  std::string line;
  if (!std::getline(in, line)) return rows;
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);
  auto head = odh::split_csv_line(line);
  auto col = [&](std::initializer_list<const char*> names) -> int {
    for (std::size_t i = 0; i < head.size(); ++i)
      for (auto n : names)
        if (head[i] == n) return static_cast<int>(i);
    return -1;
  };
  int cid = col({"id", "site_id", "site"}), cname = col({"name", "平台名称", "portal"});
  int cds = col({"datasets", "数据集数量", "n_datasets"}), capi = col({"apis", "数据接口数量", "n_apis"});
  int capp = col({"apps", "数据应用数量", "n_apps"});
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = odh::split_csv_line(line);
    auto get = [&](int c) { return c >= 0 && c < static_cast<int>(f.size()) ? f[c] : std::string(); };
    A3Row r;
    r.id = get(cid);
    r.name = get(cname);
    r.datasets = to_int(get(cds), 0);
    r.apis = to_int(get(capi), 0);
    r.apps = to_int(get(capp), 0);
    rows.push_back(r);
  }
  return rows;
}

// appendix2.yaml: a sequence of {id|name, topics: [..]} or a map name/id → [topics].
std::map<std::string, std::vector<std::string>> load_appendix2(const std::string& file) {
  std::map<std::string, std::vector<std::string>> out;
  std::ifstream in(file);
  if (!in) return out;
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const std::exception&) {
    return out;
  }
  auto topics_of = [](const YAML::Node& n) {
    std::vector<std::string> t;
    if (n.IsSequence())
      for (const auto& x : n) t.push_back(x.as<std::string>());
    else if (n.IsScalar()) {
      std::string s = n.as<std::string>(), cur;
      std::stringstream ss(s);
      while (std::getline(ss, cur, ','))
        if (!cur.empty()) t.push_back(cur);
    }
    return t;
  };
  YAML::Node seq = root;
  if (root.IsMap() && root["portals"]) seq = root["portals"];
  if (seq.IsSequence()) {
    for (const auto& e : seq) {
      if (!e.IsMap() || !e["topics"]) continue;
      auto t = topics_of(e["topics"]);
      if (e["id"]) out[e["id"].as<std::string>()] = t;
      if (e["site_id"]) out[e["site_id"].as<std::string>()] = t;
      if (e["name"]) out[norm_name(e["name"].as<std::string>())] = t;
    }
  } else if (seq.IsMap()) {
    for (const auto& kv : seq) {
      const auto& v = kv.second;
      out[norm_name(kv.first.as<std::string>())] = topics_of(v.IsMap() && v["topics"] ? v["topics"] : v);
    }
  }
  return out;
}

// Clause library for the terms pages: per right and stance, realistic Chinese wording
// (modelled on common 用户协议/免责声明/网站声明 of Chinese government portals; invented text).
const std::vector<std::string>& clauses(Right r, Stance s) {
  static const std::map<std::pair<Right, Stance>, std::vector<std::string>> lib = {
      // 免费获取: 不限时免费 (the report: no fee now and none later) / 现阶段免费 (free for now).
      {{Right::kFreeAccess, Stance::kGrant},
       {"用户获取本平台数据不需要支付任何费用，并且在后续的使用过程中本平台也不会向用户征收任何增值加工费用。",
        "本平台开放的数据资源永久免费向社会公众提供。"}},
      {{Right::kFreeAccess, Stance::kLimit},
       {"现阶段本平台数据免费提供，平台保留今后收取服务费用的权利。",
        "目前用户可免费获取本平台数据，今后是否收费以平台公告为准。"}},
      // 非歧视性: 保障 only.
      {{Right::kNonDiscrimination, Stance::kGrant},
       {"任何自然人、法人和非法人组织均可平等获取本平台开放的数据，无需注册登录。",
        "本平台对所有用户一视同仁，不设置歧视性条件。"}},
      // 自由利用: 保障 / 受限.
      {{Right::kFreeUse, Stance::kGrant},
       {"用户可以自由使用所获取的开放数据，包括用于商业目的的开发利用。",
        "用户在遵守法律法规的前提下，可对开放数据进行加工、分析和开发应用。"}},
      {{Right::kFreeUse, Stance::kLimit},
       {"用户使用开放数据未经许可不得用于商业目的。",
        "用户应按照数据开放协议约定的用途使用数据，不得超出约定范围。"}},
      // 自由传播与分享: 可自由传播 / 受限 / 禁止.
      {{Right::kFreeSharing, Stance::kGrant},
       {"用户可以自由传播和分享所获取的开放数据。"}},
      {{Right::kFreeSharing, Stance::kLimit},
       {"用户转载或传播本平台数据，须事先征得数据提供单位同意。"}},
      {{Right::kFreeSharing, Stance::kDeny},
       {"用户不得将所获取的数据转让、出售或提供给任何第三方。",
        "未经书面许可，任何单位和个人不得转载、复制、传播本平台的数据和内容。"}},
  };
  static const std::vector<std::string> none;
  auto it = lib.find({r, s});
  return it == lib.end() ? none : it->second;
}

const std::vector<std::string>& boilerplate(int page) {
  static const std::vector<std::vector<std::string>> b = {
      {"欢迎使用本平台。用户在使用本平台服务前，应当认真阅读并遵守本协议。",
       "用户使用本平台服务即视为已阅读并同意本协议的全部条款。",
       "本平台有权根据需要修订本协议，修订后的协议自公布之日起生效。"},
      {"本平台开放的数据由各数据提供单位提供，数据提供单位对数据的真实性、准确性负责。",
       "因用户使用本平台数据而造成的任何直接或间接损失，本平台不承担法律责任。",
       "本平台不保证网络服务不中断，对因不可抗力导致的服务中断不承担责任。"},
      {"本网站由本级人民政府主办，大数据管理机构承办。",
       "本网站所载内容的版权属于本网站及相关权利人所有。",
       "如需转载本网站原创内容，请注明出处。"},
  };
  return b[page % 3];
}

}  // namespace

// ---- World ----

Listing listing_of(const Site& site) {
  return {site.id, site.name, site.province, site.city, site.county, site.division_code,
          site.level, site.region, site.kind, site.urls};
}

World::World(const std::vector<Site>& sites, const Options& opt) : options(opt) {
  twin = Twin::load(opt.twin_file, opt.twin_extra);
  std::string pool_file = opt.pool_file.empty() ? (data_dir() / "sim" / "pool.json").string() : opt.pool_file;
  pool = load_pool(pool_file);
  std::string a3 = opt.appendix3_file.empty() ? (data_dir() / "reference" / "appendix3.csv").string()
                                              : opt.appendix3_file;
  std::string a2 = opt.appendix2_file.empty() ? (data_dir() / "reference" / "appendix2.yaml").string()
                                              : opt.appendix2_file;
  auto a3rows = load_appendix3(a3);
  auto a2map = load_appendix2(a2);
  std::map<std::string, const A3Row*> a3_by_id, a3_by_name;
  for (const auto& r : a3rows) {
    if (!r.id.empty()) a3_by_id[r.id] = &r;
    if (!r.name.empty()) a3_by_name[norm_name(r.name)] = &r;
  }
  std::vector<std::string> topic_pool;
  for (const auto& r : pool)
    if (!r.topic.empty() && r.topic != "默认主题" &&
        std::find(topic_pool.begin(), topic_pool.end(), r.topic) == topic_pool.end())
      topic_pool.push_back(r.topic);

  // Appendix-3 rows that match no registry site (e.g. a portal missing from appendix 1) still
  // count: they become extra portals on an invented host so the published totals hold.
  std::vector<Listing> all_sites;
  for (const auto& s : sites) all_sites.push_back(listing_of(s));
  {
    std::set<std::string> ids, names;
    for (const auto& s : sites) ids.insert(s.id), names.insert(norm_name(s.name));
    // A registry of foreign portals only (data/sites-international.yaml) gets no appendix-3 extras.
    bool chinese =
        std::any_of(all_sites.begin(), all_sites.end(), [&](const Listing& s) { return !is_intl_family(twin->plan(s).family); });
    int k = 0;
    for (const auto& r : a3rows) {
      if (!chinese) break;
      ++k;
      if ((!r.id.empty() && ids.count(r.id)) || names.count(norm_name(r.name))) continue;
      Listing s;
      s.id = "appendix3-row-" + std::to_string(k);
      s.name = r.name;
      s.kind = "independent";
      s.urls = {"http://appendix3-row-" + std::to_string(k) + ".sim.invalid/"};
      all_sites.push_back(s);
      a3_by_id[s.id] = &r;
      notes.push_back("appendix3 row " + std::to_string(k) + " (" + r.name + ") matches no registry site; served as " +
                      s.id + " on " + s.urls[0]);
    }
  }
  std::size_t matched = 0;
  std::map<std::string, std::size_t> first_at_url;  // registry URL → the first portal listing it
  portals.reserve(all_sites.size());
  for (std::size_t i = 0; i < all_sites.size(); ++i) {
    const Listing& s = all_sites[i];
    Portal p;
    p.site = s;
    p.world = this;
    if (i >= sites.size()) {  // the appendix-3 extras above: the twin's invented long-tail shape
      p.family = "generic";
      p.host = host_of(s.urls.front(), &p.entry_path);
      p.https = s.urls.front().rfind("https", 0) == 0;
    } else {
      TwinPlan plan = twin->plan(s);
      p.family = plan.family;
      p.host = plan.host;
      p.entry_path = plan.entry_path;
      p.https = plan.https;
      p.facts = plan.facts;
      p.moved_host = plan.moved_host;
      p.moved_path = plan.moved_path;
      p.why = plan.why;
      if (!find_family(p.family))
        throw Failure("sim: twin plan for " + s.id + " names family '" + p.family + "', which the simulator lacks");
    }
    p.key = mix(opt.seed, hash_str(s.id));
    const A3Row* a = nullptr;
    if (auto it = a3_by_id.find(s.id); it != a3_by_id.end()) a = it->second;
    else if (auto jt = a3_by_name.find(norm_name(s.name)); jt != a3_by_name.end()) a = jt->second;
    std::uint64_t h = mix(p.key, 1);
    if (is_intl_family(p.family)) {
      // International catalogues serve their real records: always reachable, counts = the files'.
      p.reach = Reach::kOk;
      p.n_datasets = intl_record_count(opt.intl_dir, p.family, p.host);
    } else if (a) {
      ++matched;
      p.appendix3 = true;
      p.reach = Reach::kOk;
      p.n_datasets = scale_count(a->datasets, opt.scale);
      p.n_apis = scale_count(a->apis, opt.scale);
      p.n_apps = scale_count(a->apps, opt.scale);
    } else {
      // Portals outside appendix 3: a realistic mix (proportions invented; the 2021 report only
      // says many listed portals were unreachable or empty at evaluation time).
      int r = static_cast<int>(h % 100);
      if (r < 10) p.reach = Reach::kDns;
      else if (r < 15) p.reach = Reach::kRefused;
      else if (r < 19) p.reach = Reach::kTimeout;
      else if (r < 29) {
        p.reach = Reach::kHttpError;
        static const int codes[] = {403, 404, 500, 502};
        p.http_status = codes[(h >> 8) % 4];
      } else if (r < 37) p.reach = Reach::kRedirectHome;
      else if (r < 52) p.reach = Reach::kEmpty;
      else p.reach = Reach::kOk;
      if (p.reach == Reach::kOk) {
        p.n_datasets = scale_count(3 + static_cast<std::int64_t>((h >> 16) % 120), opt.scale);
        p.n_apis = (h >> 24) % 3 == 0 ? scale_count(static_cast<std::int64_t>((h >> 28) % 40), opt.scale) : 0;
        p.n_apps = (h >> 32) % 4 == 0 ? scale_count(1 + static_cast<std::int64_t>((h >> 36) % 5), opt.scale) : 0;
      }
    }
    // Topics: appendix 2 when listed, else 4–12 topics drawn from the pool.
    if (auto it = a2map.find(s.id); it != a2map.end()) p.topics = it->second;
    else if (auto jt = a2map.find(norm_name(s.name)); jt != a2map.end()) p.topics = jt->second;
    else if (!topic_pool.empty()) {
      std::size_t n = 4 + (h >> 40) % 9;
      for (std::size_t k = 0; k < n && p.topics.size() < topic_pool.size(); ++k) {
        const auto& t = topic_pool[mix(p.key, 100 + k) % topic_pool.size()];
        if (std::find(p.topics.begin(), p.topics.end(), t) == p.topics.end()) p.topics.push_back(t);
      }
    }
    if (p.family == "embedded-cms") {
      int c = static_cast<int>((h >> 44) % 100);
      p.charset = c < 70 ? "UTF-8" : c < 85 ? "GBK" : c < 93 ? "GBK-mislabelled" : "GBK-unlabelled";
    }
    // Terms pages: each right's clause goes to one of the three pages; small portals may lack pages.
    static const char* kinds[] = {"用户协议", "免责声明", "网站声明"};
    static const char* paths[] = {"/terms/yhxy.html", "/terms/mzsm.html", "/terms/wzsm.html"};
    int npages = (p.reach == Reach::kOk || p.reach == Reach::kEmpty) ? 1 + static_cast<int>((h >> 48) % 3) : 0;
    if (is_intl_family(p.family)) npages = 0;  // no Chinese terms pages on foreign portals
    if (p.appendix3) npages = std::max(npages, 2);
    for (int k = 0; k < npages; ++k) {
      TermsPage t;
      t.kind = kinds[k];
      t.path = paths[k];
      t.clauses = boilerplate(k);
      p.terms.push_back(t);
    }
    if (npages) {
      for (int ri = 0; ri < 4; ++ri) {
        Right r = static_cast<Right>(ri);
        std::uint64_t hr = mix(p.key, 200 + ri);
        int v = static_cast<int>(hr % 100);
        Stance st = v < 45 ? Stance::kGrant : v < 70 ? Stance::kLimit : v < 80 ? Stance::kDeny : Stance::kSilent;
        // Only what the report's vocabulary can say (§5.2.3): no "denied" free access, non-discrimination
        // is 保障 or not mentioned, free use 保障 / 受限.
        if (r == Right::kFreeAccess && st == Stance::kDeny) st = Stance::kSilent;
        if (r == Right::kNonDiscrimination && st != Stance::kGrant) st = Stance::kSilent;
        if (r == Right::kFreeUse && st == Stance::kDeny) st = Stance::kLimit;
        auto& page = p.terms[(hr >> 8) % p.terms.size()];
        page.stance[r] = st;
        const auto& cl = clauses(r, st);
        if (!cl.empty()) {
          auto pos = page.clauses.begin() + static_cast<long>(1 + (hr >> 16) % (page.clauses.size()));
          page.clauses.insert(pos, cl[(hr >> 24) % cl.size()]);
        }
      }
    }
    if (!s.urls.empty()) {
      // Same address as an earlier portal and no fact of its own (a jdop regionId, a Guizhou divisionId)
      // to select another catalogue there.
      std::string u = s.urls.front().substr(0, s.urls.front().find('#'));
      auto [it, fresh] = first_at_url.emplace(u, portals.size());
      const auto& first_facts = fresh ? p.facts : portals[it->second].facts;
      bool own = std::any_of(p.facts.begin(), p.facts.end(), [&](const auto& f) {
        if (f.first != "regionId" && f.first != "divisionId" && f.first != "prefix") return false;
        auto k = first_facts.find(f.first);
        return k == first_facts.end() || k->second != f.second;
      });
      if (!fresh && !own) {
        p.shared_with = portals[it->second].site.id;
        p.n_datasets = p.n_apis = p.n_apps = 0;
        p.terms.clear();
      }
    }
    portals.push_back(std::move(p));
  }
  if (!opt.faults_file.empty()) {
    // Reachability overrides from the fault file (the server applies the other faults).
    FaultPlan plan = FaultPlan::load(opt.faults_file);
    for (auto& p : portals) {
      auto it = plan.hosts.find(p.host);
      if (it == plan.hosts.end() || !it->second.reach) continue;
      const std::string& r = *it->second.reach;
      p.reach = r == "ok" ? Reach::kOk : r == "empty" ? Reach::kEmpty : r == "dns" ? Reach::kDns
              : r == "refused" ? Reach::kRefused : r == "timeout" ? Reach::kTimeout
              : r == "http-error" ? Reach::kHttpError : Reach::kRedirectHome;
      if (p.reach == Reach::kHttpError) p.http_status = it->second.http_status ? it->second.http_status : 500;
      if (p.reach == Reach::kEmpty) p.n_datasets = p.n_apis = p.n_apps = 0;
    }
  }
  for (std::size_t i = 0; i < portals.size(); ++i)
    if (portals[i].shared_with.empty()) host_index_[portals[i].host].push_back(i);
  // A moved portal's 2021 URL answers 302 to its new home — unless another portal is served at that
  // very entry (a county column printed with the city's URL keeps it).
  for (const auto& p : portals) {
    if (p.moved_host.empty()) continue;
    bool taken = false;
    for (auto i : host_index_[p.moved_host]) {
      if (portals[i].entry_path == p.moved_path) taken = true;
    }
    if (host_index_[p.moved_host].empty()) host_index_.erase(p.moved_host);
    if (taken) continue;
    std::string target = std::string(p.https ? "https://" : "http://") + p.host + p.entry_path;
    redirects[p.moved_host].emplace(p.moved_path.substr(0, p.moved_path.find('?')), target);
  }
  for (const auto& p : portals) {
    if (p.reach != Reach::kRedirectHome) continue;
    std::string g = host_of(p.gov_home(), nullptr);
    if (!host_index_.count(g)) gov_homes.insert(g);
  }
  if (!a3rows.empty() && matched < a3rows.size())
    notes.push_back("appendix3: " + std::to_string(a3rows.size() - matched) + " of " +
                    std::to_string(a3rows.size()) + " rows matched no portal");
}

const Portal* World::by_id(const std::string& id) const {
  for (const auto& p : portals)
    if (p.site.id == id) return &p;
  return nullptr;
}

std::vector<const Portal*> World::by_host(const std::string& host) const {
  std::vector<const Portal*> out;
  auto it = host_index_.find(host);
  if (it != host_index_.end())
    for (auto i : it->second) out.push_back(&portals[i]);
  return out;
}

Totals World::totals(bool appendix3_only) const {
  Totals t;
  for (const auto& p : portals) {
    if (appendix3_only && !p.appendix3) continue;
    ++t.portals;
    t.datasets += p.n_datasets;
    t.apis += p.n_apis;
    t.apps += p.n_apps;
  }
  return t;
}

std::vector<std::string> World::connect_to(int port, int refused_port, int tls_port) const {
  std::vector<std::string> out;
  for (const auto& [host, idx] : host_index_) {
    const Portal& p = portals[idx.front()];
    if (p.reach == Reach::kDns) continue;
    std::string h = host, hp;
    auto c = h.rfind(':');
    if (c != std::string::npos && h.find(']') == std::string::npos) {
      hp = h.substr(c + 1);
      h = h.substr(0, c);
    }
    int target = p.reach == Reach::kRefused ? refused_port : port;
    bool https = false;  // any portal of the host served over TLS
    for (auto i : idx) https = https || portals[i].https;
    // Both schemes' default ports are mapped unless the URL names a port.
    int tls_target = p.reach == Reach::kRefused ? refused_port : tls_port > 0 ? tls_port : port;
    if (!hp.empty()) out.push_back(h + ":" + hp + ":127.0.0.1:" + std::to_string(https ? tls_target : target));
    else {
      out.push_back(h + ":80:127.0.0.1:" + std::to_string(target));
      if (https) out.push_back(h + ":443:127.0.0.1:" + std::to_string(tls_target));
    }
  }
  for (const auto& g : gov_homes) out.push_back(g + ":80:127.0.0.1:" + std::to_string(port));
  for (const auto& [host, paths] : redirects) {
    if (host_index_.count(host)) continue;  // mapped with its portals above
    std::string h = host, hp;
    auto c = h.rfind(':');
    if (c != std::string::npos) hp = h.substr(c + 1), h = h.substr(0, c);
    if (!hp.empty()) {
      out.push_back(h + ":" + hp + ":127.0.0.1:" + std::to_string(port));
    } else {
      out.push_back(h + ":80:127.0.0.1:" + std::to_string(port));
      out.push_back(h + ":443:127.0.0.1:" + std::to_string(tls_port > 0 ? tls_port : port));
    }
  }
  return out;
}

std::vector<std::string> World::dns_fail_hosts() const {
  std::vector<std::string> out;
  for (const auto& [host, idx] : host_index_)
    if (portals[idx.front()].reach == Reach::kDns) out.push_back(host);
  return out;
}

// ---- Portal records ----

namespace {
const char* kFreqs[] = {"每年", "每半年", "每季度", "每月", "每周", "每天", "实时", "不定期"};
const char* kAppTypes[] = {"APP", "小程序", "Web应用", "分析报告", "创新方案"};

std::string fmt_dt(std::uint64_t h, int year_lo, int year_hi) {
  int y = year_lo + static_cast<int>(h % static_cast<std::uint64_t>(year_hi - year_lo + 1));
  int m = 1 + static_cast<int>((h >> 8) % 12), d = 1 + static_cast<int>((h >> 12) % 28);
  if (y == 2021 && m > 6) m -= 6;  // the 2021 evaluation took data up to mid-2021
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, static_cast<int>((h >> 20) % 24),
                static_cast<int>((h >> 28) % 60), static_cast<int>((h >> 34) % 60));
  return buf;
}

// Replace the fixture's own city (南宁/银川/贵阳/合肥…) by the portal's place name.
std::string relocate(std::string s, const Listing& site) {
  std::string place = !site.county.empty() ? site.county : !site.city.empty() ? site.city : site.province;
  if (place.empty()) return s;
  static const char* cities[] = {"南宁市", "银川市", "贵阳市", "合肥市", "北京市", "上海市"};
  for (auto c : cities) {
    std::string from = c;
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + place.size())) {
      s.replace(pos, from.size(), place);
    }
  }
  return s;
}
}  // namespace

Dataset Portal::dataset(std::int64_t i) const {
  const auto& pool = world->pool;
  std::uint64_t h = mix(key, static_cast<std::uint64_t>(i) * 2654435761ULL + 11);
  const PoolRecord& r = pool[h % pool.size()];
  const PoolRecord& r2 = pool[(h >> 20) % pool.size()];
  const Family* fam = find_family(family);
  Dataset d;
  d.index = i;
  d.id = fam->dataset_id(*this, i);
  d.source = r.source;
  d.title = relocate(r.title, site);
  // Recombined records repeat titles; disambiguate repeats deterministically like real
  // portals do (year or district suffix).
  if ((h >> 40) % 3 == 0) d.title += "（" + std::to_string(2015 + (h >> 44) % 7) + "年）";
  d.dept = relocate(r.dept.empty() ? r2.dept : r.dept, site);
  if (d.dept.empty()) d.dept = (site.city.empty() ? site.province : site.city) + "大数据局";
  d.topic = topics.empty() ? r.topic : topics[(h >> 8) % topics.size()];
  d.industry = r.industry.empty() ? r2.industry : r.industry;
  d.desc = relocate(r.desc.empty() ? r.title : r.desc, site);
  d.tags = r.tags;
  if (d.tags.size() > 8) d.tags.resize(8);
  if (d.tags.empty()) d.tags = {d.topic, d.dept};
  d.freq = !r.freq.empty() && r.freq != "其他" ? r.freq : kFreqs[(h >> 12) % 8];
  d.open = (h >> 16) % 10 < 8 ? "无条件开放" : "有条件开放";
  d.published = fmt_dt(mix(h, 3), 2017, 2021);
  d.updated = fmt_dt(mix(h, 4), 2017, 2021);
  if (d.updated < d.published) std::swap(d.updated, d.published);
  for (const auto& f : r.formats)
    if (f != "api" && f != "接口" && f != "其他") d.formats.push_back(f);  // APIs are counted separately
  if (d.formats.empty()) {
    static const char* f[] = {"xls", "csv", "json", "xml", "xlsx"};
    d.formats = {f[(h >> 24) % 5]};
    if ((h >> 28) % 2) d.formats.push_back(f[((h >> 24) + 1) % 5]);
  }
  d.volume = to_int(r.volume, 0);
  if (d.volume <= 0) d.volume = 5 + static_cast<std::int64_t>((h >> 30) % 3000);
  std::uint64_t v = mix(h, 9);
  d.views = static_cast<std::int64_t>((v % 3000) * ((v >> 12) % 7 + 1));
  d.downloads = d.views / static_cast<std::int64_t>(3 + (v >> 20) % 15);
  d.rating = static_cast<double>(30 + (v >> 28) % 21) / 10.0;
  d.comments = static_cast<std::int64_t>((v >> 36) % 5 == 0 ? (v >> 40) % 6 : 0);
  // Months later (Options::revision): each month revises a tenth of the datasets; usage grows.
  for (int r = 1; r <= world->options.revision; ++r)
    if (mix(h, 1000 + static_cast<std::uint64_t>(r)) % 10 == 0) {
      d.updated = fmt_dt(mix(h, 2000 + static_cast<std::uint64_t>(r)), 2022, 2022);
      d.desc += "（第" + std::to_string(r) + "次修订）";
    }
  d.views += world->options.revision * static_cast<std::int64_t>(v % 50);
  d.downloads += world->options.revision * static_cast<std::int64_t>((v >> 8) % 10);
  std::size_t k = 0;
  for (const auto& f : d.formats) {
    if (f == "api" || f == "接口" || f == "链接") continue;
    FileRec fr;
    fr.format = f;
    fr.served = f == "rdf" ? "xml" : f;
    fr.name = d.title + "_" + std::to_string(k) + "." + f;
    std::uint64_t fh = mix(h, 50 + k);
    int st = static_cast<int>(fh % 100);
    // Link liveness as portals show it (issue 16): most files are there; the rest are dead, broken, hung,
    // behind a login, an application or an anti-bot gate, or something else than the label says.
    fr.state = st < 78   ? "ok"
               : st < 84 ? "dead"
               : st < 86 ? "error"
               : st < 87 ? "timeout"
               : st < 91 ? "login"
               : st < 94 ? "approval"
               : st < 95 ? "challenge"
                         : "mislabelled";
    if (fr.served == "csv" && (fh >> 20) % 10 < 3) fr.charset = "GBK";
    if (fr.state == "mislabelled") {
      // Real-world mislabels: CSV/JSON answered with an HTML page, or spreadsheets as CSV text.
      fr.served = (fr.format == "xls" || fr.format == "xlsx") ? "csv" : "html";
    }
    fr.path = fam->file_path(*this, d, k, f);
    d.files.push_back(std::move(fr));
    ++k;
  }
  fam->normalize(*this, d);
  return d;
}

Api Portal::api(std::int64_t i) const {
  const auto& pool = world->pool;
  std::uint64_t h = mix(key, static_cast<std::uint64_t>(i) * 40503ULL + 77777);
  const PoolRecord& r = pool[h % pool.size()];
  Api a;
  a.index = i;
  a.id = find_family(family)->api_id(*this, i);
  a.title = relocate(r.title, site) + "查询接口";
  a.dept = relocate(r.dept, site);
  if (a.dept.empty()) a.dept = (site.city.empty() ? site.province : site.city) + "大数据局";
  a.topic = topics.empty() ? r.topic : topics[(h >> 8) % topics.size()];
  a.desc = "提供" + relocate(r.title, site) + "的查询服务，返回JSON格式数据。";
  a.published = fmt_dt(mix(h, 3), 2018, 2021);
  a.updated = fmt_dt(mix(h, 4), 2018, 2021);
  if (a.updated < a.published) std::swap(a.updated, a.published);
  a.method = (h >> 16) % 3 ? "GET" : "POST";
  a.endpoint = "/gateway/api/" + std::to_string(1000 + i) + "/query";
  a.views = static_cast<std::int64_t>((h >> 20) % 5000);
  a.calls = static_cast<std::int64_t>((h >> 32) % 20000);
  return a;
}

App Portal::app(std::int64_t i) const {
  std::uint64_t h = mix(key, static_cast<std::uint64_t>(i) * 7919ULL + 424242);
  std::string place = !site.county.empty() ? site.county : !site.city.empty() ? site.city : site.province;
  static const char* stems[] = {"智慧出行", "掌上办事", "公交实时查询", "企业信用查询", "空气质量地图", "医疗机构导航",
                                "就业服务", "教育资源地图", "停车诱导", "旅游指南",     "数据分析报告",
                                "营商环境评估"};
  App a;
  a.index = i;
  a.id = std::to_string(100 + i);
  a.type = kAppTypes[h % 5];
  std::string stem = stems[(h >> 8) % 12];
  a.name = place + stem + (a.type == std::string("小程序") ? "小程序" : a.type == std::string("分析报告") ? "分析报告"
                                                                     : "");
  a.developer = (h >> 16) % 2 ? place + "大数据发展管理局" : "某科技有限公司（第三方开发者）";
  a.desc = "利用平台开放的" + (topics.empty() ? std::string("公共") : topics[(h >> 20) % topics.size()]) +
           "数据开发，面向社会公众提供" + stem + "服务。";
  a.date = date_part(fmt_dt(mix(h, 5), 2018, 2021));
  a.url = "/apps/detail/" + a.id + ".html";
  a.views = static_cast<std::int64_t>((h >> 24) % 9000);
  return a;
}

std::optional<std::int64_t> Portal::dataset_index(const std::string& id) const {
  auto i = find_family(family)->dataset_index(*this, id);
  if (!i || *i < 0 || *i >= n_datasets) return std::nullopt;
  return i;
}
std::optional<std::int64_t> Portal::api_index(const std::string& id) const {
  auto i = find_family(family)->api_index(*this, id);
  if (!i || *i < 0 || *i >= n_apis) return std::nullopt;
  return i;
}

std::string Portal::fact(const std::string& key, const std::string& def) const {
  auto it = facts.find(key);
  return it == facts.end() ? def : it->second;
}

std::string Portal::gov_home() const {
  // The government's main site: "www." + the portal host minus its first label (the simulator
  // serves a plain home page there; inferred from typical 302s of retired portals).
  std::string h = host;
  if (auto c = h.find(':'); c != std::string::npos) h = h.substr(0, c);
  auto dot = h.find('.');
  std::string parent = dot == std::string::npos ? h : h.substr(dot + 1);
  if (parent.rfind("gov.", 0) == 0 || std::count(parent.begin(), parent.end(), '.') < 1) parent = h;
  return "http://www." + parent + "/";
}

// ---- Family defaults ----

std::vector<std::pair<std::string, std::string>> Family::home_links(const Portal& p) const {
  return {{p.entry_path, "数据目录"}};
}
std::string Family::dataset_id(const Portal& p, std::int64_t i) const { return hex32(p.key, i); }
std::string Family::api_id(const Portal& p, std::int64_t i) const { return hex32(mix(p.key, 5), i); }
std::optional<std::int64_t> Family::dataset_index(const Portal& p, const std::string& id) const {
  return hex32_index(p.key, id);
}
std::optional<std::int64_t> Family::api_index(const Portal& p, const std::string& id) const {
  return hex32_index(mix(p.key, 5), id);
}
const Portal* pick_division(const HostCtx& ctx, const std::string& div) {
  auto code = [](const Portal* p) { return p->fact("divisionId"); };
  for (const auto* p : ctx.portals)
    if (!div.empty() && code(p) == div) return p;
  if (!div.empty()) return nullptr;
  for (const auto* p : ctx.portals)
    if (p->site.city.empty() && code(p).empty()) return p;
  return ctx.portals.front();
}

std::string Family::file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string& ext) const {
  return "/file/download/" + hex32(p.key, d.index) + "/" + std::to_string(k) + "." + ext;
}

}  // namespace odh::sim
