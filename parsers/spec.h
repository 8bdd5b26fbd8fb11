// parsers/spec.h — family specs: how a software family pages through its catalogue and where its
// fields are, as data (data/families/<family>.yaml, documented in docs/parsers.md). A site entry of
// sites.yaml names its family and overrides only what differs (flat keys, see apply_overrides).
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "web/fetch.h"

namespace odh {

// A request with {var} placeholders: {base} {page} {offset} {size} {id} {link} {item.<key>} and
// any family default or site override.
struct RequestTemplate {
  std::string method = "GET";
  std::string url;
  std::string body;
  HeaderList headers;
};

// How label/value pairs are read from a detail page (engine html).
struct PairRule {
  std::string kind;   // table | items | lines
  std::string scope;  // selector of the container(s); "" = whole document
  std::string item;   // items: selector of one pair
  std::string label;  // items: selector of the label inside the item ("" = text before the colon)
  std::string value;  // items: selector of the value ("" = element after the label / text after the colon)
  std::string value_attr;  // items: read the value from this attribute of the value element (odweb tags)
  bool space_sep = false;  // lines: a space may separate label and value
};

// An optional stage before a list: a page of categories, each of which has its own paged list
// (hunan-webapp: dataList.jsp → dataListIframe.jsp?type=&id=). Every element matching `items` is
// read (`attr`, or its text when empty) and searched with the regex `pattern`; capture group i
// becomes the template variable {cat.<vars[i]>} of that category's list requests.
struct CategoryStage {
  RequestTemplate request;  // url "" = no category stage
  std::string items;        // selector of the category elements
  std::string attr;         // attribute holding the category's parameters ("" = text)
  std::string pattern;      // RE2 regex (parsers/pattern.h) with one capture group per var
  std::vector<std::string> vars;
};

struct ListSpec {
  std::string record = "dataset";  // dataset | api: what the items of this list are
  RequestTemplate request;
  std::string format = "html";  // html | json | rdf | turtle | jsonld
  std::string paging = "page";  // page | offset | none
  int start = 1;                // first page number (0 or 1)
  int size = 10;                // items per page
  int max_pages = 100000;       // safety bound
  std::string json_string;      // json: path of a member that is itself JSON text (decoded first)
  std::string html;             // json: path of a member holding the HTML of the list (jdop)
  std::string items;            // selector (html) or path (json) of the items
  std::string total;            // selector/path of the total item count; "a + b" sums paths
  std::string pages;            // selector/path of the page count
  std::string pages_pattern;    // html: regex whose first group is the page count, searched in the text
                                // of `pages` (or of the whole page when `pages` is empty): "\\d+/(\\d+)页"
  CategoryStage categories;     // html: categories first, one paged list per category
  std::string link;             // html: selector of the detail link inside an item (href); json: path
  std::string id;       // json: path of the id in an item; html: "sel@attr" ("@attr": the item's own), or
                        // "param:<name>" of the link
  std::string id_pattern;  // regex whose group 1 is the id inside that value ("view\\('([^']+)'\\)")
  std::string formats;  // selector ("sel@attr" reads an attribute) or path of the item's formats
  std::string
      detail_url;       // this list's detail URL template, when it differs from detail.request (hainan APIs)
  std::string convert;  // json: item converter (fields | ckan | datajson | socrata | ods); "" = via detail
  // Incremental harvest (docs/parsers.md "Incremental"): the item's update time (or content hash) — json:
  // path; html: "sel@attr", the last matching element (a date follows its label) — stored as the
  // dataset's list_stamp; and usage counters the list shows (paths / selectors), which refresh a record
  // carried forward.
  std::string updated, views, downloads;
};

struct DetailSpec {
  RequestTemplate request;      // url "" = no detail request: list items are the records
  std::string format = "html";  // html | json
  std::string root;             // json: path of the record object
  std::string title;            // selector (html) or path (json)
  std::string title_own_text;   // html: selector whose direct text is the title
  std::vector<PairRule> pairs;  // html
  std::string formats;          // selector ("sel@attr") or path ("docType[*].file_type")
  std::string files;            // html: selector of file links; format from the extension, else from the
                                // link's table row (a fileformat attribute or a cell naming a format)
  std::string page_url;         // template of the human page URL stored as dataset.url
};

struct FamilySpec {
  std::string name;    // file stem
  std::string engine;  // html | json | ckan | dcat | datajson | socrata | ods (documentation; lists decide)
  std::string about;
  std::vector<ListSpec> lists;
  DetailSpec detail;
  std::map<std::string, std::string> defaults;  // template variables
  std::map<std::string, std::string> labels;    // label → canonical, family-wide
  std::map<std::string, std::string> frequency_codes, open_codes, format_codes;
  bool tags_split_spaces = true;
  // "skip-unchanged-details": with a previous run (odh run --previous), a list entry whose `updated`
  // equals the previous run's list_stamp for the same source id is not requested again; the sink
  // carries the earlier record forward (ParseSink::carry_forward). "" = every detail is fetched.
  std::string incremental;
  std::string source_file;
};

// Loads data/families/<name>.yaml (or `path`). Throws InputError "file:line: field: problem".
FamilySpec load_family_file(const std::filesystem::path& path);
FamilySpec load_family(const std::string& name);  // from data_dir()/families
std::vector<std::string> family_names();          // shipped spec files

// Applies a site's flat overrides: "list.items", "list.0.items", "detail.title", "detail.page_url",
// "label.<label>" (→ canonical) and any other key becomes a template variable.
void apply_overrides(FamilySpec& spec, const std::map<std::string, std::string>& overrides);

}  // namespace odh
