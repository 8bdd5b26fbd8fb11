// Stage 3b of a page: the download links of the datasets it yielded are probed through the crawler
// (politeness, WARC), and each answer becomes the distribution's file check — liveness class
// (parsers/links.h), and for a sampled file its format by content, rows and columns (inspect_file).
#include <strings.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "harvest/stack.h"
#include "web/url.h"

namespace odh::harvest_detail {
namespace {

// Formats worth a content sample: what may hold rows and columns (or be mislabelled as such).
bool structured_label(const std::string& f) {
  static const std::set<std::string> k = {"csv", "tsv", "txt", "xls", "xlsx", "ods", "json", "xml", "rdf", ""};
  return k.count(f) > 0;
}

std::string header(const FetchResult& r, const char* name) {
  for (const auto& [k, v] : r.response_headers)
    if (strcasecmp(k.c_str(), name) == 0) return v;
  return "";
}

// Whether the body is only the first bytes of the file: the crawler cut it, or the server answered a
// Range with part of a longer file (206 "bytes 0-N/TOTAL"), or sent less than its Content-Length (a
// replayed record of a cut body keeps the server's header).
bool body_is_partial(const FetchResult& r) {
  if (r.truncated) return true;
  const auto size = static_cast<long long>(r.body.size());
  std::string cr = header(r, "Content-Range");
  if (!cr.empty()) {  // 206, or a 200 that still says which bytes it sent
    auto slash = cr.rfind('/');
    if (slash != std::string::npos) {
      long long total = std::atoll(cr.c_str() + slash + 1);
      if (total > size) return true;
    }
  }
  std::string cl = header(r, "Content-Length");
  return r.status == 200 && !cl.empty() && std::atoll(cl.c_str()) > size;
}

class FileStage : public Spider, public ParseSink {
 public:
  FileStage(const Site& site, StoreSink& sink, Store& store, std::int64_t run, const FileProbeLimits& limits)
      : site_id_(site.id), urls_(site.urls), sink_(sink), store_(store), run_(run), limits_(limits) {}

  void set_inner(std::unique_ptr<Spider> inner) { inner_ = std::move(inner); }

  std::vector<FetchRequest> start_requests() override { return inner_->start_requests(); }

  SpiderOutput on_result(const FetchResult& r) override {
    auto it = is_probe(r.request) ? links_.find(r.request.url) : links_.end();
    SpiderOutput out;
    if (it == links_.end()) {
      out = inner_->on_result(r);
    } else {
      try {
        judge(it->second, r, out);
      } catch (const std::exception&) {
        // Hostile bytes never abort the harvest: the link simply keeps no check.
      }
    }
    for (auto& q : pending_) {
      q.depth = r.request.depth + 1;  // a click from the page that listed the file
      out.requests.push_back(std::move(q));
    }
    pending_.clear();
    return out;
  }

  // ParseSink: rows go on to the store; each dataset's download links are noted for probing.
  void dataset(DatasetRow&& row) override {
    std::vector<std::pair<std::string, std::string>> dists;  // url, declared format
    for (const auto& d : row.distributions)
      if (d.format != "api" && !d.url.empty()) dists.emplace_back(d.url, d.format);
    sink_.dataset(std::move(row));
    for (auto& [url, format] : dists) note(url, format);
  }
  void api(ApiRow&& row) override { sink_.api(std::move(row)); }
  // An incremental run's unchanged entry: the earlier row comes with its earlier file checks
  // (StoreSink::carry_forward), so its links are not probed again this run.
  bool carry_forward(const ListedEntry& entry) override { return sink_.carry_forward(entry); }
  void issue(const std::string& portal_id, const std::string& url, const std::string& kind,
             const std::string& message) override {
    sink_.issue(portal_id, url, kind, message);
  }

 private:
  struct Link {
    std::string declared;
    bool done = false;  // a check was written
    FileCheck check;
  };

  FetchRequest probe(const std::string& url, bool sample) {
    FetchRequest q;
    q.site_id = site_id_;
    q.url = url;
    q.kind = sample ? "file" : "link";
    q.method = sample ? "GET" : "HEAD";
    q.priority = -10;  // after every page of the catalogue on the host (crawl.h: probes never pause it)
    if (sample) q.headers.emplace_back("Range", "bytes=0-" + std::to_string(std::max<std::int64_t>(1, limits_.probe_bytes) - 1));
    return q;
  }

  bool wanted(const FetchRequest& q) const { return !limits_.archived || limits_.archived(q); }

  void note(const std::string& raw_url, const std::string& declared) {
    auto n = normalize_crawl_url(raw_url);
    if (!n) return;
    const std::string& url = *n;
    if (auto it = links_.find(url); it != links_.end()) {
      // Another dataset with a link already judged: the check goes onto its row too.
      if (it->second.done)
        store_.write_file_check(run_, site_id_, raw_url, it->second.check);
      else
        raw_urls_[url].insert(raw_url);
      return;
    }
    if (static_cast<int>(links_.size()) >= limits_.links_per_site) return;
    if (limits_.bytes_spent && *limits_.bytes_spent >= limits_.total_bytes) return;
    if (!request_refusal(url, urls_).empty()) return;  // the crawler would refuse it: never checked
    bool sample = structured_label(declared) && samples_ < limits_.files_per_site;
    FetchRequest q = probe(url, sample);
    if (!wanted(q)) {  // replay: the live harvest probed it the other way, or not at all
      sample = !sample;
      q = probe(url, sample);
      if (!wanted(q)) return;
    }
    samples_ += sample;
    Link& l = links_[url];
    l.declared = declared;
    raw_urls_[url].insert(raw_url);
    pending_.push_back(std::move(q));
  }

  void judge(Link& l, const FetchResult& r, SpiderOutput& out) {
    if (limits_.bytes_spent) *limits_.bytes_spent += static_cast<std::int64_t>(r.body.size());
    LinkVerdict v = classify_link(r, l.declared);
    if (v.needs_get) {
      FetchRequest q = probe(r.request.url, true);
      if (wanted(q)) {
        q.depth = r.request.depth;
        out.requests.push_back(std::move(q));  // the GET decides; the HEAD leaves no check
        return;
      }
    }
    FileCheck& c = l.check;
    if (v.live) c.live = *v.live ? 1 : 0;
    c.link_class = v.link_class;
    c.link_evidence = v.evidence;
    c.fetch_id = r.fetch_id;
    const bool got_bytes = r.request.method != "HEAD" && r.status >= 200 && r.status < 300 && !r.body.empty();
    if (got_bytes) {
      const bool partial = body_is_partial(r);
      FileInspection f = inspect_file(r.body, l.declared, header(r, "Content-Type"), partial);
      c.sniffed_format = f.sniffed_format;
      c.mime = f.mime;
      c.machine_readable = f.machine_readable ? 1 : 0;
      c.stars = f.stars;
      c.format_matches = f.declared_matches ? 1 : 0;
      if (f.rows >= 0) c.rows = f.rows;
      if (f.columns >= 0) c.columns = f.columns;
      if (f.rows >= 0) c.rows_lower_bound = f.rows_lower_bound ? 1 : 0;
      c.encoding = f.encoding;
    }
    if (c.link_class == "not-checked") return;
    l.done = true;
    for (const auto& raw : raw_urls_[r.request.url]) store_.write_file_check(run_, site_id_, raw, c);
  }

  std::unique_ptr<Spider> inner_;
  std::string site_id_;
  std::vector<std::string> urls_;
  StoreSink& sink_;
  Store& store_;
  std::int64_t run_;
  FileProbeLimits limits_;
  std::map<std::string, Link> links_;                     // normalized URL → its probe
  std::map<std::string, std::set<std::string>> raw_urls_;  // normalized URL → URLs as published
  std::vector<FetchRequest> pending_;
  int samples_ = 0;
};

}  // namespace

std::unique_ptr<Spider> with_file_stage(
    const Site& site, StoreSink& sink, Store& store, std::int64_t run_id, const FileProbeLimits& limits,
    const std::function<std::unique_ptr<Spider>(ParseSink&)>& make_engine) {
  auto stage = std::make_unique<FileStage>(site, sink, store, run_id, limits);
  stage->set_inner(make_engine(*stage));
  return stage;
}

}  // namespace odh::harvest_detail
