#include <algorithm>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/reports.h"
#include "reports/util.h"

namespace odh::reports {
namespace {

std::string number(const std::optional<double>& v) {
  if (!v) return "";
  std::ostringstream s;
  s << std::setprecision(10) << *v;
  return s.str();
}

}  // namespace

std::string csv_field(const std::string& text) {
  const std::string s = spreadsheet_text(text);
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string markdown_cell(const std::string& text, std::size_t max_chars) {
  return markdown_text(text, max_chars);  // escapes | as well
}

void write_csv(std::ostream& out, int run, const Rows& rows) {
  out << "\xEF\xBB\xBFrun,scope,scope_key,indicator,value,value_text,unit,n\n";
  for (auto* r : rows)
    out << run << ',' << r->scope << ',' << csv_field(r->scope_key) << ',' << r->indicator << ','
        << number(r->value) << ',' << csv_field(r->value_text) << ',' << csv_field(r->unit) << ',' << r->n
        << '\n';
}

void write_json(std::ostream& out, int run, const Rows& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (auto* r : rows) {
    nlohmann::json x{
        {"run", run},      {"scope", r->scope}, {"scope_key", r->scope_key}, {"indicator", r->indicator},
        {"unit", r->unit}, {"n", r->n}};
    x["value"] = r->value ? nlohmann::json(*r->value) : nlohmann::json(nullptr);
    x["value_text"] = r->value_text.empty() ? nlohmann::json(nullptr) : nlohmann::json(r->value_text);
    j.push_back(std::move(x));
  }
  // Portal text may hold invalid UTF-8: replace rather than throw.
  out << j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void write_table(std::ostream& out, int run, const Rows& rows) {
  for (auto* r : rows) {
    std::string v = r->value ? number(r->value) : "NULL";
    out << std::left << std::setw(40) << r->indicator << ' ' << std::setw(9) << r->scope << ' '
        << std::setw(14) << r->scope_key << ' ' << std::setw(14) << v << ' ' << r->unit << " n=" << r->n;
    if (!r->value_text.empty()) out << "  " << cut_utf8(r->value_text, 80);
    out << '\n';
  }
}

void write_markdown(std::ostream& out, const std::string& title, int run, const Rows& rows) {
  out << "# " << markdown_cell(title, 200) << "\n\nRun " << run << ". Every value below is a row of the "
      << "`indicator` table; `odh explain ID --db …` lists the datasets and WARC records behind it.\n\n";
  auto section = [&](const std::string& heading, const std::string& scope) {
    std::map<std::string, std::map<std::string, const metrics::IndicatorRow*>> by_ind;  // ind → key → row
    std::vector<std::string> keys;
    for (auto* r : rows) {
      if (r->scope != scope) continue;
      by_ind[r->indicator][r->scope_key] = r;
      if (std::find(keys.begin(), keys.end(), r->scope_key) == keys.end()) keys.push_back(r->scope_key);
    }
    if (by_ind.empty()) return;
    out << "## " << heading << "\n\n";
    if (scope == "national") {
      out << "| indicator | value | unit | n | detail |\n|---|---|---|---|---|\n";
      for (auto& [ind, m] : by_ind) {
        auto* r = m.begin()->second;
        out << "| " << ind << " | " << (r->value ? number(r->value) : "—") << " | " << markdown_cell(r->unit)
            << " | " << r->n << " | " << markdown_cell(r->value_text, 100) << " |\n";
      }
    } else {
      out << "| indicator |";
      for (auto& k : keys) out << ' ' << markdown_cell(k, 20) << " |";
      out << "\n|---|";
      for (std::size_t i = 0; i < keys.size(); ++i) out << "---|";
      out << '\n';
      for (auto& [ind, m] : by_ind) {
        out << "| " << ind << " |";
        for (auto& k : keys) {
          auto it = m.find(k);
          out << ' ' << (it != m.end() && it->second->value ? number(it->second->value) : "—") << " |";
        }
        out << '\n';
      }
    }
    out << '\n';
  };
  section("National", "national");
  section("By admin level", "level");
  section("By region", "region");
  section("By city tier", "tier");
}

}  // namespace odh::reports
