// Stages 2 and 5 of a page: its fetch row first (the provenance of everything it yields), its
// out-links last.
#include <strings.h>

#include <ctime>

#include "harvest/stack.h"
#include "web/html_links.h"
#include "web/url.h"

namespace odh {
namespace harvest_detail {
namespace {

std::string iso_time(double t) {
  if (t <= 0) return "";
  std::time_t s = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The crawler's form of a request URL (crawl_key); the URL itself when it does not parse.
std::string norm_url(const std::string& url) { return normalize_crawl_url(url).value_or(url); }

bool is_get(const FetchRequest& q) { return q.method.empty() || q.method == "GET"; }

}  // namespace

RecordingSpider::RecordingSpider(std::unique_ptr<Spider> inner, Store& store, std::int64_t run,
                                 std::int64_t* requests, const Site* site)
    : inner_(std::move(inner)), store_(store), run_(run), requests_(requests) {
  if (site && !site->urls.empty()) {
    site_id_ = site->id;
    entry_ = site->urls[0];
    home_ = norm_url(entry_);
  }
}

std::vector<FetchRequest> RecordingSpider::start_requests() {
  auto reqs = inner_->start_requests();
  bool coincide = false;
  for (auto& q : reqs) {
    std::string u = norm_url(q.url);
    if (!home_.empty() && is_get(q) && u == home_) coincide = true;
    start_urls_.push_back(std::move(u));
  }
  // The portal's home page roots the link graph: fetch it unless the spider starts there anyway.
  if (!home_.empty() && !coincide) {
    FetchRequest h;
    h.site_id = site_id_;
    h.url = entry_;
    h.kind = "home";
    h.depth = 0;
    h.priority = 10;
    reqs.insert(reqs.begin(), std::move(h));
    own_home_ = true;
  }
  return reqs;
}

SpiderOutput RecordingSpider::on_result(const FetchResult& r) {
  FetchResult copy = r;
  return on_owned(std::move(copy));
}

SpiderOutput RecordingSpider::on_owned(FetchResult&& r) {
  bool is_home = false;
  if (!home_done_ && !home_.empty() && is_get(r.request) && (!own_home_ || r.request.kind == "home") &&
      norm_url(r.request.url) == home_) {
    is_home = home_done_ = true;
  }
  const bool ours = is_home && own_home_;  // our own home request: the inner spider never asked for it
  FetchRow f;
  f.portal_id = r.request.site_id;
  f.url = r.request.url;
  f.method = r.request.method;
  f.kind = is_home ? "home" : r.request.kind;
  f.status = r.status;
  for (auto& [k, v] : r.response_headers)
    if (strcasecmp(k.c_str(), "Content-Type") == 0) f.content_type = v;
  f.bytes = static_cast<std::int64_t>(r.body.size());
  f.warc_file = r.warc_file;
  f.warc_offset = r.warc_offset;
  f.fetched_at = iso_time(r.fetched_at);
  f.depth = r.request.depth;
  f.error_class = r.error_class;
  f.charset = r.charset;  // the fetcher decoded the text (web/fetch.h); never again here
  f.charset_source = r.charset_source;
  f.revisit_of_file = r.revisit_of_file;  // a 304: the page as the earlier WARC record holds it
  f.revisit_of_offset = r.revisit_of_offset;
  r.fetch_id = store_.write_fetch(run_, f);
  if (requests_) ++*requests_;
  SpiderOutput out;
  if (r.error_class == "spider-crash")  // the crawler skipped a page the spider crashed on twice
    store_.write_issue(run_, r.request.site_id, r.request.url, "poison-page",
                       "the process died twice while this page was parsed; skipped");
  if (!ours) {
    // A page is parsed once: an exception is its parse issue, never a crash of the harvest.
    try {
      out = inner_->on_result(r);
    } catch (const std::exception& e) {
      store_.write_issue(run_, r.request.site_id, r.request.url, "parse-error", e.what());
      out = SpiderOutput{};
    }
  }
  if (r.status >= 200 && r.status < 300 && r.error_class.empty()) record_links(r, ours, is_home, out);
  return out;
}

// The page's out-links (the spider's, when it parsed the page, else one parse here of an HTML page),
// the follow-up requests derived from it (JSON APIs: detail and next-page requests) and, for the home
// page, the spider's entry requests.
void RecordingSpider::record_links(const FetchResult& r, bool ours, bool is_home, const SpiderOutput& out) {
  std::vector<std::string> links;
  if (!ours && out.links) {
    links.reserve(out.links->size() + out.requests.size());
    for (auto& l : *out.links) links.push_back(l.url);
  } else {
    for (auto& l : page_links(r)) links.push_back(std::move(l.url));
  }
  for (auto& q : out.requests) links.push_back(norm_url(q.url));
  if (is_home)
    for (auto& u : start_urls_)
      if (u != home_) links.push_back(u);
  dedupe_links(&links);
  for (auto& l : links) store_.write_link(run_, r.fetch_id, l);
}

}  // namespace harvest_detail

std::unique_ptr<Spider> recording_spider(std::unique_ptr<Spider> inner, Store& store, std::int64_t run_id,
                                         std::int64_t* requests, const Site* site) {
  return std::make_unique<harvest_detail::RecordingSpider>(std::move(inner), store, run_id, requests, site);
}

}  // namespace odh
