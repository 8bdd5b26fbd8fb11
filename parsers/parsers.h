// parsers/parsers.h — the parsers' contract: engines that turn a site's responses into records.
//
// One C++ engine per kind of source (HTML list/detail, JSON API, CKAN, DCAT, data.json, Socrata,
// OpenDataSoft, embedded CMS column); a family spec (parsers/spec.h, data/families/*.yaml) says where
// things are. Engines are odh::Spiders (web/fetch.h): a fetcher — the live crawler or a WARC snapshot —
// feeds them responses; they never touch the network, and they know no store: records go to a
// ParseSink. Terms pages are classified by the pure functions of parsers/terms.h.
//
// Provenance: every record carries the FetchResult's fetch_id; problems become issues, never exceptions.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/records.h"
#include "parsers/links.h"
#include "parsers/spec.h"
#include "parsers/terms.h"
#include "registry/registry.h"
#include "web/fetch.h"

namespace odh {

class LabelDictionary;

// A catalogue list's entry for a dataset whose detail page an incremental harvest may skip (family
// spec `incremental: skip-unchanged-details`, parsers/spec.h).
struct ListedEntry {
  std::string portal_id, source_id;
  std::string stamp;           // the update time (or hash) the list shows (spec list.updated)
  std::int64_t fetch_id = -1;  // the list page's fetch row
  int depth = -1;              // the click depth the detail page would have had
  std::optional<std::int64_t> views, downloads;  // usage the list shows (list.views / list.downloads)
};

// Where engines put what they find. Not thread-safe; one per run.
class ParseSink {
 public:
  virtual ~ParseSink() = default;
  // Incremental harvest: true when the sink holds this entry from an earlier run with the same stamp
  // and has carried that record forward into this run (the engine then does not request the
  // detail page); false (the default) when the detail must be fetched.
  virtual bool carry_forward(const ListedEntry& entry) {
    (void)entry;
    return false;
  }
  virtual void dataset(DatasetRow&& row) = 0;
  virtual void api(ApiRow&& row) = 0;
  virtual void issue(const std::string& portal_id, const std::string& url, const std::string& kind,
                     const std::string& message) = 0;
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

// Label/value pairs as published, in page order.
using LabelValues = std::vector<std::pair<std::string, std::string>>;

// One record before canonical mapping: the title and every label/value pair as published.
struct RawRecord {
  std::string source_id, url, title;
  LabelValues pairs;
  std::vector<std::string> formats;    // raw format tokens (list icons, codes…)
  std::vector<DistributionRow> files;  // file links found on the page
};

// Is there an engine for this site (a family spec in data/families/, or the embedded-column extractor)?
bool has_engine(const Site& site);
// The spider for any site with an engine, with a cookie jar and the JS-cookie gate solver around it.
std::unique_ptr<Spider> make_site_spider(const Site& site, ParseSink& sink);

// Maps a raw record to a dataset row: labels → canonical (site/family overrides, then the
// dictionary), values normalized, raw pairs kept. Never throws on content.
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

// An href of a page resolved against the page URL by the WHATWG parser every fetcher uses (web/url.h):
// the absolute http(s) URL, or "" (empty, fragment-only, javascript:, mailto:, unparseable).
std::string resolve_url(const std::string& base, const std::string& href);

// --- Downloaded files: what they really are, and how big (issue 16 items 2 and 3; docs/files.md) ---

// What a distribution's bytes are, judged by content rather than by the portal's label.
struct FileInspection {
  // By content: csv tsv json xml rdf xls xlsx ods doc docx odt ppt pptx pdf zip rar 7z gz jpg png gif
  // image (another image type) html txt unknown; "" for an empty body. JSON-LD and Turtle are "rdf".
  std::string sniffed_format;
  std::string mime;  // libmagic's MIME type of the body ("" for an empty body)
  // Structured data a program can read without a person: csv tsv json xml rdf xls xlsx ods, and only
  // when well-formed (a JSON/XML body that does not parse is sniffed "txt"). txt, html, pdf, office
  // documents, images and archives are not.
  bool machine_readable = false;
  // Tim Berners-Lee's star level of the file itself (docs/files.md has the table): 0 empty/unknown;
  // 1 pdf doc docx odt ppt pptx images html txt archives (on the web, any format); 2 xls xlsx
  // (structured, proprietary); 3 csv tsv json xml ods (structured, open); 4 rdf (W3C standards, URIs).
  // 5 (linked to other data) is never given from a file alone.
  int stars = 0;
  // The label agrees with the content. Agreeing pairs besides equality: csv/tsv/txt among themselves
  // (delimited text), xls~xlsx and doc~docx and ppt~pptx (same application family), xml label on RDF/XML,
  // json label on JSON-LD, zip label on any zip-based office file; aliases (excel, word, jpeg, htm, text,
  // ttl, jsonld …) are normalized first. An empty label, or one that is no file format (api, link …),
  // agrees with anything; an empty body agrees only when truncated (nothing seen yet) or nothing declared.
  bool declared_matches = true;
  std::int64_t rows = -1, columns = -1;  // data rows (header excluded) and fields; -1 = not countable
  bool rows_lower_bound = false;         // body was truncated (or a work cap hit): rows counted so far
  std::string encoding;   // text files: detected charset (UTF-8, GBK, gb18030, UTF-16LE, …)
  std::string delimiter;  // CSV/TSV: "," "\t" ";" "|"
  std::string note;       // why rows/columns are unknown, or what was odd (one short English line)
};

// Work caps of inspect_file (defaults suit files of a few hundred MB; tests lower them).
struct InspectLimits {
  std::int64_t max_inflated_bytes = 512ll << 20;  // bytes inflated from one zip member (XLSX/ODS sheet)
  std::int64_t max_zip_member_meta = 4ll << 20;   // bytes read of small members (workbook.xml, rels, mimetype)
  std::int64_t max_xls_cells = 8ll << 20;         // rows × columns FreeXL may allocate (also ≤ max(1M, body/2))
  std::int64_t max_xls_bytes = 256ll << 20;       // larger XLS bodies are typed but not counted
  int max_json_depth = 6;                         // depth at which record arrays are looked for
};

// Inspects a downloaded file's bytes (never touches the network). `declared` is the portal's format label
// (normalized lower case: csv xls xlsx json xml rdf pdf doc …, may be ""; normalize_format of
// parsers/normalize.h is applied again, so "Excel" or ".JPEG" work too), `content_type` the HTTP header
// ("" if none), `truncated` true when `body` is only the first bytes of the file. Bounded: never allocates
// more than a small multiple of body.size() (XLS: the body once more in a private temporary file, removed
// before returning) and caps parsing work (InspectLimits); never throws on hostile input.
// Thread-safe: each thread has its own libmagic handle (magic_t is not thread-safe); FreeXL and libzip
// work on per-call handles.
FileInspection inspect_file(std::string_view body, std::string_view declared, std::string_view content_type,
                            bool truncated = false, const InspectLimits& limits = {});

}  // namespace odh
