// Fuzz entry points for the parsers of untrusted input beyond the crawler's own (robots, URL,
// charset: crawler_fuzz_targets.cpp): HTML extraction, the JSON engine, RDF/Turtle, the WARC reader,
// parse_http, content decoding, the family spec and registry loaders, the terms classifier, and a
// family engine fed a hostile response. Each checks a few invariants and must never crash, hang or
// leak, whatever the bytes.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/targets/fuzz_targets.h"
#include "parsers/html.h"
#include "parsers/json_util.h"
#include "parsers/parsers.h"
#include "parsers/rdf.h"
#include "parsers/spec.h"
#include "parsers/terms.h"
#include "registry/registry.h"
#include "warc/warc.h"
#include "web/charset.h"
#include "web/content_decoding.h"
#include "web/html_links.h"

namespace odh::fuzz {
namespace {

std::string_view view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The loaders read files: the input goes to an in-memory file, named by its /proc path.
class MemFile {
 public:
  MemFile(std::string_view bytes, const char* name) {
    fd_ = memfd_create(name, MFD_CLOEXEC);
    require(fd_ >= 0, "memfd_create");
    std::size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::write(fd_, bytes.data() + off, bytes.size() - off);
      require(n > 0, "write to memfd");
      off += static_cast<std::size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { ::close(fd_); }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

class NullSink : public ParseSink {
 public:
  void dataset(DatasetRow&&) override {}
  void api(ApiRow&&) override {}
  void issue(const std::string&, const std::string&, const std::string&, const std::string&) override {}
};

}  // namespace

int html(const std::uint8_t* data, std::size_t size) {
  std::string_view in = view(data, size);
  std::string scratch;
  std::string_view b = bounded_html(in, &scratch);
  require(b.size() <= in.size() && b.size() <= kMaxHtmlBytes, "bounded_html never grows the page");
  HtmlDoc doc(in);
  for (const char* sel : {"a[href]", "table tr", "div.list > ul li", "*", "#id", "[title=x]", "td, th"})
    for (auto& n : doc.select(sel)) {
      (void)n.text();
      (void)n.attr("href");
    }
  for (auto& t : doc.select("table")) (void)table_pairs(t);
  (void)line_pairs(in.substr(0, 4096), size % 2 == 0);
  auto links = extract_links(in, "http://portal.example.gov.cn/a/b.html", size % 3 ? "" : "GBK");
  require(links.size() <= kMaxLinksPerPage, "links per page are bounded");
  for (auto& l : links) require(l.url.rfind("http", 0) == 0, "links are http(s)");
  return 0;
}

int json(const std::uint8_t* data, std::size_t size) {
  std::string_view in = view(data, size);
  detail::json j;
  std::string err;
  if (detail::parse_json(in, j, &err)) {
    for (const char* p : {"data", "data.content", "[0].result", "result.results[*].id", "data.rows[2].id",
                          "docType[*].file_type", "."})
      for (auto* v : detail::jpath_all(j, p)) (void)detail::scalar_text(*v);
    LabelValues pairs;
    detail::flatten_pairs(j, pairs);
    RawRecord rec;
    for (const char* kind : {"fields", "ckan", "datajson", "socrata", "ods"}) (void)detail::convert_item(kind, j, rec);
  } else {
    require(!err.empty(), "a refused document says why");
  }
  for (const char* kind : {"ckan", "datajson", "socrata", "ods", "dcat-jsonld"})
    (void)records_from_document(kind, std::string(in), &err);
  return 0;
}

int rdf(const std::uint8_t* data, std::size_t size) {
  std::string_view in = view(data, size);
  rdf::Graph g;
  std::string err;
  if (size % 2 == 0 ? rdf::parse_turtle(in, "http://example.org/catalog.ttl", g, &err)
                    : rdf::parse_rdfxml(in, g, &err)) {
    (void)rdf::dcat_records(g);
    (void)rdf::hydra_next(g);
  }
  return 0;
}

int warc(const std::uint8_t* data, std::size_t size) {
  MemFile f(view(data, size), "fuzz.warc");
  warc::ReaderOptions o;
  o.max_block_bytes = 1 << 20;  // bounded memory under the fuzzer
  try {
    warc::WarcReader r(f.path(), o);
    warc::Record rec;
    for (int n = 0; n < 64 && r.next(&rec); ++n) {
      auto m = rec.http();
      (void)m.body.size();
      (void)warc::verify_digests(rec);
    }
  } catch (const warc::WarcError&) {
  } catch (const Failure&) {
  }
  return 0;
}

int http(const std::uint8_t* data, std::size_t size) {
  std::string_view in = view(data, size);
  auto m = warc::parse_http(in, size % 5 == 0);
  require(m.head_bytes <= in.size(), "the head lies inside the block");
  require(m.body.size() <= in.size(), "the body is never larger than the block");
  return 0;
}

int decoding(const std::uint8_t* data, std::size_t size) {
  std::string_view in = view(data, size);
  static const char* kCodings[] = {"gzip", "deflate", "br", "gzip, br", "x-gzip", "identity", "gzip, gzip"};
  const char* coding = kCodings[size % 7];
  constexpr std::size_t kCap = 1 << 20;
  ContentDecoder d(coding, kCap);
  std::string out;
  // Fed in uneven chunks, as curl's write callback would.
  std::size_t off = 0, step = 1 + size % 97;
  while (off < in.size() && d.feed(in.substr(off, step), &out)) off += step;
  (void)d.finish(&out);
  require(out.size() <= kCap, "decoded output is capped");
  std::string body(in);
  std::string cls = remove_content_encoding(coding, &body, kCap);
  require(body.size() <= std::max<std::size_t>(kCap, in.size()), "whole-body decoding is capped");
  return 0;
}

int spec(const std::uint8_t* data, std::size_t size) {
  MemFile f(view(data, size), "family.yaml");
  try {
    FamilySpec s = load_family_file(f.path());
    apply_overrides(s, {{"list.items", "li"}, {"prefix", "x"}});
    Site site;
    site.id = "fuzz";
    site.urls = {"http://portal.example.gov.cn/"};
    NullSink sink;
    auto spider = make_spider(site, s, sink);
    (void)spider->start_requests();
  } catch (const InputError&) {
  } catch (const Failure&) {
  }
  return 0;
}

int registry(const std::uint8_t* data, std::size_t size) {
  MemFile f(view(data, size), "sites.yaml");
  try {
    Registry r = load_registry(f.path());
    for (auto& s : r.sites) require(!s.id.empty() && !s.urls.empty(), "a loaded site has an id and URLs");
  } catch (const InputError&) {
  } catch (const Failure&) {
  }
  return 0;
}

int terms(const std::uint8_t* data, std::size_t size) {
  std::string_view in = view(data, size);
  std::string text = is_valid_utf8(in) ? std::string(in) : decode_to_utf8(in, "gb18030");
  for (auto& v : odh::terms::classify(text)) (void)odh::terms::verdict_label(v.aspect, v.stance);
  (void)odh::terms::page_text(in);
  auto links = odh::terms::find_terms_links(in, "http://portal.example.gov.cn/", 8);
  require(links.size() <= 8, "at most 8 terms pages");
  (void)odh::terms::is_terms_title(text.substr(0, 200));
  return 0;
}

// A family engine reading a hostile response: the first byte picks the family, the rest is the body
// of the site's first list request (and of the detail page it may ask for next).
int engine(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const std::vector<std::string> kFamilies = family_names();
  if (kFamilies.empty()) return 0;
  Site site;
  site.id = "fuzz";
  site.family = kFamilies[data[0] % kFamilies.size()];
  site.urls = {"http://portal.example.gov.cn/"};
  NullSink sink;
  std::unique_ptr<Spider> spider;
  try {
    spider = make_spider(site, sink);
  } catch (const std::exception&) {
    return 0;
  }
  std::string body(view(data + 1, size - 1));
  int answered = 0;
  auto fetch = [&](const FetchRequest& q) {
    FetchResult r;
    r.request = q;
    r.final_url = q.url;
    r.status = 200;
    r.body = body;
    r.response_headers = {{"Content-Type", body.find('<') < 16 ? "text/html" : "application/json"}};
    decode_fetch_result(r);
    ++answered;
    return r;
  };
  (void)drive(*spider, fetch, 8);
  return 0;
}

// A downloaded file: the first byte picks the label and whether the body counts as truncated, the rest is
// the body (zip, OLE2/XLS through FreeXL, JSON, XML, delimited text …).
int files(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const char* kLabels[] = {"", "csv", "xls", "xlsx", "json", "xml", "rdf", "pdf", "zip", "txt", "ods", "api"};
  const bool truncated = (data[0] & 0x80) != 0;
  const std::string_view body = view(data + 1, size - 1);
  InspectLimits limits;
  limits.max_inflated_bytes = 8 << 20;
  limits.max_xls_cells = 1 << 20;
  const FileInspection r = inspect_file(body, kLabels[(data[0] & 0x7f) % 12], "", truncated, limits);
  require(r.stars >= 0 && r.stars <= 4, "stars in 0..4");
  require(body.empty() == r.sniffed_format.empty(), "a format for every non-empty body, none for an empty one");
  require(r.rows >= -1 && r.columns >= -1, "counts are -1 or more");
  require(!r.machine_readable || r.stars >= 2, "machine-readable files have at least 2 stars");
  require(r.rows >= 0 || !r.rows_lower_bound, "a lower bound is a count");
  return 0;
}

}  // namespace odh::fuzz
