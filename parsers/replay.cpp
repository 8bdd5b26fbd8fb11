#include "parsers/replay.h"

#include <strings.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <set>

#include "crawler/charset.h"
#include "crawler/content_decoding.h"
#include "crawler/warc.h"
#include "parsers/cms.h"
#include "parsers/session_spider.h"
#include "parsers/spec.h"

namespace odh {
namespace fs = std::filesystem;
using warc::find_field;
using warc::HttpMessage;
using warc::read_record_at;
using warc::Record;
using warc::WarcReader;

namespace {

std::string key_of(const std::string& method, const std::string& url, const std::string& body) {
  return method + " " + url + "\n" + body;
}

struct Capture {
  std::string file;
  std::uint64_t offset = 0;
  int status = 0;
  std::string location;  // redirect target as stored
  std::string date;
};

}  // namespace

struct WarcSnapshot::Impl {
  std::map<std::string, Capture> by_key;  // best capture per request key
  size_t responses = 0;
};

WarcSnapshot::WarcSnapshot(const std::string& dir) : impl_(std::make_unique<Impl>()) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_regular_file(dir, ec)) {
    files.push_back(dir);
  } else {
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      std::string n = it->path().filename().string();
      if (it->is_regular_file() && (n.ends_with(".warc") || n.ends_with(".warc.gz")))
        files.push_back(it->path());
    }
  }
  if (files.empty()) throw Failure("no WARC files (*.warc, *.warc.gz) in " + dir);
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    // Requests and responses point at each other with WARC-Concurrent-To; join them per file.
    struct Req {
      std::string method, body;
    };
    std::map<std::string, Req> requests;                // request record id → request
    std::map<std::string, std::string> req_for_resp;    // response id → request id
    std::vector<std::pair<std::string, Capture>> resp;  // (response id, capture) in file order
    std::map<std::string, std::string> resp_uri;
    try {
      WarcReader reader(f);
      Record rec;
      while (reader.next(&rec)) {
        std::string type(rec.type());
        std::string id(rec.record_id());
        std::string conc(find_field(rec.headers, "WARC-Concurrent-To"));
        if (type == "request") {
          HttpMessage m = rec.http();
          requests[id] = {m.method.empty() ? "GET" : m.method, m.body};
          if (!conc.empty()) req_for_resp[conc] = id;
        } else if (type == "response") {
          HttpMessage m = rec.http();
          Capture c;
          c.file = f.string();
          c.offset = rec.offset;
          c.status = m.status;
          c.location = std::string(find_field(m.headers, "Location"));
          c.date = std::string(rec.date());
          if (!conc.empty() && !req_for_resp.count(id)) req_for_resp[id] = conc;
          resp_uri[id] = std::string(rec.target_uri());
          resp.emplace_back(id, std::move(c));
          ++impl_->responses;
        }
      }
    } catch (const std::exception& e) {
      problems.push_back(f.string() + ": " + e.what());
    }
    for (auto& [id, c] : resp) {
      Req q{"GET", ""};
      if (auto r = req_for_resp.find(id); r != req_for_resp.end())
        if (auto it = requests.find(r->second); it != requests.end()) q = it->second;
      std::string k = key_of(q.method, resp_uri[id], q.body);
      auto& slot = impl_->by_key[k];
      bool good = c.status >= 200 && c.status < 400;
      bool slot_good = slot.status >= 200 && slot.status < 400;
      if (slot.file.empty() || good || !slot_good) slot = c;  // later good captures win
    }
  }
}

WarcSnapshot::~WarcSnapshot() = default;
size_t WarcSnapshot::responses() const { return impl_->responses; }

FetchResult WarcSnapshot::fetch(const FetchRequest& req) const {
  FetchResult r;
  r.request = req;
  std::string method = req.method, url = req.url, body = req.body;
  for (int hop = 0; hop <= 10; ++hop) {
    auto it = impl_->by_key.find(key_of(method, url, body));
    if (it == impl_->by_key.end()) {
      r.status = 0;
      r.error_class = "not-in-snapshot";
      return r;
    }
    const Capture& c = it->second;
    if (c.status >= 300 && c.status < 400 && !c.location.empty() && hop < 10) {
      url = resolve_url(url, c.location);
      method = "GET";
      body.clear();
      continue;
    }
    Record rec;
    try {
      rec = read_record_at(c.file, c.offset);
    } catch (const std::exception& e) {
      r.error_class = "snapshot-unreadable";
      return r;
    }
    HttpMessage m = rec.http();
    r.final_url = url;
    r.status = m.status;
    r.response_headers = m.headers;
    r.warc_file = fs::path(c.file).filename().string();
    r.warc_offset = static_cast<std::int64_t>(c.offset);
    std::string enc(find_field(m.headers, "Content-Encoding"));
    if (!enc.empty() && enc != "identity") {
      ContentDecoder dec(enc, 256u << 20);
      std::string out;
      if (dec.feed(m.body, &out) && dec.finish(&out)) {
        r.body = std::move(out);
      } else {
        r.error_class = dec.status().code == "too-large" ? "too-large" : "decode-error";
        r.body = std::move(m.body);
      }
    } else {
      r.body = std::move(m.body);
    }
    decode_fetch_result(r);
    std::tm tm{};
    if (strptime(c.date.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) r.fetched_at = static_cast<double>(timegm(&tm));
    if (r.status >= 400) r.error_class = r.status >= 500 ? "http-5xx" : "http-4xx";
    return r;
  }
  r.error_class = "redirect-loop";
  return r;
}

// ---- spiders ----------------------------------------------------------------------------------

bool has_engine(const Site& site) {
  if (site.family == "embedded-cms") return true;
  std::error_code ec;
  return fs::exists(data_dir() / "families" / (site.family + ".yaml"), ec);
}

std::unique_ptr<Spider> make_site_spider(const Site& site, ParseSink& sink) {
  // Every site gets a cookie jar and the JS-cookie gate solver (parsers/session_spider.h).
  if (site.family == "embedded-cms") return make_session_spider(make_cms_spider(site, sink));
  return make_session_spider(make_spider(site, sink));
}

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

class RecordingSpider : public Spider {
 public:
  RecordingSpider(std::unique_ptr<Spider> inner, Store& store, std::int64_t run, std::int64_t* requests)
      : inner_(std::move(inner)), store_(store), run_(run), requests_(requests) {}
  std::vector<FetchRequest> start_requests() override { return inner_->start_requests(); }
  std::vector<FetchRequest> on_result(const FetchResult& r) override {
    FetchRow f;
    f.portal_id = r.request.site_id;
    f.url = r.request.url;
    f.method = r.request.method;
    f.kind = r.request.kind;
    f.status = r.status;
    for (auto& [k, v] : r.response_headers)
      if (strcasecmp(k.c_str(), "Content-Type") == 0) f.content_type = v;
    f.charset = r.charset;
    f.charset_source = r.charset_source;
    f.bytes = static_cast<std::int64_t>(r.body.size());
    f.warc_file = r.warc_file;
    f.warc_offset = r.warc_offset;
    f.fetched_at = iso_time(r.fetched_at);
    f.depth = r.request.depth;
    f.error_class = r.error_class;
    FetchResult copy = r;
    // Decode the bytes to UTF-8 here, the same way for live results (the crawler passes bytes as
    // received) and replayed ones, so both produce the same rows.
    if (!copy.body.empty()) {
      copy.text.clear();
      decode_fetch_result(copy);
    }
    f.charset = copy.charset;
    f.charset_source = copy.charset_source;
    copy.fetch_id = store_.write_fetch(run_, f);
    if (requests_) ++*requests_;
    return inner_->on_result(copy);
  }

 private:
  std::unique_ptr<Spider> inner_;
  Store& store_;
  std::int64_t run_;
  std::int64_t* requests_;
};

}  // namespace

std::unique_ptr<Spider> recording_spider(std::unique_ptr<Spider> inner, Store& store, std::int64_t run_id,
                                         std::int64_t* requests) {
  return std::make_unique<RecordingSpider>(std::move(inner), store, run_id, requests);
}

ParseSummary replay_snapshot(const std::vector<Site>& sites, const WarcSnapshot& snap, Store& store,
                             const std::string& run_label, const std::string& sites_file) {
  ParseSummary sum;
  sum.run_id = store.begin_run(run_label, "replay", sites_file);
  StoreSink sink(store, sum.run_id);
  for (const auto& site : sites) {
    store.write_portal(sum.run_id, {site.id, site.name, site.province, site.city, site.county,
                                    site.division_code, site.level, site.region, site.kind, site.family,
                                    site.urls.empty() ? "" : site.urls[0], site.seq});
    if (!has_engine(site)) {
      ++sum.sites_skipped;
      continue;
    }
    ++sum.sites;
    std::int64_t before = sink.datasets;
    auto spider = recording_spider(make_site_spider(site, sink), store, sum.run_id, &sum.requests);
    drive(*spider, [&](const FetchRequest& q) {
      FetchResult r = snap.fetch(q);
      if (r.error_class != "not-in-snapshot") ++sum.answered;
      return r;
    });
    if (sink.datasets > before) sum.datasets_by_portal[site.id] = sink.datasets - before;
  }
  store.finish_run(sum.run_id);
  sum.datasets = sink.datasets;
  sum.apis = sink.apis;
  sum.issues = sink.issues;
  sum.unknown_labels = sink.unknown_labels;
  return sum;
}

}  // namespace odh
