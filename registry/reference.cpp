#include "registry/reference.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

namespace odh {
namespace {

// A parsed CSV/TSV file: header and rows, each row with its 1-based line number.
struct Table {
  std::string file;
  std::vector<std::string> header;
  std::vector<std::pair<int, std::vector<std::string>>> rows;

  size_t col(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    throw InputError(file, 1, name, "missing column");
  }
};

// The fields of one delimited line. With `quotes` (CSV), a field may be quoted ("a,b") and a quote
// inside quotes is doubled ("say ""hi""").
std::vector<std::string> split_fields(const std::string& line, char sep, bool quotes) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (quotes && c == '"') {
      quoted = true;
    } else if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// Reads a delimited file; '#' lines and blank lines are comments. Every row must have as many
// fields as the header.
Table read_table(const std::filesystem::path& path, bool tsv) {
  Table t;
  t.file = path.string();
  std::istringstream in(read_file(path));
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (lineno == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // BOM
    if (line.empty() || line[0] == '#') continue;
    auto fields = split_fields(line, tsv ? '\t' : ',', !tsv);
    if (t.header.empty()) {
      t.header = fields;
      continue;
    }
    if (fields.size() != t.header.size())
      throw InputError(
          t.file, lineno, "",
          "expected " + std::to_string(t.header.size()) + " fields, found " + std::to_string(fields.size()));
    t.rows.emplace_back(lineno, std::move(fields));
  }
  if (t.header.empty()) throw InputError(t.file, 0, "", "empty file");
  return t;
}

long parse_count(const Table& t, int line, const std::string& field, const std::string& v) {
  static const std::regex digits("[0-9]{1,12}");
  if (!std::regex_match(v, digits)) throw InputError(t.file, line, field, "not a count: '" + v + "'");
  return std::stol(v);
}

void require(const Table& t, int line, const std::string& field, const std::string& v) {
  if (v.empty()) throw InputError(t.file, line, field, "empty");
}

}  // namespace

std::filesystem::path reference_dir() { return data_dir() / "reference"; }

std::vector<std::string> split_csv_line(const std::string& line) { return split_fields(line, ',', true); }

Divisions Divisions::load(const std::filesystem::path& file) {
  Table t = read_table(file, false);
  size_t c_code = t.col("code"), c_name = t.col("name"), c_level = t.col("level"), c_parent = t.col("parent");
  static const std::regex code_re("[1-9][0-9]{5}");
  Divisions d;
  for (auto& [line, f] : t.rows) {
    Division div{f[c_code], f[c_name], f[c_level], f[c_parent]};
    if (!std::regex_match(div.code, code_re)) throw InputError(t.file, line, "code", "not a six-digit code");
    require(t, line, "name", div.name);
    if (div.level != "province" && div.level != "prefecture" && div.level != "county")
      throw InputError(t.file, line, "level", "unknown level '" + div.level + "'");
    if (d.by_code_.count(div.code)) throw InputError(t.file, line, "code", "duplicate code " + div.code);
    d.by_code_[div.code] = d.rows_.size();
    d.rows_.push_back(std::move(div));
  }
  // Parents must exist (checked after all rows are in, the file need not be sorted).
  for (auto& [line, f] : t.rows) {
    const std::string& parent = f[c_parent];
    if (!parent.empty() && !d.by_code_.count(parent))
      throw InputError(t.file, line, "parent", "unknown parent code " + parent);
  }
  return d;
}

const Division* Divisions::find(const std::string& code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &rows_[it->second];
}

const Division* Divisions::province_of(const std::string& code) const {
  if (code.size() != 6) return nullptr;
  return find(code.substr(0, 2) + "0000");
}

size_t Divisions::count(const std::string& level) const {
  size_t n = 0;
  for (auto& d : rows_) n += d.level == level;
  return n;
}

std::string Divisions::full_name(const std::string& code) const {
  std::string name;
  for (const Division* d = find(code); d; d = d->parent.empty() ? nullptr : find(d->parent))
    name = d->name + name;
  return name;
}

std::map<std::string, std::string> load_regions(const std::filesystem::path& file) {
  Table t = read_table(file, false);
  size_t c_code = t.col("province_code"), c_region = t.col("region");
  static const std::vector<std::string> kRegions = {"华东", "华南", "华北", "华中", "西南", "西北", "东北"};
  std::map<std::string, std::string> out;
  for (auto& [line, f] : t.rows) {
    if (std::find(kRegions.begin(), kRegions.end(), f[c_region]) == kRegions.end())
      throw InputError(t.file, line, "region", "unknown region '" + f[c_region] + "'");
    out[f[c_code]] = f[c_region];
  }
  return out;
}

std::vector<SubProvincialCity> load_sub_provincial(const std::filesystem::path& file) {
  Table t = read_table(file, false);
  size_t c_code = t.col("code"), c_name = t.col("name"), c_prov = t.col("province");
  std::vector<SubProvincialCity> out;
  for (auto& [line, f] : t.rows) {
    require(t, line, "code", f[c_code]);
    require(t, line, "name", f[c_name]);
    out.push_back({f[c_code], f[c_name], f[c_prov]});
  }
  return out;
}

std::vector<CityTier> load_city_tiers(const std::filesystem::path& file) {
  Table t = read_table(file, false);
  size_t c_tier = t.col("tier"), c_city = t.col("city"), c_code = t.col("code"), c_src = t.col("source");
  static const std::vector<std::string> kTiers = {"一线", "新一线", "二线", "三线", "四线", "五线"};
  std::vector<CityTier> out;
  for (auto& [line, f] : t.rows) {
    if (std::find(kTiers.begin(), kTiers.end(), f[c_tier]) == kTiers.end())
      throw InputError(t.file, line, "tier", "unknown tier '" + f[c_tier] + "'");
    require(t, line, "city", f[c_city]);
    out.push_back({f[c_tier], f[c_city], f[c_code], f[c_src]});
  }
  return out;
}

std::vector<std::string> load_themes(const std::filesystem::path& file) {
  Table t = read_table(file, false);
  size_t c_theme = t.col("theme");
  std::vector<std::string> out;
  for (auto& [line, f] : t.rows) {
    require(t, line, "theme", f[c_theme]);
    out.push_back(f[c_theme]);
  }
  return out;
}

TopicThemes TopicThemes::load(const std::filesystem::path& file) {
  Table t = read_table(file, true);
  size_t c_kind = t.col("kind"), c_name = t.col("name"), c_theme = t.col("theme");
  auto themes = load_themes(file.parent_path() / "themes.csv");
  TopicThemes out;
  for (auto& [line, f] : t.rows) {
    require(t, line, "name", f[c_name]);
    std::string theme = f[c_theme] == "-" ? "" : f[c_theme];
    if (!theme.empty() && std::find(themes.begin(), themes.end(), theme) == themes.end())
      throw InputError(t.file, line, "theme", "not one of the 16 themes: '" + theme + "'");
    if (f[c_kind] == "exact") {
      out.exact_[f[c_name]] = theme;
    } else if (f[c_kind] == "keyword") {
      out.keywords_.emplace_back(f[c_name], theme);
    } else {
      throw InputError(t.file, line, "kind", "expected exact or keyword, found '" + f[c_kind] + "'");
    }
  }
  return out;
}

std::string TopicThemes::theme_of(const std::string& topic) const {
  if (auto it = exact_.find(topic); it != exact_.end()) return it->second;
  size_t best_pos = std::string::npos;
  std::string best;
  for (auto& [kw, theme] : keywords_) {
    size_t pos = topic.find(kw);
    if (pos != std::string::npos && (best_pos == std::string::npos || pos < best_pos)) {
      best_pos = pos;
      best = theme;
    }
  }
  return best;
}

std::vector<Appendix3Row> load_appendix3(const std::filesystem::path& file) {
  Table t = read_table(file, false);
  size_t c_id = t.col("site_id"), c_name = t.col("name"), c_ds = t.col("datasets"), c_api = t.col("apis"),
         c_app = t.col("apps");
  std::vector<Appendix3Row> out;
  for (auto& [line, f] : t.rows) {
    require(t, line, "name", f[c_name]);
    out.push_back({f[c_id], f[c_name], parse_count(t, line, "datasets", f[c_ds]),
                   parse_count(t, line, "apis", f[c_api]), parse_count(t, line, "apps", f[c_app])});
  }
  return out;
}

std::vector<Appendix2Row> load_appendix2(const std::filesystem::path& file) {
  const std::string fname = file.string();
  YAML::Node root;
  try {
    root = YAML::Load(read_file(file));
  } catch (const YAML::Exception& e) {
    throw InputError(fname, e.mark.line + 1, "", e.msg);
  }
  YAML::Node portals = root["portals"];
  if (!portals || !portals.IsSequence()) throw InputError(fname, 0, "portals", "missing list");
  std::vector<Appendix2Row> out;
  for (const auto& p : portals) {
    int line = p.Mark().line + 1;
    try {
      Appendix2Row row;
      row.name = p["name"].as<std::string>();
      if (p["site_id"] && !p["site_id"].IsNull()) row.site_id = p["site_id"].as<std::string>();
      row.count = p["count"].as<int>();
      for (const auto& t : p["topics"]) row.topics.push_back(t.as<std::string>());
      out.push_back(std::move(row));
    } catch (const YAML::Exception& e) {
      throw InputError(fname, line, "", "bad portal entry: " + e.msg);
    }
  }
  return out;
}

}  // namespace odh
