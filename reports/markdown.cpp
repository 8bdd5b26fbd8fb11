// Markdown rendering of the report: headings, tables (escaped), figures as SVG files beside it.
#include <sstream>

#include "reports/render.h"
#include "reports/reports.h"
#include "reports/util.h"

namespace odh::reports {
namespace {

void md_table(std::ostringstream& o, const Table& t, std::size_t limit) {
  o << "|";
  for (auto& c : t.columns) o << ' ' << markdown_cell(c, 60) << " |";
  o << "\n|";
  for (auto& c : t.columns) o << (c.empty() ? "---|" : "---|");
  o << "\n";
  std::size_t shown = limit ? std::min(limit, t.rows.size()) : t.rows.size();
  for (std::size_t i = 0; i < shown; ++i) {
    o << "|";
    for (auto& c : t.rows[i]) o << ' ' << markdown_cell(cell_text(c), c.fmt == Cell::Fmt::kText ? 160 : 0) << " |";
    o << "\n";
  }
  if (shown < t.rows.size())
    o << "\n" << markdown_text("… " + fmt_int(double(t.rows.size() - shown)) + " more rows: csv/" + t.key + ".csv", 200) << "\n";
  o << "\n";
}

}  // namespace

std::vector<std::string> render_markdown(const Report& r, const MapData* map, const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  const fs::path figdir = file.parent_path() / "figures";
  fs::create_directories(figdir);
  std::ostringstream o;
  o << "# " << markdown_text(r.title) << "\n\n" << markdown_text(r.subtitle) << "\n\n";
  for (auto& f : r.facts) o << "* " << markdown_text(f, 400) << "\n";
  for (auto& n : r.notes) o << "* " << markdown_text(n, 400) << "\n";
  if (r.explain_hint) o << "\n" << markdown_text(r.lang == "en" ? "Every value has a drill-down: odh explain ID --db DB --run RUN [--portal P] (the HTML shows the exact command on each value)."
                                            : "每个数值都可追溯：odh explain 指标 --db 数据库 --run 运行 [--portal 平台]（HTML 中每个数值上悬停可见完整命令）。", 400)
    << "\n";
  o << "\n";
  for (auto& c : r.chapters) {
    o << "## " << markdown_text(numbered(c.id, c.title)) << "\n\n";
    for (auto& s : c.sections) {
      o << "### " << markdown_text(numbered(s.id, s.title)) << "\n\n";
      for (auto& b : s.blocks) {
        if (b.kind == Block::Kind::kText) {
          o << markdown_text(b.text, 2000) << "\n\n";
        } else if (b.kind == Block::Kind::kFigure) {
          const auto& f = b.figure;
          const fs::path svg = figdir / (f.key + ".svg");
          const std::string text = render_svg(f.chart, 720, map);
          write_file_atomic(svg, [&](std::ostream& out) { out << text; });
          files.push_back(svg.string());
          o << "**" << markdown_text(f.id + " " + f.title) << "**\n\n![" << markdown_text(f.id) << "](figures/" << f.key
            << ".svg)\n\n";
          if (!f.note.empty()) o << markdown_text(f.note, 600) << "\n\n";
          if (!f.data.rows.empty()) md_table(o, f.data, f.data.html_rows ? f.data.html_rows : 40);
        } else {
          o << "**" << markdown_text(b.table.id + " " + b.table.title) << "**\n\n";
          md_table(o, b.table, b.table.html_rows);
          if (!b.table.note.empty()) o << markdown_text(b.table.note, 600) << "\n\n";
        }
      }
    }
  }
  if (!r.cards.empty()) o << "## " << (r.lang == "en" ? "Scorecards" : "各平台评分卡") << "\n\n";
  for (auto& c : r.cards) {
    o << "### " << markdown_text(c.name, 80) << "\n\n" << markdown_text(c.portal_id + " · " + c.level + " · " + c.region + " · " + c.kind) << " · "
      << markdown_text(c.url, 120) << "\n\n" << markdown_text(c.status) << "\n\n";
    for (auto& u : c.unmeasured) o << "* " << markdown_text(u, 300) << "\n";
    if (!c.unmeasured.empty()) o << "\n";
    if (!c.indicators.rows.empty()) md_table(o, c.indicators, 0);
    if (!c.sources.rows.empty()) md_table(o, c.sources, 0);
  }
  const std::string text = o.str();
  write_file_atomic(file, [&](std::ostream& f) { f << text; });
  files.insert(files.begin(), file.string());
  return files;
}

}  // namespace odh::reports
