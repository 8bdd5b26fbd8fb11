// The report's inputs (reports/data.h) and number formatting (reports/util.h).
#include "reports/data.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/core.h"
#include "registry/reference.h"
#include "reports/util.h"

namespace odh::reports {

namespace {
std::string key3(const std::string& a, const std::string& b, const std::string& c) {
  return a + '\x1f' + b + '\x1f' + c;
}
std::string group_digits(long long v) {
  std::string s = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return (v < 0 ? "-" : "") + out;
}
}  // namespace

std::string fmt_int(double v) {
  if (std::isnan(v)) return "—";
  return group_digits(std::llround(v));
}

std::string fmt_dec(double v, int decimals) {
  if (std::isnan(v)) return "—";
  double scale = std::pow(10, decimals);
  long long whole = static_cast<long long>(std::llround(std::fabs(v) * scale));
  long long ip = whole / static_cast<long long>(scale), fp = whole % static_cast<long long>(scale);
  std::string s = (v < 0 && whole ? "-" : "") + group_digits(ip);
  if (decimals > 0) {
    char b[32];
    std::snprintf(b, sizeof b, ".%0*lld", decimals, fp);
    s += b;
  }
  return s;
}

std::string fmt_pct(double share, int decimals) {
  if (std::isnan(share)) return "—";
  return fmt_dec(share * 100, decimals) + "%";
}

void Data::index() {
  idx_.clear();
  base_idx_.clear();
  by_id_.clear();
  for (auto& r : rows) {
    idx_[key3(r.scope, r.scope_key, r.indicator)] = &r;
    if (r.scope == "portal") by_id_[r.indicator].push_back(&r);
  }
  for (auto& r : base_rows) base_idx_[key3(r.scope, r.scope_key, r.indicator)] = &r;
  portal_ix_.clear();
  for (size_t i = 0; i < portals.size(); ++i) portal_ix_[portals[i].id] = i;
}

const IndicatorRow* Data::get(const std::string& scope, const std::string& key, const std::string& id, bool baseline) const {
  const auto& m = baseline ? base_idx_ : idx_;
  auto it = m.find(key3(scope, key, id));
  return it == m.end() ? nullptr : it->second;
}

std::optional<double> Data::val(const std::string& scope, const std::string& key, const std::string& id, bool baseline) const {
  auto* r = get(scope, key, id, baseline);
  return r ? r->value : std::nullopt;
}

const PortalInfo* Data::portal(const std::string& id) const {
  auto it = portal_ix_.find(id);
  return it == portal_ix_.end() ? nullptr : &portals[it->second];
}

std::vector<const IndicatorRow*> Data::portal_rows(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? std::vector<const IndicatorRow*>{} : it->second;
}

std::string Data::name(const std::string& id) const {
  auto pick = [&](const IndicatorName& n) { return zh() ? n.zh : n.en; };
  if (auto it = names.find(id); it != names.end()) return pick(it->second);
  // Families: the longest "prefix.*" entry, then the member's label (metadata elements, completeness
  // items) or its last segment.
  for (size_t dot = id.rfind('.'); dot != std::string::npos && dot > 0; dot = id.rfind('.', dot - 1)) {
    auto it = names.find(id.substr(0, dot) + ".*");
    if (it == names.end()) continue;
    std::string member = id.substr(dot + 1);
    if (id.rfind("metadata.element.", 0) == 0) {
      for (auto& e : ref.elements)
        if ("metadata.element." + e.standard + "." + e.element == id) return e.label;
    }
    if (id.rfind("data.completeness.", 0) == 0) {
      if (auto item = names.find("item." + member); item != names.end()) return pick(item->second);
    }
    return pick(it->second) + "：" + member;
  }
  return id;
}

std::string Data::explain(const std::string& id, const std::string& portal) const {
  return "odh explain " + id + " --db " + db_label + " --run " + std::to_string(run.run_id) +
         (portal.empty() ? "" : " --portal " + portal);
}

std::map<std::string, IndicatorName> load_indicator_names(const std::filesystem::path& file) {
  std::map<std::string, IndicatorName> m;
  std::istringstream in(read_file(file));
  std::string line;
  int ln = 0;
  bool header = true;
  while (std::getline(in, line)) {
    ++ln;
    if (ln == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (line.empty() || line[0] == '#') continue;
    auto f = split_csv_line(line);
    if (header) {
      if (f.size() < 3 || f[0] != "id" || f[1] != "zh" || f[2] != "en")
        throw InputError(file.string(), ln, "header", "expected id,zh,en");
      header = false;
      continue;
    }
    if (f.size() < 3 || f[0].empty() || f[1].empty() || f[2].empty())
      throw InputError(file.string(), ln, "name", "id, zh and en must all be given");
    if (m.count(f[0])) throw InputError(file.string(), ln, "id", "duplicate '" + f[0] + "'");
    m[f[0]] = {f[1], f[2]};
  }
  return m;
}

}  // namespace odh::reports
