// parsers/cms.h — the embedded-column engine: a "数据开放" column inside a government CMS site
// (80% of the registry). Works without selectors on common layouts:
//   list pages  — the item links are the largest group of sibling li/tr/dd/div elements that each
//                 hold a link and a date; pagination follows "下一页" links, TRS createPageHTML()
//                 scripts (index_N.html) and explicit index_N links;
//   item pages  — title (h1 / meta ArticleTitle / <title>), date (meta PubDate / first date in the
//                 text), department (meta ContentSource / 来源：…), label/value tables and lines,
//                 attachments with their format by extension.
// Per-site overrides (sites.yaml, flat keys): cms.items, cms.link, cms.next, cms.title, cms.date,
// cms.max_pages.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "parsers/html.h"
#include "parsers/parsers.h"

namespace odh {

struct CmsItem {
  std::string url, title, date;  // date normalized (YYYY-MM-DD) or ""
};

// The item links of a list page (absolute URLs), by selectors when given, else detected.
std::vector<CmsItem> cms_list_items(const HtmlDoc& doc, const std::string& page_url,
                                    const std::string& items_sel = "", const std::string& link_sel = "");
// A Hanweb (大汉) column: the list lives in <script type="text/xml"><datastore><recordset>
// <record><![CDATA[<li>…]]></record>…; further records come from POST
// /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage= with the jpage parameters as a
// form; the answer is the same <datastore> XML with <totalrecord>.
struct HanwebStore {
  bool found = false;                         // the text holds a <datastore>
  std::vector<CmsItem> items;                 // one per <record>
  long shown = 0;                             // number of <record>s
  long total = -1;                            // <totalrecord>, -1 when absent
  std::map<std::string, std::string> params;  // col, webid, path, columnid, unitid, webname, … as found
};
HanwebStore hanweb_datastore(const std::string& text, const std::string& page_url);
// The next list page's URL ("" when none).
std::string cms_next_page(const HtmlDoc& doc, const std::string& html, const std::string& page_url,
                          const std::string& next_sel = "");
// An item page as a raw record (title, date, department, pairs, attachments).
RawRecord cms_item_record(const HtmlDoc& doc, const std::string& page_url, const std::string& title_sel = "",
                          const std::string& date_sel = "");

std::unique_ptr<Spider> make_cms_spider(const Site& site, ParseSink& sink);

}  // namespace odh
