// The built-in spider: entry URLs, then same-site links of HTML pages up to a depth (Gumbo).
#include <cstdlib>
#include <set>

#include "crawler/crawl.h"
#include "crawler/crawl_seams.h"
#include "web/html_links.h"

namespace odh {
namespace {
using namespace odh::crawl;

class LinkSpider : public Spider {
 public:
  LinkSpider(const Site& site, const CrawlOptions& o) : site_(site), max_depth_(o.max_depth) {
    if (auto it = site.overrides.find("max_depth"); it != site.overrides.end())
      max_depth_ = std::atoi(it->second.c_str());
    for (auto& u : site.urls) {
      UrlParts p;
      if (parse_url(u, &p)) {
        hosts_.insert(p.host);
        domains_.insert(registrable_domain(p.host));
      }
    }
  }

  std::vector<FetchRequest> start_requests() override {
    std::vector<FetchRequest> out;
    for (size_t i = 0; i < site_.urls.size(); ++i) {
      FetchRequest r;
      r.site_id = site_.id;
      r.url = site_.urls[i];
      r.kind = "home";
      r.depth = 0;
      r.priority = 10;
      out.push_back(std::move(r));
    }
    return out;
  }

  SpiderOutput on_result(const FetchResult& res) override {
    SpiderOutput out;
    if (res.status < 200 || res.status >= 300 || res.request.depth >= max_depth_) return out;
    if (!is_html_result(res)) return out;
    // Gumbo wants UTF-8: the fetcher's decoded text (GBK pages included) when there is one.
    out.links = page_links(res);  // resolved, http(s) only, bounded (web/html_links.h)
    std::set<std::string> dup;
    for (auto& link : *out.links) {
      const std::string& abs = link.url;
      UrlParts p;
      if (!parse_url(abs, &p)) continue;
      if (!hosts_.count(p.host) && !domains_.count(registrable_domain(p.host))) continue;
      if (!dup.insert(abs).second) continue;
      FetchRequest r;
      r.site_id = site_.id;
      r.url = abs;
      r.kind = "page";
      r.depth = res.request.depth + 1;
      r.priority = -r.depth;  // breadth first within a host
      out.requests.push_back(std::move(r));
      if (out.requests.size() >= 2000) break;  // one page cannot flood the frontier
    }
    return out;
  }

 private:
  const Site& site_;
  int max_depth_;
  std::set<std::string> hosts_, domains_;
};
}  // namespace

std::unique_ptr<Spider> make_link_spider(const Site& site, const CrawlOptions& options) {
  return std::make_unique<LinkSpider>(site, options);
}

}  // namespace odh
