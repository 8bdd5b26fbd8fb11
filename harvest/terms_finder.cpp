// Stage 4 of a page: terms pages (用户协议, 免责声明 …) of every site, classified into the four rights
// of report §5.2.3 by parsers/terms.h.
#include <strings.h>

#include <set>

#include "harvest/stack.h"
#include "web/html_links.h"
#include "web/url.h"

namespace odh::harvest_detail {
namespace {

// HTML by its Content-Type, or, without one, by a '<' near the start.
bool looks_html(const FetchResult& r) {
  for (auto& [k, v] : r.response_headers)
    if (strcasecmp(k.c_str(), "Content-Type") == 0) return v.find("html") != std::string::npos;
  std::string_view b = r.text.empty() ? std::string_view(r.body) : std::string_view(r.text);
  return b.substr(0, 512).find('<') != std::string_view::npos;
}

class TermsFinder : public Spider {
 public:
  TermsFinder(std::unique_ptr<Spider> inner, const Site& site, Store& store, std::int64_t run)
      : inner_(std::move(inner)), site_id_(site.id), urls_(site.urls), store_(store), run_(run) {}

  std::vector<FetchRequest> start_requests() override {
    auto out = inner_->start_requests();
    for (auto& q : out) note(q);
    // The entry page and its host's root (an embedded column's footer links are on the site's home).
    std::vector<std::string> homes;
    if (!urls_.empty()) {
      homes.push_back(urls_[0]);
      if (auto u = Url::parse(urls_[0]); u && u->is_special()) {
        if (auto root = Url::parse("/", &*u)) homes.push_back(root->href(true));
      }
    }
    for (auto& h : homes) {
      if (requested_.count(h)) continue;
      FetchRequest q;
      q.site_id = site_id_;
      q.url = h;
      q.kind = "terms-home";
      q.priority = 5;
      requested_.insert(q.url);
      out.push_back(std::move(q));
    }
    return out;
  }

  SpiderOutput on_result(const FetchResult& r) override {
    SpiderOutput out;
    const bool mine = r.request.kind == "terms" || r.request.kind == "terms-home";
    if (!mine) {
      out = inner_->on_result(r);
      for (auto& q : out.requests) note(q);
    }
    // A probe's HTML answer (a login page where a file was promised) is no page of the site's.
    if (r.status < 200 || r.status >= 300 || is_probe(r.request) || !looks_html(r)) return out;
    const std::string& html = r.text.empty() ? r.body : r.text;
    try {
      if (terms_urls_.count(r.request.url) && classified_.insert(r.request.url).second) {
        for (const auto& v : terms::classify(terms::page_text(html)))
          store_.write_terms(run_, site_id_, r.request.url, terms::aspect_id(v.aspect),
                             terms::verdict_label(v.aspect, v.stance), v.evidence, r.fetch_id);
        return out;
      }
      if (scanned_ >= 200 || terms_urls_.size() >= 8) return out;
      ++scanned_;
      // The page's links: the inner spider's parse, else one parse here that the recorder reuses.
      std::vector<PageLink> own;
      const std::vector<PageLink>* links = out.links ? &*out.links : &own;
      if (!out.links) {
        own = extract_links(html, r.final_url.empty() ? r.request.url : r.final_url, r.charset);
        if (is_html_result(r)) {
          out.links = std::move(own);
          links = &*out.links;
        }
      }
      for (auto& t : terms::terms_links(*links)) {
        if (terms_urls_.size() >= 8) break;
        if (!same_site_scope(t.url, urls_) || !terms_urls_.insert(t.url).second) continue;
        if (requested_.count(t.url)) continue;  // the inner spider fetches it; classified when it returns
        FetchRequest q;
        q.site_id = site_id_;
        q.url = t.url;
        q.kind = "terms";
        q.depth = r.request.depth + 1;
        q.priority = 5;
        requested_.insert(t.url);
        out.requests.push_back(std::move(q));
      }
    } catch (const std::exception&) {
      // Hostile content never aborts the crawl; the page simply yields no terms rows.
    }
    return out;
  }

 private:
  void note(const FetchRequest& q) {
    if (q.method == "GET" && q.body.empty()) requested_.insert(q.url);
  }

  std::unique_ptr<Spider> inner_;
  std::string site_id_;
  std::vector<std::string> urls_;
  Store& store_;
  std::int64_t run_;
  std::set<std::string> requested_, terms_urls_, classified_;
  int scanned_ = 0;
};

}  // namespace

std::unique_ptr<Spider> terms_finder(std::unique_ptr<Spider> inner, const Site& site, Store& store,
                                     std::int64_t run_id) {
  return std::make_unique<TermsFinder>(std::move(inner), site, store, run_id);
}

}  // namespace odh::harvest_detail
