// The renderers of the report model (reports/model.h). Each writes through write_file_atomic.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "reports/chart.h"
#include "reports/model.h"

namespace odh::reports {

// A cell as display text (numbers formatted for readers).
std::string cell_text(const Cell& c);

// Self-contained HTML (inline CSS and SVG, no script).
void render_html(const Report& r, const MapData* map, const std::filesystem::path& file);
// Markdown; each figure's SVG is written beside it under figures/ (returns every file written).
std::vector<std::string> render_markdown(const Report& r, const MapData* map, const std::filesystem::path& file);
// One CSV per table and per figure's data under dir (UTF-8 with BOM); returns the files.
std::vector<std::string> render_csv(const Report& r, const std::filesystem::path& dir);
// One workbook, a sheet per table / figure data, plus an index sheet and the scorecards.
void render_xlsx(const Report& r, const std::filesystem::path& file);
// PDF of the HTML through headless Chromium; returns "" on success, else why it was skipped.
std::string render_pdf(const std::filesystem::path& html, const std::filesystem::path& pdf, const std::string& chromium);

// Every table of the report in order (figures' data included), for the CSV and XLSX renderers.
std::vector<const Table*> all_tables(const Report& r);

}  // namespace odh::reports
