// Tables for programs: one CSV per table (UTF-8 with BOM) and one XLSX workbook (libxlsxwriter), numbers
// as numbers, shares formatted as percentages, header rows and frozen panes; text cells neutralised.
#include <unistd.h>
#include <xlsxwriter.h>

#include <cmath>
#include <set>
#include <sstream>

#include "core/core.h"
#include "reports/render.h"
#include "reports/reports.h"
#include "reports/util.h"

namespace odh::reports {

std::vector<const Table*> all_tables(const Report& r) {
  std::vector<const Table*> v;
  for (auto& c : r.chapters)
    for (auto& s : c.sections)
      for (auto& b : s.blocks) {
        if (b.kind == Block::Kind::kFigure && !b.figure.data.rows.empty()) v.push_back(&b.figure.data);
        if (b.kind == Block::Kind::kTable) v.push_back(&b.table);
      }
  return v;
}

namespace {
std::string csv_number(const Cell& c) {
  if (!c.num || !std::isfinite(*c.num)) return "";
  std::ostringstream s;
  s.precision(c.fmt == Cell::Fmt::kInt || c.fmt == Cell::Fmt::kRank ? 15 : 10);
  s << *c.num;
  return s.str();
}

// The scorecards as one long table: portal, indicator, value, rank, level, region, national.
Table scorecard_table(const Report& r) {
  Table t;
  t.id = r.lang == "en" ? "Scorecards" : "评分卡";
  t.key = "scorecards";
  t.title = t.id;
  t.columns = {"portal_id", r.lang == "en" ? "Portal" : "平台", r.lang == "en" ? "Status" : "状态"};
  bool cols = false;
  for (auto& c : r.cards) {
    if (c.indicators.rows.empty()) {
      t.rows.push_back({Cell::str(c.portal_id), Cell::str(c.name), Cell::str(c.status)});
      continue;
    }
    if (!cols) {
      for (auto& h : c.indicators.columns) t.columns.push_back(h);
      cols = true;
    }
    for (auto& row : c.indicators.rows) {
      std::vector<Cell> x{Cell::str(c.portal_id), Cell::str(c.name), Cell::str(c.status)};
      x.insert(x.end(), row.begin(), row.end());
      t.rows.push_back(std::move(x));
    }
  }
  return t;
}
}  // namespace

std::vector<std::string> render_csv(const Report& r, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> files;
  auto tables = all_tables(r);
  Table cards = scorecard_table(r);
  if (!r.cards.empty()) tables.push_back(&cards);
  for (auto* t : tables) {
    const auto path = dir / (t->key + ".csv");
    write_file_atomic(path, [&](std::ostream& o) {
      o << "\xEF\xBB\xBF";
      for (size_t i = 0; i < t->columns.size(); ++i) o << (i ? "," : "") << csv_field(t->columns[i]);
      o << "\n";
      for (auto& row : t->rows) {
        for (size_t i = 0; i < row.size(); ++i)
          o << (i ? "," : "") << (row[i].fmt == Cell::Fmt::kText ? csv_field(row[i].text) : csv_number(row[i]));
        o << "\n";
      }
    });
    files.push_back(path.string());
  }
  return files;
}

void render_xlsx(const Report& r, const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  const fs::path tmp = file.parent_path() / ("." + file.filename().string() + ".tmp" + std::to_string(getpid()));
  lxw_workbook_options opt{};
  opt.constant_memory = LXW_FALSE;
  std::string tmpdir = file.parent_path().string();
  opt.tmpdir = tmpdir.data();
  lxw_workbook* wb = workbook_new_opt(tmp.c_str(), &opt);
  if (!wb) throw Failure("cannot write " + file.string() + ": libxlsxwriter could not create the workbook");
  lxw_format* head = workbook_add_format(wb);
  format_set_bold(head);
  format_set_bg_color(head, 0xF0F4FA);
  format_set_border(head, LXW_BORDER_THIN);
  lxw_format* f_int = workbook_add_format(wb);
  format_set_num_format(f_int, "#,##0");
  lxw_format* f_dec = workbook_add_format(wb);
  format_set_num_format(f_dec, "#,##0.00");
  lxw_format* f_pct = workbook_add_format(wb);
  format_set_num_format(f_pct, "0.00%");
  lxw_format* title = workbook_add_format(wb);
  format_set_bold(title);

  auto tables = all_tables(r);
  Table cards = scorecard_table(r);
  if (!r.cards.empty()) tables.push_back(&cards);
  std::set<std::string> used;
  // Index sheet: one row per sheet with its number and title.
  lxw_worksheet* index = workbook_add_worksheet(wb, r.lang == "en" ? "Index" : "目录");
  used.insert(r.lang == "en" ? "Index" : "目录");
  worksheet_write_string(index, 0, 0, spreadsheet_text(r.title, 200).c_str(), title);
  worksheet_write_string(index, 1, 0, spreadsheet_text(r.subtitle, 200).c_str(), nullptr);
  worksheet_write_string(index, 3, 0, r.lang == "en" ? "Sheet" : "工作表", head);
  worksheet_write_string(index, 3, 1, r.lang == "en" ? "Figure / table" : "图表", head);
  worksheet_write_string(index, 3, 2, r.lang == "en" ? "Title" : "标题", head);
  worksheet_freeze_panes(index, 4, 0);
  lxw_row_t irow = 4;
  for (auto* t : tables) {
    // Sheet names: ≤ 31 characters, unique, none of []:*?/\ .
    std::string name;
    for (char c : t->key) name += std::string("[]:*?/\\").find(c) == std::string::npos ? c : '_';
    if (name.size() > 31) name.resize(31);
    for (int k = 2; used.count(name); ++k) name = name.substr(0, 27) + "_" + std::to_string(k);
    used.insert(name);
    lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
    if (!ws) throw Failure("cannot write " + file.string() + ": bad sheet name " + name);
    worksheet_write_string(index, irow, 0, name.c_str(), nullptr);
    worksheet_write_string(index, irow, 1, spreadsheet_text(t->id, 60).c_str(), nullptr);
    worksheet_write_string(index, irow, 2, spreadsheet_text(t->title, 200).c_str(), nullptr);
    ++irow;
    for (lxw_col_t c = 0; c < t->columns.size(); ++c) {
      worksheet_write_string(ws, 0, c, spreadsheet_text(t->columns[c], 200).c_str(), head);
      worksheet_set_column(ws, c, c, c == 0 ? 24 : 14, nullptr);
    }
    worksheet_freeze_panes(ws, 1, 1);
    lxw_row_t row = 1;
    for (auto& cells : t->rows) {
      for (lxw_col_t c = 0; c < cells.size(); ++c) {
        const Cell& x = cells[c];
        if (x.fmt == Cell::Fmt::kText) {
          if (!x.text.empty()) worksheet_write_string(ws, row, c, spreadsheet_text(x.text, 32000).c_str(), nullptr);
        } else if (x.num && std::isfinite(*x.num)) {
          lxw_format* f = x.fmt == Cell::Fmt::kPct ? f_pct : x.fmt == Cell::Fmt::kDec ? f_dec : f_int;
          worksheet_write_number(ws, row, c, *x.num, f);
        }
      }
      ++row;
    }
    if (!t->note.empty()) worksheet_write_string(ws, row + 1, 0, spreadsheet_text(t->note, 2000).c_str(), nullptr);
  }
  lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw Failure("cannot write " + file.string() + ": " + lxw_strerror(err));
  }
  commit_temp_file(tmp, file);
}

}  // namespace odh::reports
