#include "parsers/replay.h"

#include <strings.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "crawler/charset.h"
#include "crawler/content_decoding.h"
#include "crawler/crawl.h"
#include "crawler/url.h"
#include "crawler/warc.h"
#include "parsers/cms.h"
#include "parsers/links.h"
#include "parsers/session_spider.h"
#include "parsers/spec.h"
#include "parsers/terms.h"

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
  std::string refers_to;  // revisit: WARC-Record-ID of the record holding the payload
  // The parsed HTTP message, kept from indexing while under the memory budget (saves reopening
  // and inflating the record on fetch); null = read it again from file/offset.
  std::shared_ptr<const HttpMessage> msg;
};

constexpr std::size_t kKeepBytes = 512u << 20;  // budget for kept messages per snapshot

}  // namespace

struct WarcSnapshot::Impl {
  std::map<std::string, Capture> by_key;  // best capture per request key
  // Response records by WARC-Record-ID: where revisit records (identical payload, 304) find the body.
  std::unordered_map<std::string, Capture> records;
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
        } else if (type == "response" || type == "revisit") {
          HttpMessage m = rec.http();
          Capture c;
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
    HttpMessage m;
    if (c.msg) {
      m = *c.msg;
    } else {
      try {
        m = read_record_at(c.file, c.offset).http();
      } catch (const std::exception& e) {
        r.error_class = "snapshot-unreadable";
        return r;
      }
    }
    if (!c.refers_to.empty()) {
      // A revisit: the crawler archived the payload once (identical-payload-digest) or got 304
      // Not Modified; the body (for 304 the whole earlier response) is in the referred record.
      auto o = impl_->records.find(c.refers_to);
      if (o == impl_->records.end()) {
        r.error_class = "snapshot-unreadable";
        return r;
      }
      try {
        HttpMessage om =
            o->second.msg ? *o->second.msg : read_record_at(o->second.file, o->second.offset).http();
        if (m.status == 304)
          m = std::move(om);
        else
          m.body = std::move(om.body);
      } catch (const std::exception&) {
        r.error_class = "snapshot-unreadable";
        return r;
      }
    }
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

// The crawler's form of a request URL (crawl_key); the URL itself when it does not parse.
std::string norm_url(const std::string& url) { return normalize_crawl_url(url).value_or(url); }

bool is_html_type(const std::string& content_type) {
  for (size_t i = 0; i + 4 <= content_type.size(); ++i)
    if (strncasecmp(content_type.c_str() + i, "html", 4) == 0) return true;
  return false;
}

class RecordingSpider : public Spider {
 public:
  RecordingSpider(std::unique_ptr<Spider> inner, Store& store, std::int64_t run, std::int64_t* requests,
                  const Site* site)
      : inner_(std::move(inner)), store_(store), run_(run), requests_(requests) {
    if (site && !site->urls.empty()) {
      site_id_ = site->id;
      entry_ = site->urls[0];
      home_ = norm_url(entry_);
    }
  }

  std::vector<FetchRequest> start_requests() override {
    auto reqs = inner_->start_requests();
    bool coincide = false;
    for (auto& q : reqs) {
      std::string u = norm_url(q.url);
      if (!home_.empty() && (q.method.empty() || q.method == "GET") && u == home_) coincide = true;
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

  std::vector<FetchRequest> on_result(const FetchResult& r) override {
    FetchResult copy = r;
    return on_owned(std::move(copy), false);
  }

  // on_result without the copy; `decoded`: r.text/charset already come from decode_fetch_result
  // on these very bytes (WarcSnapshot::fetch does it), so decoding again would give the same.
  std::vector<FetchRequest> on_owned(FetchResult&& r, bool decoded) {
    bool is_home = false;
    if (!home_done_ && !home_.empty() && (r.request.method.empty() || r.request.method == "GET") &&
        (!own_home_ || r.request.kind == "home") && norm_url(r.request.url) == home_) {
      is_home = home_done_ = true;
    }
    bool ours = is_home && own_home_;  // our own home request: the inner spider never asked for it
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
    // Decode the bytes to UTF-8 here, the same way for live results (the crawler passes bytes as
    // received) and replayed ones, so both produce the same rows.
    if (!r.body.empty() && !decoded) {
      r.text.clear();
      decode_fetch_result(r);
    }
    f.charset = r.charset;
    f.charset_source = r.charset_source;
    r.fetch_id = store_.write_fetch(run_, f);
    if (requests_) ++*requests_;
    std::vector<FetchRequest> follow;
    if (!ours) follow = inner_->on_result(r);
    if (r.status >= 200 && r.status < 300 && r.error_class.empty()) record_links(r, f, ours, is_home, follow);
    return follow;
  }

 private:
  // The page's out-links (the spider's, when it parsed the page, else our own Gumbo pass over HTML),
  // the follow-up requests derived from it (JSON APIs: detail and next-page requests) and, for the
  // home page, the spider's entry requests.
  void record_links(const FetchResult& r, const FetchRow& f, bool ours, bool is_home,
                    const std::vector<FetchRequest>& follow) {
    std::vector<std::string> links;
    bool have = false;
    if (!ours)
      if (auto* lr = dynamic_cast<LinkReporter*>(inner_.get())) have = lr->take_links(&links);
    if (!have && is_html_type(f.content_type))
      links = html_links(r.text.empty() ? r.body : r.text, r.final_url.empty() ? r.request.url : r.final_url,
                         r.charset);
    for (auto& q : follow) links.push_back(norm_url(q.url));
    if (is_home)
      for (auto& u : start_urls_)
        if (u != home_) links.push_back(u);
    dedupe_links(&links);
    for (auto& l : links) store_.write_link(run_, r.fetch_id, l);
  }

  std::unique_ptr<Spider> inner_;
  Store& store_;
  std::int64_t run_;
  std::int64_t* requests_;
  std::string site_id_, entry_, home_;
  std::vector<std::string> start_urls_;
  bool own_home_ = false, home_done_ = false;
};

// Runs a spider against the snapshot the way the crawler runs it live: request URLs normalised to
// the crawler's form (unparseable ones dropped, as the crawler logs them without a result) and
// every METHOD + URL + body fetched once per replay, so live and replay see the same requests.
void drive_replay(RecordingSpider& spider, const WarcSnapshot& snap, std::unordered_set<std::string>& seen,
                  ParseSummary& sum) {
  std::deque<FetchRequest> q;
  auto push = [&](FetchRequest r) {
    if (r.method.empty()) r.method = "GET";
    auto n = normalize_crawl_url(r.url);
    if (!n) return;
    r.url = std::move(*n);
    std::string key = r.method + " " + r.url;
    if (!r.body.empty()) key += " #" + r.body;
    if (!seen.insert(std::move(key)).second) return;
    q.push_back(std::move(r));
  };
  for (auto& r : spider.start_requests()) push(std::move(r));
  while (!q.empty()) {
    FetchRequest req = std::move(q.front());
    q.pop_front();
    FetchResult res = snap.fetch(req);
    if (res.error_class != "not-in-snapshot") ++sum.answered;
    res.request = std::move(req);
    for (auto& f : spider.on_owned(std::move(res), true)) push(std::move(f));
  }
}

}  // namespace

std::unique_ptr<Spider> recording_spider(std::unique_ptr<Spider> inner, Store& store, std::int64_t run_id,
                                         std::int64_t* requests, const Site* site) {
  return std::make_unique<RecordingSpider>(std::move(inner), store, run_id, requests, site);
}

namespace {
std::unique_ptr<RecordingSpider> make_harvest_spider(const Site& site, const CrawlOptions& crawl,
                                                     StoreSink& sink, Store& store, std::int64_t run_id,
                                                     std::int64_t* requests) {
  // Sites without an engine still get their home page and near links fetched (reachability).
  auto inner = has_engine(site) ? make_site_spider(site, sink) : make_link_spider(site, crawl);
  // Terms pages (用户协议, 免责声明 …) of every site: the four rights of report §5.2.3.
  return std::make_unique<RecordingSpider>(terms::terms_spider(std::move(inner), site, store, run_id), store,
                                           run_id, requests, &site);
}
}  // namespace

std::unique_ptr<Spider> harvest_spider(const Site& site, const CrawlOptions& crawl, StoreSink& sink,
                                       Store& store, std::int64_t run_id, std::int64_t* requests) {
  return make_harvest_spider(site, crawl, sink, store, run_id, requests);
}

namespace {

// One site's replay into `store` (the database, or a worker's write log).
void replay_site(const Site& site, const WarcSnapshot& snap, Store& store, std::int64_t run, StoreSink& sink,
                 std::unordered_set<std::string>& seen, ParseSummary& sum) {
  // The same spider stack as a live harvest: sites without an engine get the crawler's link spider,
  // so their home page, near links and terms pages are rows of the replay too.
  auto spider = make_harvest_spider(site, CrawlOptions{}, sink, store, run, &sum.requests);
  drive_replay(*spider, snap, seen, sum);
}

void add_counts(ParseSummary& sum, const ParseSummary& part, const StoreSink& sink, const Site& site) {
  sum.requests += part.requests;
  sum.answered += part.answered;
  sum.datasets += sink.datasets;
  sum.apis += sink.apis;
  sum.issues += sink.issues;
  for (auto& [k, n] : sink.unknown_labels) sum.unknown_labels[k] += n;
  if (sink.datasets > 0) sum.datasets_by_portal[site.id] += sink.datasets;
}

double thread_cpu() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}
double wall_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A site parsed by a worker into a write log, waiting for the writer.
struct SiteJob {
  std::unique_ptr<Store> log;
  std::unique_ptr<StoreSink> sink;
  std::unordered_set<std::string> seen;  // request keys this site asked for
  ParseSummary part;
  std::exception_ptr error;
  bool done = false;
};

}  // namespace

ParseSummary replay_snapshot(const std::vector<Site>& sites, const WarcSnapshot& snap, Store& store,
                             const std::string& run_label, const std::string& sites_file, int threads) {
  ParseSummary sum;
  const double wall0 = wall_now(), cpu0 = thread_cpu();
  double parse_cpu = 0, write_wait = 0, inline_parse = 0;  // parse_cpu: workers' (under mu)
  sum.run_id = store.begin_run(run_label, "replay", sites_file);
  const bool bulk = store.begin_bulk_load();  // a fresh database: indexes once at the end
  const size_t n = sites.size();
  std::vector<char> engine(n);
  for (size_t i = 0; i < n; ++i) engine[i] = has_engine(sites[i]);
  std::unordered_set<std::string> seen;  // like the crawler's seen set: one per run

  // Workers parse sites into write logs, at most kAhead sites ahead of the writer (memory bound).
  constexpr size_t kAhead = 8;
  std::vector<SiteJob> jobs(threads > 1 ? n : 0);
  std::mutex mu;
  std::condition_variable cv;
  size_t next = 0, written = 0;
  bool stop = false;
  auto worker = [&] {
    for (;;) {
      size_t i;
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return stop || next >= n || next < written + kAhead; });
        if (stop || next >= n) return;
        i = next++;
      }
      SiteJob& j = jobs[i];
      const double c0 = thread_cpu();
      try {
        j.log = Store::open_log();
        j.sink = std::make_unique<StoreSink>(*j.log, sum.run_id);
        replay_site(sites[i], snap, *j.log, sum.run_id, *j.sink, j.seen, j.part);
      } catch (...) {
        j.error = std::current_exception();
      }
      std::lock_guard lk(mu);
      parse_cpu += thread_cpu() - c0;
      j.done = true;
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads && threads > 1; ++t) pool.emplace_back(worker);
  auto join = [&] {
    {
      std::lock_guard lk(mu);
      stop = true;
    }
    cv.notify_all();
    for (auto& t : pool) t.join();
    pool.clear();
  };

  try {
    // The writer: every site in registry order, so the rows (and their ids) are those of a
    // single-threaded replay.
    for (size_t i = 0; i < n; ++i) {
      const Site& site = sites[i];
      store.write_portal(sum.run_id, {site.id, site.name, site.province, site.city, site.county,
                                      site.division_code, site.level, site.region, site.kind, site.family,
                                      site.urls.empty() ? "" : site.urls[0], site.seq});
      if (!engine[i])
        ++sum.sites_skipped;
      else
        ++sum.sites;
      {
        bool applied = false;
        if (!jobs.empty()) {
          SiteJob& j = jobs[i];
          {
            const double w0 = wall_now();
            std::unique_lock lk(mu);
            cv.wait(lk, [&] { return j.done; });
            write_wait += wall_now() - w0;
          }
          if (j.error) std::rethrow_exception(j.error);
          // A worker could not see the requests of the sites before this one: when the site asked
          // for one of them (shared hosts), its log is wrong; replay it again in order.
          bool shared = false;
          for (auto& k : j.seen)
            if (seen.count(k)) {
              shared = true;
              break;
            }
          if (!shared) {
            store.append_log(*j.log, sum.run_id);
            add_counts(sum, j.part, *j.sink, site);
            seen.merge(j.seen);
            applied = true;
          }
          j = SiteJob{};
          j.done = true;
        }
        if (!applied) {
          StoreSink sink(store, sum.run_id);
          ParseSummary part;
          const double c0 = thread_cpu();
          replay_site(site, snap, store, sum.run_id, sink, seen, part);
          inline_parse += thread_cpu() - c0;  // parsing and writing, on the writer thread
          add_counts(sum, part, sink, site);
        }
      }
      std::lock_guard lk(mu);
      written = i + 1;
      cv.notify_all();
    }
  } catch (...) {
    join();
    if (bulk) store.end_bulk_load();
    throw;
  }
  join();
  const double b0 = wall_now();
  if (bulk) store.end_bulk_load();
  store.finish_run(sum.run_id);
  sum.seconds["index_build"] = wall_now() - b0;
  sum.seconds["parse_cpu"] = parse_cpu + inline_parse;
  sum.seconds["write_cpu"] = thread_cpu() - cpu0 - inline_parse;
  sum.seconds["write_wait"] = write_wait;
  sum.seconds["wall"] = wall_now() - wall0;
  return sum;
}

}  // namespace odh
