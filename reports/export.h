// reports/export.h — renders computed indicators for people and programs. Renderers never
// recompute: they take IndicatorRows (metrics/metrics.h) as computed for one run.
//
// Untrusted text (portal names, department names inside value_text) is escaped for the target
// format and bounded in length; CSV is UTF-8 with a BOM so Excel opens Chinese text.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "metrics/metrics.h"

namespace odh::reports {

using Rows = std::vector<const metrics::IndicatorRow*>;

// Long-format table: run,scope,scope_key,indicator,value,value_text,unit,n (RFC 4180 quoting).
void write_csv(std::ostream& out, int run, const Rows& rows);
// A JSON array of objects with the same fields; value is null when not computable.
void write_json(std::ostream& out, int run, const Rows& rows);
// Fixed-width text for a terminal.
void write_table(std::ostream& out, int run, const Rows& rows);
// A Markdown report of one run: the national value of every indicator, then per admin level and
// per region, then the per-portal content counts (top 20). `title` is plain text.
void write_markdown(std::ostream& out, const std::string& title, int run, const Rows& rows);

// Escapes text for a Markdown table cell: | < > & and newlines; cuts at max_chars code points.
std::string markdown_cell(const std::string& text, std::size_t max_chars = 120);
// RFC 4180 field quoting.
std::string csv_field(const std::string& text);

}  // namespace odh::reports
