// The report as data: chapters of numbered figures and tables, built from the indicator rows (build.cpp)
// and rendered by html.cpp, markdown.cpp, tables.cpp (CSV, XLSX) without further computation.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace odh::reports {

// One table cell: display text, and the number behind it for spreadsheets.
struct Cell {
  enum class Fmt { kText, kInt, kDec, kPct, kRank };
  std::string text;  // untrusted text (escaped by each renderer); empty for numbers (formatted there)
  std::optional<double> num;
  Fmt fmt = Fmt::kText;
  std::string explain;  // the `odh explain …` command behind a value ('' when none)
  static Cell str(std::string t) { return Cell{std::move(t), std::nullopt, Fmt::kText, ""}; }
  static Cell number(std::optional<double> v, Fmt f, std::string explain = "") {
    return Cell{"", v, f, std::move(explain)};
  }
};

struct Table {
  std::string id;     // "表 5-1" (or "图 2-3" for a figure's data)
  std::string key;    // file-safe: "table_5_1", "figure_2_3"
  std::string title;  // "各平台描述性元数据使用情况"
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  std::string note;  // unit, denominator ("n = 138 portals"), source
  std::size_t html_rows = 0;  // rows shown in HTML/Markdown (0 = all); CSV/XLSX always get all
};

struct Chart {
  enum class Kind { kBar, kHBar, kStacked, kHStacked, kPie, kDonut, kHistogram, kChoropleth };
  Kind kind = Kind::kBar;
  std::vector<std::string> labels;  // categories (bars, slices, bins; provinces for the map)
  struct Series {
    std::string name;
    std::vector<double> values;  // one per label (NaN = no value)
  };
  std::vector<Series> series;
  std::string unit;      // axis unit ("个", "%")
  bool percent = false;  // values are shares (0–1), printed as percentages
};

struct Figure {
  std::string id, key, title;
  Chart chart;
  Table data;  // the numbers drawn, with units and denominators
  std::string note;
};

struct Block {
  enum class Kind { kText, kFigure, kTable };
  Kind kind = Kind::kText;
  std::string text;  // kText: a paragraph (trusted template text with untrusted parts escaped by renderers? no: plain)
  Figure figure;
  Table table;
};

struct Section {
  std::string id, title;
  std::vector<Block> blocks;
};

struct Chapter {
  std::string id, title;
  std::vector<Section> sections;
};

// One page per portal.
struct Scorecard {
  std::string portal_id, name, level, region, kind, url;
  bool publishing = false;
  std::string status;               // reachable / the error class and what it means
  std::vector<std::string> unmeasured;  // what could not be measured and why
  Table indicators;                 // indicator, value, rank, level, region, national
  std::optional<Figure> chart;      // index layers against level and region
  Table sources;                    // fetches, WARC files, home page record
};

struct Report {
  std::string title, subtitle, lang;
  std::int64_t run = 0, baseline = 0;
  std::vector<std::string> facts;  // run id, dates, source, counts
  std::vector<Chapter> chapters;
  std::vector<Scorecard> cards;
  std::vector<std::string> notes;  // build-time notes (no map data …)
  bool explain_hint = true;        // values come from indicator rows: say how to drill down (odh explain)
};

// "2.1 Title", or the title alone for an unnumbered chapter or section.
inline std::string numbered(const std::string& id, const std::string& title) {
  return id.empty() ? title : id + " " + title;
}

}  // namespace odh::reports
