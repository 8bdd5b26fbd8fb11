// The WARC snapshot fetcher: answers requests from an archive, by the rules every fetcher applies
// (web/fetch.h), so a replayed page reaches its spider as it did live.
#include <strings.h>
#include <time.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <unordered_map>

#include "warc/warc.h"
#include "web/fetch.h"

namespace odh::warc {
namespace fs = std::filesystem;

namespace {

std::string key_of(const std::string& method, const std::string& url, const std::string& body) {
  return method + " " + url + "\n" + body;
}

struct Answer {
  std::string file;
  std::uint64_t offset = 0;
  int status = 0;
  std::string location;  // redirect target as stored
  std::string date;
  std::string refers_to;  // revisit: WARC-Record-ID of the record holding the payload
  // The parsed HTTP message, kept from indexing while under the memory budget (saves reopening
  // and inflating the record on fetch); null = read it again from file/offset.
  std::shared_ptr<const HttpMessage> msg;
};

constexpr std::size_t kKeepBytes = 512u << 20;  // budget for kept messages per snapshot

}  // namespace

struct WarcSnapshot::Impl {
  bool read(const Answer& c, HttpMessage* out) const;
  std::map<std::string, Answer> by_key;  // best capture per request key
  // Response records by WARC-Record-ID: where revisit records (identical payload, 304) find the body.
  std::unordered_map<std::string, Answer> records;
  size_t responses = 0, kept_bytes = 0;
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
    std::vector<std::pair<std::string, Answer>> resp;  // (response id, capture) in file order
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
        } else if (type == "response" || type == "revisit") {
          HttpMessage m = rec.http();
          Answer c;
          if (type == "revisit") {
            c.refers_to = std::string(find_field(rec.headers, "WARC-Refers-To"));
            if (c.refers_to.empty()) continue;  // no way to the payload
          }
          c.file = f.string();
          c.offset = rec.offset;
          c.status = m.status;
          c.location = std::string(find_field(m.headers, "Location"));
          c.date = std::string(rec.date());
          std::size_t size = m.head_bytes + m.body.size();
          if (impl_->kept_bytes + size <= kKeepBytes) {
            impl_->kept_bytes += size;
            c.msg = std::make_shared<const HttpMessage>(std::move(m));
          }
          if (type == "response") impl_->records[id] = c;
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
bool WarcSnapshot::contains(const FetchRequest& req) const {
  return impl_->by_key.count(key_of(req.method.empty() ? "GET" : req.method, req.url, req.body)) > 0;
}

// The fetcher's rules of web/fetch.h over the archive: redirects followed hop by hop under the
// crawler's rule (the request's method and body repeated, as the crawler sends them), Content-Encoding
// removed with the same cap and error classes, text decoded once, the status's error class.
FetchResult WarcSnapshot::fetch(const FetchRequest& req, const std::vector<std::string>& site_urls) const {
  FetchResult r;
  r.request = req;
  std::string url = req.url;
  const std::string method = req.method.empty() ? "GET" : req.method;
  for (int hops = 0;; ++hops) {
    auto it = impl_->by_key.find(key_of(method, url, req.body));
    if (it == impl_->by_key.end()) {
      r.status = 0;
      r.final_url = url;  // after redirects: where the archive has no answer (a hop the crawl refused)
      r.error_class = "not-in-snapshot";
      return r;
    }
    const Answer& c = it->second;
    RedirectStep step = next_redirect(url, c.status, c.location, hops, kMaxRedirects, site_urls);
    if (step.is_redirect && step.error_class.empty()) {
      url = step.target;
      continue;
    }
    HttpMessage m;
    if (!impl_->read(c, &m)) {
      r.error_class = "snapshot-unreadable";
      return r;
    }
    r.final_url = url;
    r.status = m.status;
    r.response_headers = m.headers;
    r.warc_file = fs::path(c.file).filename().string();
    r.warc_offset = static_cast<std::int64_t>(c.offset);
    r.body = std::move(m.body);
    r.error_class = remove_content_encoding(find_field(m.headers, "Content-Encoding"), &r.body);
    decode_fetch_result(r);
    std::tm tm{};
    if (strptime(c.date.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) r.fetched_at = static_cast<double>(timegm(&tm));
    if (r.error_class.empty()) r.error_class = step.is_redirect ? step.error_class : status_error_class(r.status);
    return r;
  }
}

// The archived message of a capture; a revisit gets its payload (for a 304 the whole earlier
// response) from the record it refers to. False when a record cannot be read.
bool WarcSnapshot::Impl::read(const Answer& c, HttpMessage* out) const {
  try {
    *out = c.msg ? *c.msg : read_record_at(c.file, c.offset).http();
    if (c.refers_to.empty()) return true;
    auto o = records.find(c.refers_to);
    if (o == records.end()) return false;
    HttpMessage om = o->second.msg ? *o->second.msg : read_record_at(o->second.file, o->second.offset).http();
    if (out->status == 304)
      *out = std::move(om);
    else
      out->body = std::move(om.body);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace odh::warc
