// The parsers' entry points: canonical mapping of raw records, the spider for a site (family engine,
// embedded-column extractor, session wrapper), and the in-memory driver tests use.
#include <algorithm>
#include <deque>
#include <filesystem>
#include <set>

#include "parsers/cms.h"
#include "parsers/family_spider.h"
#include "parsers/json_util.h"
#include "parsers/labels.h"
#include "parsers/normalize.h"
#include "parsers/parsers.h"
#include "parsers/session_spider.h"
#include "web/url.h"

namespace odh {

using detail::json;

// ---- URLs and templates ----------------------------------------------------------------------

std::string resolve_url(const std::string& base, const std::string& href_in) {
  std::string href = trim(href_in);
  if (href.empty() || href[0] == '#') return "";
  auto u = Url::parse(href, base);  // WHATWG, the parser every fetcher uses (web/url.h)
  if (!u || (u->scheme() != "http" && u->scheme() != "https")) return "";
  return u->href();
}


// ---- canonical mapping -------------------------------------------------------------------------

DatasetRow build_dataset(const RawRecord& rec, const std::string& portal_id, const FamilySpec& spec,
                         const LabelDictionary& dict) {
  DatasetRow d;
  d.portal_id = portal_id;
  d.source_id = rec.source_id;
  d.url = rec.url;
  d.title = trim(rec.title);
  std::vector<std::string> formats;
  for (auto& f : rec.formats)
    for (auto& x : split_formats(f, spec.format_codes))
      if (std::find(formats.begin(), formats.end(), x) == formats.end()) formats.push_back(x);
  auto set_once = [](std::string& field, const std::string& v) {
    if (field.empty()) field = v;
  };
  for (const auto& [label_raw, value_raw] : rec.pairs) {
    std::string label = trim(label_raw).substr(0, 200);
    std::string value = trim(value_raw);
    if (value.size() > 65536) value.resize(65536);
    std::string canon;
    if (auto it = spec.labels.find(clean_label(label)); it != spec.labels.end()) canon = it->second;
    if (auto it = spec.labels.find(label); it != spec.labels.end()) canon = it->second;
    if (canon.empty()) canon = dict.canonical(label, portal_id);
    if (canon == "-") canon.clear();  // a spec may declare a label deliberately unmapped
    d.fields.push_back({label, value, canon});
    if (value.empty()) continue;
    if (canon == "title")
      set_once(d.title, value);
    else if (canon == "description")
      set_once(d.description, value);
    else if (canon == "department")
      set_once(d.publisher, value);
    else if (canon == "category")
      set_once(d.topic_raw, value);
    else if (canon == "publish_time")
      set_once(d.issued, normalize_date(value));
    else if (canon == "update_time")
      set_once(d.modified, normalize_date(value));
    else if (canon == "update_frequency") {
      set_once(d.frequency_raw, value);
      set_once(d.frequency, normalize_frequency(value, spec.frequency_codes));
    } else if (canon == "is_open")
      set_once(d.open_condition, normalize_open_condition(value, spec.open_codes));
    else if (canon == "tags") {  // several tag fields (dcat:keyword × n) accumulate
      for (auto& t : split_tags(value, spec.tags_split_spaces))
        if (std::find(d.tags.begin(), d.tags.end(), t) == d.tags.end()) d.tags.push_back(t);
    } else if (canon == "data_volume") {
      if (!d.record_count) d.record_count = parse_count(value);
    } else if (canon == "field_count") {
      if (!d.field_count) d.field_count = parse_count(value);
    } else if (canon == "views") {
      if (!d.views) d.views = parse_count(value);
    } else if (canon == "downloads") {
      if (!d.downloads) d.downloads = parse_count(value);
    } else if (canon == "rating_count") {
      if (!d.rating_count) d.rating_count = parse_count(value);
    } else if (canon == "comment_count") {
      if (!d.comment_count) d.comment_count = parse_count(value);
    } else if (canon == "rating") {
      if (!d.rating) {
        char* end = nullptr;
        double r = std::strtod(fold_width(value).c_str(), &end);
        if (end && std::isfinite(r)) d.rating = r;
      }
    } else if (canon == "data_formats") {
      for (auto& x : split_formats(value, spec.format_codes))
        if (std::find(formats.begin(), formats.end(), x) == formats.end()) formats.push_back(x);
    } else if (canon == "identifier")
      set_once(d.source_id, value);
    else if (canon == "url")
      set_once(d.url, value);
  }
  if (!d.topic_raw.empty()) d.theme = map_theme(d.topic_raw);
  // Distributions: files with URLs first, then formats known only by name.
  std::set<std::string> have;
  for (auto f : rec.files) {
    if (f.format.empty()) f.format = normalize_format(f.format_raw);
    if (f.format.empty()) f.format = format_from_name(f.url);
    if (!f.format.empty()) have.insert(f.format);
    d.distributions.push_back(std::move(f));
  }
  for (auto& f : formats)
    if (!f.empty() && !have.count(f)) d.distributions.push_back({f, f, "", {}});
  return d;
}


size_t drive(Spider& spider, const FetchFn& fetch, size_t max_requests) {
  std::deque<FetchRequest> q;
  for (auto& r : spider.start_requests()) q.push_back(std::move(r));
  size_t n = 0;
  while (!q.empty() && n < max_requests) {
    FetchRequest req = std::move(q.front());
    q.pop_front();
    ++n;
    FetchResult res = fetch(req);
    res.request = std::move(req);
    for (auto& f : spider.on_result(res).requests) q.push_back(std::move(f));
  }
  return n;
}

std::unique_ptr<Spider> make_spider(const Site& site, FamilySpec spec, ParseSink& sink) {
  apply_overrides(spec, site.overrides);
  return make_family_spider(site, std::move(spec), sink);
}

std::unique_ptr<Spider> make_spider(const Site& site, ParseSink& sink) {
  return make_spider(site, load_family(site.family), sink);
}

bool has_engine(const Site& site) {
  if (site.family == "embedded-cms") return true;
  std::error_code ec;
  return std::filesystem::exists(data_dir() / "families" / (site.family + ".yaml"), ec);
}

std::unique_ptr<Spider> make_site_spider(const Site& site, ParseSink& sink) {
  // Every site gets a cookie jar and the JS-cookie gate solver (parsers/session_spider.h).
  if (site.family == "embedded-cms") return make_session_spider(make_cms_spider(site, sink));
  return make_session_spider(make_spider(site, sink));
}

}  // namespace odh
