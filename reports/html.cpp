// HTML rendering of the report: one self-contained file, inline CSS and SVG, no script, print CSS for PDF.
#include <cmath>
#include <sstream>

#include "reports/render.h"
#include "reports/reports.h"
#include "reports/util.h"

namespace odh::reports {

std::string cell_text(const Cell& c) {
  if (!c.num || std::isnan(*c.num)) return c.text.empty() ? (c.fmt == Cell::Fmt::kText ? "" : "—") : c.text;
  switch (c.fmt) {
    case Cell::Fmt::kInt:
    case Cell::Fmt::kRank: return fmt_int(*c.num);
    case Cell::Fmt::kDec: return fmt_dec(*c.num, 2);
    case Cell::Fmt::kPct: return fmt_pct(*c.num, 2);
    case Cell::Fmt::kText: return c.text;
  }
  return c.text;
}

namespace {

const char* kCss = R"(body{font-family:'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC',sans-serif;max-width:1000px;margin:0 auto;padding:0 16px;color:#222;line-height:1.5}
h1{font-size:26px;border-bottom:3px solid #2f6db5}h2{font-size:21px;margin-top:40px;border-bottom:1px solid #ccc}h3{font-size:17px}
figure{margin:18px 0;padding:8px;border:1px solid #e4e4e4;break-inside:avoid}figcaption{font-weight:bold;margin-bottom:6px}
.note{color:#555;font-size:12px}table{border-collapse:collapse;font-size:12px;margin:6px 0}td,th{border:1px solid #ccc;padding:2px 6px}
th{background:#f0f4fa}td.n{text-align:right;font-variant-numeric:tabular-nums}.wide{overflow-x:auto}details summary{cursor:pointer;color:#2f6db5;font-size:12px}
.card{border-top:2px solid #2f6db5;margin-top:28px;break-before:page}.card h3{margin-bottom:2px}.bad{color:#b33}.toc{columns:2;font-size:13px}
svg.chart{max-width:100%;height:auto}@media print{details{display:block}details>summary{display:none}a{color:#222}.card{break-before:page}})";

class Html {
 public:
  explicit Html(const MapData* map) : map_(map) {}
  std::ostringstream o;

  void table(const Table& t, bool caption = true, std::size_t limit = 0) {
    o << "<div class=\"wide\"><table>";
    if (caption && !t.id.empty()) o << "<caption><b>" << html_escape(t.id) << " " << html_escape(t.title) << "</b></caption>";
    o << "<tr>";
    for (auto& c : t.columns) o << "<th>" << html_escape(c, 60) << "</th>";
    o << "</tr>";
    std::size_t shown = limit ? std::min(limit, t.rows.size()) : t.rows.size();
    for (std::size_t i = 0; i < shown; ++i) {
      o << "<tr>";
      for (auto& c : t.rows[i]) {
        bool num = c.fmt != Cell::Fmt::kText;
        o << "<td" << (num ? " class=\"n\"" : "");
        if (!c.explain.empty()) o << " title=\"" << html_escape(c.explain) << "\"";
        o << '>' << html_escape(cell_text(c), num ? 0 : 160) << "</td>";
      }
      o << "</tr>";
    }
    o << "</table></div>";
    if (shown < t.rows.size())
      o << "<p class=\"note\">" << html_escape("… " + fmt_int(double(t.rows.size() - shown)) + " more rows in csv/" + t.key + ".csv and report.xlsx") << "</p>";
  }

  void figure(const Figure& f) {
    o << "<figure id=\"" << html_escape(f.key) << "\"><figcaption>" << html_escape(f.id) << " " << html_escape(f.title)
      << "</figcaption>" << render_svg(f.chart, 720, map_);
    if (!f.note.empty()) o << "<p class=\"note\">" << html_escape(f.note) << "</p>";
    if (!f.data.rows.empty()) {
      o << "<details><summary>数据 / data</summary>";
      table(f.data, false, f.data.html_rows ? f.data.html_rows : 40);
      o << "</details>";
    }
    o << "</figure>";
  }

 private:
  const MapData* map_;
};

}  // namespace

void render_html(const Report& r, const MapData* map, const std::filesystem::path& file) {
  Html h(map);
  auto& o = h.o;
  o << "<!DOCTYPE html><html lang=\"" << (r.lang == "en" ? "en" : "zh-CN") << "\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width\"><title>" << html_escape(r.title) << "</title><style>" << kCss
    << "</style></head><body><h1>" << html_escape(r.title) << "</h1><p class=\"note\">" << html_escape(r.subtitle) << "</p><ul>";
  for (auto& f : r.facts) o << "<li>" << html_escape(f) << "</li>";
  o << "</ul>";
  for (auto& n : r.notes) o << "<p class=\"note bad\">" << html_escape(n) << "</p>";
  o << "<nav class=\"toc\"><ul>";
  for (auto& c : r.chapters) {
    o << "<li><a href=\"#ch" << html_escape(c.id) << "\">" << html_escape(numbered(c.id, c.title)) << "</a></li>";
  }
  if (!r.cards.empty()) o << "<li><a href=\"#cards\">" << (r.lang == "en" ? "Scorecards" : "各平台评分卡") << "</a></li>";
  o << "</ul></nav>";
  for (auto& c : r.chapters) {
    o << "<section id=\"ch" << html_escape(c.id) << "\"><h2>" << html_escape(numbered(c.id, c.title)) << "</h2>";
    for (auto& s : c.sections) {
      o << "<h3>" << html_escape(numbered(s.id, s.title)) << "</h3>";
      for (auto& b : s.blocks) {
        switch (b.kind) {
          case Block::Kind::kText: o << "<p>" << html_escape(b.text) << "</p>"; break;
          case Block::Kind::kFigure: h.figure(b.figure); break;
          case Block::Kind::kTable:
            o << "<div class=\"tbl\" id=\"" << html_escape(b.table.key) << "\">";
            h.table(b.table, true, b.table.html_rows);
            if (!b.table.note.empty()) o << "<p class=\"note\">" << html_escape(b.table.note) << "</p>";
            o << "</div>";
            break;
        }
      }
    }
    o << "</section>";
  }
  if (!r.cards.empty()) o << "<section id=\"cards\"><h2>" << (r.lang == "en" ? "Scorecards" : "各平台评分卡") << "</h2>";
  for (auto& c : r.cards) {
    o << "<div class=\"card\" id=\"p-" << html_escape(c.portal_id) << "\"><h3>" << html_escape(c.name, 80) << "</h3><p class=\"note\">"
      << html_escape(c.portal_id + " · " + c.level + " · " + c.region + " · " + c.kind + " · ") << html_escape(c.url, 120)
      << "</p><p" << (c.publishing ? "" : " class=\"bad\"") << ">" << html_escape(c.status) << "</p>";
    if (!c.unmeasured.empty()) {
      o << "<ul class=\"note\">";
      for (auto& u : c.unmeasured) o << "<li>" << html_escape(u) << "</li>";
      o << "</ul>";
    }
    if (!c.indicators.rows.empty()) h.table(c.indicators, false);
    if (c.chart) o << render_svg(c.chart->chart, 520, map);
    if (!c.sources.rows.empty()) h.table(c.sources, false);
    o << "</div>";
  }
  if (!r.cards.empty()) o << "</section>";
  o << "</body></html>\n";
  const std::string text = o.str();
  write_file_atomic(file, [&](std::ostream& f) { f << text; });
}

}  // namespace odh::reports
