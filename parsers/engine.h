// parsers/engine.h — engines turn a site's responses into store rows. One C++ engine per kind of
// source (HTML list/detail, JSON API, CKAN, DCAT, data.json, Socrata, OpenDataSoft, embedded CMS
// column); the family spec (spec.h) says where things are. Engines implement odh::Spider: the
// crawler (live) or the replayer (WARC) feeds them responses; they never touch the network.
//
// Provenance: every row carries the FetchResult's fetch_id; problems become parse_issue rows.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crawler/fetch.h"
#include "parsers/html.h"
#include "parsers/spec.h"
#include "registry/registry.h"
#include "store/store.h"

namespace odh {

class LabelDictionary;

// Where engines put what they find. Not thread-safe; one per run.
class ParseSink {
 public:
  virtual ~ParseSink() = default;
  virtual void dataset(DatasetRow&& row) = 0;
  virtual void api(ApiRow&& row) = 0;
  virtual void issue(const std::string& portal_id, const std::string& url, const std::string& kind,
                     const std::string& message) = 0;
};

// Writes to a Store; also adds APIs for datasets offering format "api", the portal's topics, and
// counts unknown labels per portal (for `odh parse`).
class StoreSink : public ParseSink {
 public:
  StoreSink(Store& store, std::int64_t run_id) : store_(store), run_(run_id) {}
  void dataset(DatasetRow&& row) override;
  void api(ApiRow&& row) override;
  void issue(const std::string& portal_id, const std::string& url, const std::string& kind,
             const std::string& message) override;
  std::int64_t datasets = 0, apis = 0, issues = 0;
  std::map<std::pair<std::string, std::string>, int> unknown_labels;  // (portal, label) → count

 private:
  Store& store_;
  std::int64_t run_;
};

// Collects rows in memory (tests, dry runs).
class MemorySink : public ParseSink {
 public:
  void dataset(DatasetRow&& row) override { datasets.push_back(std::move(row)); }
  void api(ApiRow&& row) override { apis.push_back(std::move(row)); }
  void issue(const std::string& portal_id, const std::string& url, const std::string& kind,
             const std::string& message) override {
    issues.push_back(kind + ": " + message + " (" + url + ")");
  }
  std::vector<DatasetRow> datasets;
  std::vector<ApiRow> apis;
  std::vector<std::string> issues;
};

// Optional for spiders: the out-links (parsers/links.h) of the page last handed to on_result, when
// the spider parsed that page as HTML anyway — the recorder then need not parse it a second time.
class LinkReporter {
 public:
  virtual ~LinkReporter() = default;
  // Moves the links of the last on_result into `out` and returns true; false when the spider did
  // not parse that page as HTML (the caller extracts them itself).
  virtual bool take_links(std::vector<std::string>* out) = 0;
};

// For spiders that wrap another (session, terms): the wrapped spider's links of the last result,
// when it saw that result and reports links; false otherwise.
inline bool forward_links(Spider* inner, bool inner_saw_last, std::vector<std::string>* out) {
  auto* lr = dynamic_cast<LinkReporter*>(inner);
  return inner_saw_last && lr && lr->take_links(out);
}

// One record before canonical mapping: the title and every label/value pair as published.
struct RawRecord {
  std::string source_id, url, title;
  LabelValues pairs;
  std::vector<std::string> formats;    // raw format tokens (list icons, codes…)
  std::vector<DistributionRow> files;  // file links found on the page
};

// Maps a raw record to a dataset row: labels → canonical (site/family overrides, then the
// dictionary), values normalised, raw pairs kept. Never throws on content.
DatasetRow build_dataset(const RawRecord& rec, const std::string& portal_id, const FamilySpec& spec,
                         const LabelDictionary& dict);

// The spider for `site` using its family spec (data/families/<site.family>.yaml) with the site's
// overrides applied. Throws InputError when the family has no spec.
std::unique_ptr<Spider> make_spider(const Site& site, ParseSink& sink);
// The same with an explicit spec (tests, one-off specs).
std::unique_ptr<Spider> make_spider(const Site& site, FamilySpec spec, ParseSink& sink);

// Whole documents: every dataset in a DCAT RDF/XML or JSON-LD catalogue, a data.json catalogue,
// a Socrata views/discovery response, an OpenDataSoft v1 search/dataset response, a CKAN
// package_search/package_show response. kind: ckan | dcat-rdf | dcat-turtle | dcat-jsonld | datajson |
// socrata | ods. DCAT RDF/XML and Turtle go through one triple model (parsers/rdf.h), so the same
// catalogue in either syntax gives the same records. Bad input yields no records (and `error` says
// why — for Turtle "<source>:<line>:<column>: <problem>"), never an exception. `source` names the
// document (file or URL) in errors and is Turtle's base IRI when it is an http(s) URL.
std::vector<RawRecord> records_from_document(const std::string& kind, const std::string& body,
                                             std::string* error = nullptr, const std::string& source = "");

// Runs a spider to completion against `fetch` (anything that answers a request: the simulator, a
// WARC index, a test's pages), first-in first-out, at most max_requests. Returns requests made.
using FetchFn = std::function<FetchResult(const FetchRequest&)>;
size_t drive(Spider& spider, const FetchFn& fetch, size_t max_requests = 10000000);

// Resolves a possibly relative href against an absolute base URL.
std::string resolve_url(const std::string& base, const std::string& href);

}  // namespace odh
