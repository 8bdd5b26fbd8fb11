// The twin's own configuration (data/sim/twin.yaml) and the plan of one portal. sim/twin.h.
#include "sim/twin.h"

#include <yaml-cpp/yaml.h>

#include <regex>

#include "core/core.h"
#include "sim/intl.h"
#include "sim/sim.h"

namespace odh::sim {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "http://a.b.cn:81/x?y" → host "a.b.cn:81" (default ports dropped), path "/x?y", https.
void split_url(const std::string& url, std::string* host, std::string* path, bool* https) {
  auto p = url.find("://");
  std::string rest = p == std::string::npos ? url : url.substr(p + 3);
  auto slash = rest.find_first_of("/?#");
  std::string h = lower(slash == std::string::npos ? rest : rest.substr(0, slash));
  std::string tail = slash == std::string::npos ? "/" : rest.substr(slash);
  if (auto f = tail.find('#'); f != std::string::npos) tail = tail.substr(0, f);
  if (tail.empty() || tail[0] != '/') tail = "/" + tail;
  bool s = lower(url).rfind("https", 0) == 0;
  if (s && h.size() > 4 && h.compare(h.size() - 4, 4, ":443") == 0) h.resize(h.size() - 4);
  if (!s && h.size() > 3 && h.compare(h.size() - 3, 3, ":80") == 0) h.resize(h.size() - 3);
  if (host) *host = h;
  if (path) *path = tail;
  if (https) *https = s;
}

std::map<std::string, std::string> facts_of(const YAML::Node& n, std::initializer_list<const char*> skip) {
  std::map<std::string, std::string> out;
  if (!n.IsMap()) return out;
  for (auto it : n) {
    std::string k = it.first.as<std::string>();
    bool skipped = false;
    for (auto s : skip) skipped = skipped || k == s;
    if (!skipped && it.second.IsScalar()) out[k] = it.second.as<std::string>();
  }
  return out;
}

nlohmann::json to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::json j = nlohmann::json::object();
    for (auto it : n) j[it.first.as<std::string>()] = to_json(it.second);
    return j;
  }
  if (n.IsSequence()) {
    nlohmann::json j = nlohmann::json::array();
    for (auto x : n) j.push_back(to_json(x));
    return j;
  }
  if (n.IsNull()) return nullptr;
  return n.as<std::string>();
}

}  // namespace

void Twin::merge(const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError(source, e.mark.line + 1, "", e.msg);
  }
  if (root.IsNull()) return;
  if (!root.IsMap()) throw InputError(source, 1, "", "the twin configuration is a mapping");
  if (auto h = root["hosts"]; h && h.IsMap())
    for (auto it : h) {
      std::string fam = it.second["family"] ? it.second["family"].as<std::string>() : "";
      if (fam.empty()) throw InputError(source, it.first.Mark().line + 1, "hosts", "a host needs its family");
      hosts_[lower(it.first.as<std::string>())] = {fam, facts_of(it.second, {"family"})};
    }
  if (auto p = root["places"]; p && p.IsSequence())
    for (auto n : p) {
      Place pl;
      pl.province = n["province"] ? n["province"].as<std::string>() : "";
      pl.city = n["city"] ? n["city"].as<std::string>() : "";
      pl.county = n["county"] ? n["county"].as<std::string>() : "";
      pl.url = n["url"] ? n["url"].as<std::string>() : "";
      if (pl.province.empty() || pl.url.empty())
        throw InputError(source, n.Mark().line + 1, "places", "a place needs a province and a url");
      pl.facts = facts_of(n, {"province", "city", "county", "url", "source"});
      places_.push_back(std::move(pl));
    }
  auto patterns = [&](const char* key, std::vector<Pattern>& out) {
    if (auto p = root[key]; p && p.IsSequence())
      for (auto n : p) {
        Pattern pt;
        pt.match = n["match"] ? n["match"].as<std::string>() : "";
        pt.family = n["family"] ? n["family"].as<std::string>() : "";
        pt.facts = facts_of(n, {"match", "family"});
        try {
          std::regex re(pt.match);
        } catch (const std::regex_error& e) {
          throw InputError(source, n.Mark().line + 1, key, std::string("bad regex: ") + e.what());
        }
        out.push_back(std::move(pt));
      }
  };
  patterns("host_patterns", host_patterns_);
  patterns("paths", paths_);
  patterns("cms", cms_);
  if (auto s = root["shandong_slugs"]; s && s.IsMap())
    for (auto it : s) shandong_slugs_[it.first.as<std::string>()] = it.second.as<std::string>();
  if (auto l = root["longtail"]; l && l.IsMap())
    for (auto it : l) longtail_[it.first.as<std::string>()] = to_json(it.second);
}

std::shared_ptr<const Twin> Twin::load(const std::string& file, const std::string& extra) {
  auto t = std::make_shared<Twin>();
  std::string f = file.empty() ? (data_dir() / "sim" / "twin.yaml").string() : file;
  t->merge(read_file(f), f);
  if (!extra.empty()) t->merge(extra, "twin extra");
  return t;
}

const nlohmann::json* Twin::protocol(const std::string& name) const {
  auto it = longtail_.find(name);
  return it == longtail_.end() ? nullptr : &*it;
}

TwinPlan Twin::plan(const Listing& site) const {
  TwinPlan p;
  std::string url = site.urls.empty() ? "http://" + site.id + ".invalid/" : site.urls.front();
  std::string host0, path0;
  bool https0 = false;
  split_url(url, &host0, &path0, &https0);
  p.host = host0, p.entry_path = path0, p.https = https0;
  // Appendix 1 gives some portals two addresses, a CMS column first and a documented platform second
  // (Yangjiang: www.yangjiang.gov.cn/sjkf/ and its collection on gddata.gd.gov.cn): the platform serves
  // the catalogue and the column links there (a 302 here).
  for (std::size_t i = 1; i < site.urls.size() && !hosts_.count(host0); ++i) {
    std::string h, path;
    bool s = false;
    split_url(site.urls[i], &h, &path, &s);
    if (!hosts_.count(h)) continue;
    p.host = h, p.entry_path = path, p.https = s;
    p.moved_host = host0, p.moved_path = path0;
    break;
  }
  // A place whose portal the notes document elsewhere now (level for level).
  for (const auto& pl : places_) {
    if (pl.province != site.province || pl.city != site.city || pl.county != site.county) continue;
    split_url(pl.url, &p.host, &p.entry_path, &p.https);
    p.facts = pl.facts;
    if (p.host != host0) p.moved_host = host0, p.moved_path = path0;
    p.why = "place " + site.province + site.city + site.county + " → " + pl.url;
    break;
  }
  auto apply = [&](const std::string& fam, const std::map<std::string, std::string>& facts, const std::smatch* m) {
    p.family = fam;
    for (auto& [k, v] : facts) {
      std::string val = v;
      if (m && val.size() == 2 && val[0] == '$' && std::isdigit(static_cast<unsigned char>(val[1])))
        val = (*m)[val[1] - '0'].str();
      p.facts.emplace(k, val);  // a place's facts win
    }
  };
  // The notes document the portal on another port of the same host (opendata.huaian.gov.cn:18443):
  // it is served there, and the address without the port answers 302 to it.
  if (!hosts_.count(p.host) && p.moved_host.empty()) {
    std::string name = p.host.substr(0, p.host.find(':'));
    for (const auto& [h, v] : hosts_) {
      if (h.substr(0, h.find(':')) != name || h == p.host) continue;
      auto scheme = v.second.find("scheme");
      p.https = scheme != v.second.end() ? scheme->second == "https" : p.https;
      p.moved_host = p.host, p.moved_path = p.entry_path;
      p.host = h, p.entry_path = "/";
      p.why = "host " + h + " (the notes' port)";
      break;
    }
  }
  if (auto it = hosts_.find(p.host); it != hosts_.end()) {
    apply(it->second.first, it->second.second, nullptr);
    if (p.why.empty()) p.why = "host " + p.host;
    // International catalogue software: standard APIs, no per-site facts and no place.
    if (is_intl_family(p.family)) return p;
  }
  if (p.family.empty())
    for (const auto& pt : host_patterns_) {
      std::smatch m;
      std::regex re(pt.match);
      if (std::regex_search(p.host, m, re)) {
        apply(pt.family, pt.facts, &m);
        p.why = "host pattern " + pt.match;
        break;
      }
    }
  if (p.family.empty() && p.moved_host.empty())
    for (const auto& pt : paths_) {
      std::smatch m;
      std::regex re(pt.match);
      if (std::regex_search(path0, m, re)) {
        apply(pt.family, pt.facts, &m);
        p.why = "URL path " + pt.match;
        break;
      }
    }
  if (p.family.empty()) {
    if (site.kind == "embedded") {
      p.family = "embedded-cms";
      p.why = "embedded column";
      for (const auto& pt : cms_) {
        std::smatch m;
        std::regex re(pt.match);
        if (std::regex_search(path0, m, re)) {
          for (auto& [k, v] : pt.facts) p.facts.emplace(k, v);
          p.why += ", CMS URL shape " + pt.match;
          break;
        }
      }
    } else {
      p.family = "generic";
      p.why = "no documented protocol: the twin's invented long-tail catalogue";
    }
  }
  // Facts the notes key by place.
  if (p.family == "oportal" && site.province == "山东省" && !site.city.empty() && site.county.empty())
    if (auto it = shandong_slugs_.find(site.city); it != shandong_slugs_.end()) {
      p.facts["prefix"] = it->second;
      p.facts.emplace("labels", "shandong");
    }
  if (p.family == "guizhou-api" && (!site.city.empty() || !site.county.empty()) && !p.facts.count("divisionId"))
    p.facts["divisionId"] = site.division_code;
  if (p.family == "jdop" && !site.county.empty()) p.facts["regionId"] = site.division_code;
  return p;
}

}  // namespace odh::sim
