// registry/reference: the reference data the portals are measured against, shipped as small
// files under data_dir()/reference (see data/reference/PROVENANCE.md for where each comes from).
// Every loader validates what it reads and throws InputError "file:line: field: problem".
// Loaded objects are immutable values; they are safe to share between threads once built.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/core.h"

namespace odh {

// Default directory of the reference files: data_dir() / "reference".
std::filesystem::path reference_dir();

// One administrative division (GB/T 2260 style six-digit code).
struct Division {
  std::string code;    // "330100"
  std::string name;    // "杭州市"
  std::string level;   // "province" | "prefecture" | "county"
  std::string parent;  // code of the enclosing province/prefecture; empty for provinces
};

// divisions.csv: 31 provinces, 333 prefectures, 2,854 county-level codes (2023-06 table; the
// report's 2020-12 counts and the differences are in divisions-2020-delta.csv).
class Divisions {
 public:
  static Divisions load(const std::filesystem::path& file = reference_dir() / "divisions.csv");

  const Division* find(const std::string& code) const;         // nullptr when unknown
  const Division* province_of(const std::string& code) const;  // the "xx0000" ancestor
  size_t count(const std::string& level) const;
  // "浙江省杭州市西湖区" style full name, from the province down.
  std::string full_name(const std::string& code) const;
  const std::vector<Division>& all() const { return rows_; }

 private:
  std::vector<Division> rows_;
  std::map<std::string, size_t> by_code_;
};

// regions.csv: province code -> one of the seven regions (华东 华南 华北 华中 西南 西北 东北).
std::map<std::string, std::string> load_regions(const std::filesystem::path& file = reference_dir() /
                                                                                    "regions.csv");

// sub_provincial.csv: the 15 副省级城市 (division codes of their prefectures).
struct SubProvincialCity {
  std::string code, name, province;
};
std::vector<SubProvincialCity> load_sub_provincial(const std::filesystem::path& file = reference_dir() /
                                                                                       "sub_provincial.csv");

// city_tiers.csv: the 2021 city tiers of report §5.1.1 (一线 … 五线), as far as sourced.
struct CityTier {
  std::string tier;  // 一线 | 新一线 | 二线 | 三线 | 四线 | 五线
  std::string city;  // "杭州市"
  std::string code;  // prefecture division code
  std::string source;
};
std::vector<CityTier> load_city_tiers(const std::filesystem::path& file = reference_dir() / "city_tiers.csv");

// themes.csv: the 16 unified themes of report §4.2, in the report's order.
std::vector<std::string> load_themes(const std::filesystem::path& file = reference_dir() / "themes.csv");

// topic_themes.tsv: portal topic name -> unified theme ("" = deliberately unmapped).
class TopicThemes {
 public:
  static TopicThemes load(const std::filesystem::path& file = reference_dir() / "topic_themes.tsv");
  // Exact name first, else the keyword found earliest in the name, else "".
  std::string theme_of(const std::string& topic) const;
  size_t size() const { return exact_.size() + keywords_.size(); }

 private:
  std::map<std::string, std::string> exact_;
  std::vector<std::pair<std::string, std::string>> keywords_;
};

// appendix3.csv: per portal of report appendix 3 the datasets, APIs and apps counted in 2021.
struct Appendix3Row {
  std::string site_id;  // empty when the portal is not in appendix 1
  std::string name;
  long datasets = 0, apis = 0, apps = 0;
};
std::vector<Appendix3Row> load_appendix3(const std::filesystem::path& file = reference_dir() /
                                                                             "appendix3.csv");

// appendix2.yaml: per portal of report appendix 2 the printed topic count and the topic names.
struct Appendix2Row {
  std::string site_id;  // empty when the portal is not in appendix 1
  std::string name;
  int count = 0;  // as printed; may differ from topics.size() (see the file's comments)
  std::vector<std::string> topics;
};
std::vector<Appendix2Row> load_appendix2(const std::filesystem::path& file = reference_dir() /
                                                                             "appendix2.yaml");

// Splits one CSV line (RFC 4180 quotes allowed); exposed for the loaders and tests.
std::vector<std::string> split_csv_line(const std::string& line);

}  // namespace odh
