// docs/indicators.md and the code agree: every documented id is produced on the fixture store and
// every produced id is documented (families "x.y.*" cover their data-driven members).
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <sstream>

#include "core/core.h"
#include "fixture.h"

namespace {
// Ids documented as the first cell of a table row: | `platform.coverage` | …
std::set<std::string> documented_ids() {
  std::set<std::string> ids;
  std::istringstream in(odh::read_file(std::string(ODH_SOURCE_DIR) + "/docs/indicators.md"));
  static const std::regex re(R"(^\|\s*`([a-z_]+\.[a-z0-9_.*]+)`\s*\|)");
  std::string line;
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_search(line, m, re)) ids.insert(m[1]);
  return ids;
}
bool covered(const std::string& id, const std::set<std::string>& defs) {
  if (defs.count(id)) return true;
  for (auto& d : defs)
    if (d.size() > 2 && d.compare(d.size() - 2, 2, ".*") == 0 &&
        id.rfind(d.substr(0, d.size() - 1), 0) == 0 && id.size() > d.size() - 1)
      return true;
  return false;
}
}  // namespace

TEST_CASE("docs/indicators.md documents exactly the catalogue") {
  auto docs = documented_ids();
  std::set<std::string> cat;
  for (auto& d : odh::metrics::catalogue()) cat.insert(d.id);
  REQUIRE(docs.size() > 50);
  for (auto& id : cat) CHECK_MESSAGE(docs.count(id), "undocumented: " << id);
  for (auto& id : docs) CHECK_MESSAGE(cat.count(id), "documented but not in the catalogue: " << id);
}

TEST_CASE("every catalogued id is produced, and every produced id is catalogued") {
  fx::Db d;
  fx::fill(d);
  auto rows = odh::metrics::compute_all(d.reader(), 2, fx::reference());
  std::set<std::string> cat, produced;
  for (auto& def : odh::metrics::catalogue()) cat.insert(def.id);
  for (auto& r : rows) {
    produced.insert(r.indicator);
    CHECK_MESSAGE(covered(r.indicator, cat), "not catalogued: " << r.indicator);
  }
  for (auto& id : cat) {
    bool hit = false;
    if (id.size() > 2 && id.compare(id.size() - 2, 2, ".*") == 0) {
      for (auto& p : produced) hit = hit || p.rfind(id.substr(0, id.size() - 1), 0) == 0;
    } else {
      hit = produced.count(id) > 0;
    }
    CHECK_MESSAGE(hit, "never produced: " << id);
  }
  // Units in the rows are the catalogue's.
  std::map<std::string, std::string> unit;
  for (auto& def : odh::metrics::catalogue()) unit[def.id] = def.unit;
  for (auto& r : rows)
    if (unit.count(r.indicator) && r.indicator != "platform.datasets")
      CHECK_MESSAGE(r.unit == unit[r.indicator], r.indicator << " unit " << r.unit);
}
