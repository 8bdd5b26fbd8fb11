// Reference data for the indicators: the registry room's files under data/reference/ (divisions,
// city tiers, unified themes) and metrics' own under data/metrics/ (standards, formats, vocabularies).
#include <sstream>

#include "core/core.h"
#include "registry/reference.h"
#include "metrics/internal.h"

namespace odh::metrics {
namespace {

struct Csv {
  std::string file;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;
  int col(const std::vector<std::string>& names) const {
    for (auto& n : names)
      for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == n) return static_cast<int>(i);
    return -1;
  }
  int need(const std::vector<std::string>& names) const {
    int c = col(names);
    if (c < 0) throw InputError(file, 1, names.front(), "missing column");
    return c;
  }
};


Csv read_csv(const std::filesystem::path& p) {
  Csv csv{p.string(), {}, {}, {}};
  std::istringstream in(read_file(p));
  std::string line;
  int ln = 0;
  while (std::getline(in, line)) {
    ++ln;
    if (ln == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (line.empty() || line[0] == '#') continue;
    auto f = split_csv_line(line);
    if (csv.header.empty()) {
      csv.header = f;
      continue;
    }
    f.resize(csv.header.size());
    csv.rows.push_back(std::move(f));
    csv.lines.push_back(ln);
  }
  return csv;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> v;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      if (!cur.empty()) v.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) v.push_back(cur);
  return v;
}

std::string level_name(const std::string& s) {
  if (s == "province" || s == "provincial") return "省级";
  if (s == "sub-provincial" || s == "sub_provincial" || s == "subprovincial") return "副省级";
  if (s == "prefecture" || s == "city") return "地市级";
  if (s == "county") return "县区级";
  return s;
}

}  // namespace

Reference load_reference(const std::filesystem::path& data) {
  namespace fs = std::filesystem;
  Reference ref;
  const fs::path r = data / "reference", m = data / "metrics";

  // Administrative units per level: a counts file when present, else counted from divisions.csv.
  if (fs::exists(r / "division_counts.csv")) {
    auto c = read_csv(r / "division_counts.csv");
    int lv = c.need({"level"}), n = c.need({"report_2020_12", "count", "units"});
    for (auto& row : c.rows) ref.units_by_level[level_name(row[lv])] = std::stoi(row[n]);
  } else if (fs::exists(r / "divisions.csv")) {
    auto c = read_csv(r / "divisions.csv");
    int lv = c.need({"level"});
    for (auto& row : c.rows) ref.units_by_level[level_name(row[lv])]++;
    if (int sp = c.col({"sub_provincial"}); sp >= 0)
      for (auto& row : c.rows)
        if (row[sp] == "1" || row[sp] == "true") ref.units_by_level["副省级"]++;
  }
  if (fs::exists(r / "city_tiers.csv")) {
    auto c = read_csv(r / "city_tiers.csv");
    int city = c.need({"city", "name"}), tier = c.need({"tier"});
    for (auto& row : c.rows) {
      ref.city_tier[row[city]] = row[tier];
      ref.tier_sizes[row[tier]]++;
    }
  }
  // Tier sizes: the report's ranking sizes when shipped, else the number of cities listed per tier.
  if (fs::exists(m / "tier_sizes.csv")) {
    auto c = read_csv(m / "tier_sizes.csv");
    int t = c.need({"tier"}), n = c.need({"size"});
    ref.tier_sizes.clear();
    for (auto& row : c.rows) ref.tier_sizes[row[t]] = std::stoi(row[n]);
  }
  if (fs::exists(r / "themes.csv")) {
    auto c = read_csv(r / "themes.csv");
    int t = c.need({"theme", "name"});
    for (auto& row : c.rows) ref.themes.push_back(row[t]);
  }

  {
    auto c = read_csv(m / "metadata_elements.csv");
    int s = c.need({"standard"}), e = c.need({"element"}), l = c.need({"label"}), g = c.need({"group"}),
        k = c.need({"canonicals"});
    for (size_t i = 0; i < c.rows.size(); ++i) {
      auto& row = c.rows[i];
      if (row[e].empty()) throw InputError(c.file, c.lines[i], "element", "empty");
      ref.elements.push_back({row[s], row[e], row[l], row[g], split(row[k], '|')});
    }
  }
  {
    auto c = read_csv(m / "completeness.csv");
    int it = c.need({"item"}), k = c.need({"canonicals"});
    for (auto& row : c.rows) ref.completeness.emplace_back(row[it], split(row[k], '|'));
  }
  {
    auto c = read_csv(m / "formats.csv");
    int f = c.need({"format"}), mr = c.need({"machine_readable"}), op = c.need({"open"}),
        rd = c.need({"rdf"});
    for (auto& row : c.rows) ref.formats[row[f]] = {row[mr] == "1", row[op] == "1", row[rd] == "1"};
  }
  {
    auto c = read_csv(m / "vocabularies.csv");
    int v = c.need({"vocabulary"}), t = c.need({"term"}), fl = c.need({"flag"});
    for (auto& row : c.rows) ref.vocab[row[v]][row[t]] = row[fl];
  }
  if (fs::exists(m / "index_weights.csv")) {
    auto c = read_csv(m / "index_weights.csv");
    int l = c.need({"layer"}), in = c.need({"indicator"}), w = c.need({"weight"}), tr = c.need({"transform"}),
        d = c.need({"direction"});
    for (size_t i = 0; i < c.rows.size(); ++i) {
      auto& row = c.rows[i];
      double weight = 0;
      try {
        size_t used = 0;
        weight = std::stod(row[w], &used);
        if (used != row[w].size() || weight < 0) throw std::invalid_argument("");
      } catch (const std::exception&) {
        throw InputError(c.file, c.lines[i], "weight", "not a number >= 0: '" + row[w] + "'");
      }
      if (row[in] == "*") {
        ref.index_layers[row[l]] = weight;
        continue;
      }
      if (row[tr] != "log" && row[tr] != "linear")
        throw InputError(c.file, c.lines[i], "transform", "log or linear, not '" + row[tr] + "'");
      if (row[d] != "+" && row[d] != "-")
        throw InputError(c.file, c.lines[i], "direction", "+ or -, not '" + row[d] + "'");
      ref.index_terms.push_back({row[l], row[in], weight, row[tr] == "log", row[d] == "+" ? 1 : -1});
    }
    for (auto& t : ref.index_terms)
      if (!ref.index_layers.count(t.layer))
        throw InputError(c.file, 1, "layer", "layer '" + t.layer + "' has no weight row (indicator *)");
  }
  return ref;
}

}  // namespace odh::metrics
