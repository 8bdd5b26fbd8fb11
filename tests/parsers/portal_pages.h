// Helpers for family tests: real fixture records, HTML escaping, a fake portal that answers the
// spider's requests, and the expected normalized values of a record.
#pragma once
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/core.h"
#include "parsers/parsers.h"
#include "parsers/normalize.h"

namespace testutil {

using nlohmann::json;
namespace fs = std::filesystem;

inline fs::path fixture(const std::string& rel) { return fs::path(ODH_SHARED_DIR) / "fixtures-real" / rel; }
inline json load_json(const std::string& rel) { return json::parse(odh::read_file(fixture(rel))); }
inline std::vector<json> load_jsonl(const std::string& rel) {
  std::vector<json> out;
  std::ifstream in(fixture(rel));
  std::string l;
  while (std::getline(in, l))
    if (!l.empty()) out.push_back(json::parse(l));
  return out;
}
inline std::string str(const json& r, const char* k) {
  auto it = r.find(k);
  return it != r.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '&')
      o += "&amp;";
    else if (c == '<')
      o += "&lt;";
    else if (c == '>')
      o += "&gt;";
    else if (c == '"')
      o += "&quot;";
    else
      o += c;
  }
  return o;
}

// Query or form parameter `name` of "a=1&b=2".
inline std::string param(const std::string& qs, const std::string& name) {
  size_t i = qs.find('?') == std::string::npos ? 0 : qs.find('?') + 1;
  while (i < qs.size()) {
    size_t e = qs.find('&', i);
    if (e == std::string::npos) e = qs.size();
    std::string kv = qs.substr(i, e - i);
    auto eq = kv.find('=');
    if (kv.substr(0, eq) == name) return eq == std::string::npos ? "" : kv.substr(eq + 1);
    i = e + 1;
  }
  return "";
}

inline odh::FetchResult ok(std::string body) {
  odh::FetchResult r;
  r.status = 200;
  r.text = std::move(body);
  return r;
}
inline odh::FetchResult not_found() {
  odh::FetchResult r;
  r.status = 404;
  return r;
}

inline odh::Site site(const std::string& id, const std::string& family, const std::string& url,
                      std::map<std::string, std::string> overrides = {}) {
  odh::Site s;
  s.id = id;
  s.family = family;
  s.urls = {url};
  s.overrides = std::move(overrides);
  return s;
}

// Crawls `s` against `serve`; returns the sink. Fails the test on 404s (a request the family
// spec shaped differently from the platform notes).
inline odh::MemorySink crawl(const odh::Site& s,
                             const std::function<odh::FetchResult(const odh::FetchRequest&)>& serve,
                             size_t* requests = nullptr) {
  odh::MemorySink sink;
  auto spider = odh::make_site_spider(s, sink);
  size_t n = odh::drive(*spider, [&](const odh::FetchRequest& q) {
    auto r = serve(q);
    if (r.status == 404) FAIL_CHECK("unexpected request " << q.method << " " << q.url << " " << q.body);
    return r;
  });
  if (requests) *requests = n;
  for (auto& i : sink.issues) MESSAGE(i);
  return sink;
}

inline std::vector<std::string> formats_of(const odh::DatasetRow& d) {
  std::vector<std::string> out;
  for (auto& x : d.distributions) out.push_back(x.format);
  return out;
}

}  // namespace testutil
