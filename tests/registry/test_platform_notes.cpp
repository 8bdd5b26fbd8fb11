// The registry against the platform notes (../shared/platforms, the ground truth of what each portal
// serves): the notes' host tables are read from the markdown itself, and every per-site fact of
// sites.yaml (oportal prefix and city slug, Guizhou divisionId, jdop county regionId, odweb prefix
// variant, the family of every long-tail host) must agree. Registries with one fact wrong must fail.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "registry/reference.h"
#include "registry/registry.h"

namespace {

const std::string kSites = std::string(ODH_SOURCE_DIR) + "/sites.yaml";
const std::filesystem::path kNotes = std::filesystem::path(ODH_SHARED_DIR) / "platforms";

const odh::Registry& registry() {
  static odh::Registry r = odh::load_registry(kSites);
  return r;
}
const odh::PlatformNotes& notes() {
  static odh::PlatformNotes n = odh::load_platform_notes(kNotes);
  return n;
}
const odh::Divisions& divisions() {
  static odh::Divisions d = odh::Divisions::load();
  return d;
}
odh::Site& site(odh::Registry& r, const std::string& id) {
  for (auto& s : r.sites)
    if (s.id == id) return s;
  FAIL("no site " << id);
  throw 0;
}
std::string ov(const odh::Site& s, const char* k) {
  auto it = s.overrides.find(k);
  return it == s.overrides.end() ? "" : it->second;
}
std::vector<odh::InputError> check(const odh::Registry& r) {
  return odh::check_platform_facts(r, notes(), &divisions());
}
std::string joined(const std::vector<odh::InputError>& errs) {
  std::string out;
  for (auto& e : errs) out += std::string(e.what()) + "\n";
  return out;
}

}  // namespace

TEST_CASE("the platform notes' host tables are read from the markdown") {
  const auto& n = notes();
  auto fam = [&](const char* h) { return n.find(h) ? n.find(h)->family : std::string(); };
  auto pre = [&](const char* h) { return n.find(h) ? n.find(h)->prefix : std::string("<absent>"); };
  CHECK(fam("data.sd.gov.cn") == "oportal");
  CHECK(pre("data.sd.gov.cn") == "portal");
  CHECK(pre("data.gxzf.gov.cn") == "portal");
  CHECK(pre("opendata.nx.gov.cn") == "portal");
  CHECK(pre("data.harbin.gov.cn") == "oportal");
  CHECK(pre("nn.data.gxzf.gov.cn") == "nn");
  CHECK(n.shandong_slugs.size() == 16);
  CHECK(n.shandong_slugs.front() == "jinan");
  CHECK(n.guangxi_slugs.size() == 14);
  CHECK(n.guizhou_divisions.size() >= 9);
  CHECK(std::count(n.guizhou_divisions.begin(), n.guizhou_divisions.end(), "520100") == 1);
  CHECK(fam("data.wuxi.gov.cn") == "odweb-wuxi");  // "## Variant: Wuxi (…, prefix `/data`)" + its spec
  CHECK(pre("data.wuxi.gov.cn") == "data");
  CHECK(pre("www.changzhi.gov.cn") == "odweb");
  CHECK(fam("data.jiangxi.gov.cn") == "lt-jiangxi");
  CHECK(fam("www.sndata.gov.cn") == "lt-shaanxi");
  CHECK(fam("www.example.gov.cn").empty());
  // gd-opendata.md's own section for the province host, with a variant spec in data/families.
  CHECK(fam("gddata.gd.gov.cn") == "gd-opendata-guangdong");
  CHECK(fam("opendata.sz.gov.cn") == "gd-opendata");
  int long_tail = 0;
  for (auto& [h, p] : n.hosts) long_tail += !p.portal_key.empty();
  CHECK(long_tail >= 40);
}

TEST_CASE("sites.yaml agrees with every per-site fact of the platform notes") {
  auto errs = check(registry());
  CHECK_MESSAGE(errs.empty(), joined(errs));
  odh::Registry r = registry();
  CHECK(ov(site(r, "data-sd"), "prefix") == "portal");
  CHECK(ov(site(r, "data-gxzf"), "prefix") == "portal");
  CHECK(ov(site(r, "opendata-nx"), "prefix") == "portal");
  CHECK(ov(site(r, "data-jinan"), "prefix") == "jinan");
  CHECK(ov(site(r, "zzdata-sd"), "prefix") == "zaozhuang");
  CHECK(ov(site(r, "nn-data-gxzf"), "prefix") == "nn");
  CHECK(ov(site(r, "data-guiyang"), "divisionId") == "520100");
  CHECK(site(r, "data-wuxi").family == "odweb-wuxi");
  CHECK(ov(site(r, "data-zj-330782"), "regionId") == "330782");
  // Every appendix-1 site on a long-tail host of the notes has that host's family (or, for the rows
  // the notes mark "(no parser)", no engine); at least the ~20 exact host matches the issue counts.
  int matched = 0;
  for (const auto& s : r.sites)
    for (const auto& h : odh::site_hosts(s))
      if (const odh::PlatformHost* p = notes().find(h); p && !p->portal_key.empty()) {
        ++matched;
        if (p->no_protocol)
          CHECK_MESSAGE(!odh::family_has_engine(s.family), s.id);
        else
          CHECK_MESSAGE(s.family == p->family, s.id << " " << h);
      }
  CHECK(matched >= 20);
}

TEST_CASE("a registry entry that disagrees with the notes is an error naming file, line and field") {
  SUBCASE("Shandong without its /portal/ prefix") {
    odh::Registry r = registry();
    site(r, "data-sd").overrides.erase("prefix");
    auto errs = check(r);
    REQUIRE(errs.size() == 1);
    CHECK(errs[0].field == "overrides.prefix");
    CHECK(errs[0].line == site(r, "data-sd").source_line);
    CHECK(std::string(errs[0].what()).find("/portal/") != std::string::npos);
  }
  SUBCASE("every oportal prefix and slug dropped: one error per portal that needs one") {
    odh::Registry r = registry();
    int n = 0;
    for (auto& s : r.sites)
      if (s.family == "oportal" && s.overrides.count("prefix") && s.overrides["prefix"] != "oportal")
        s.overrides.erase("prefix"), ++n;
    CHECK(n >= 20);
    CHECK(check(r).size() == static_cast<size_t>(n));
  }
  SUBCASE("a Shandong city under another city's slug") {
    odh::Registry r = registry();
    site(r, "tadata-sd").overrides["prefix"] = "jinan";
    auto e = joined(check(r));
    CHECK(e.find("/taian/") != std::string::npos);
  }
  SUBCASE("a Guizhou city without its divisionId, a jdop county without its regionId") {
    odh::Registry r = registry();
    site(r, "data-guiyang").overrides.erase("divisionId");
    site(r, "data-zj-330782").overrides.erase("regionId");
    auto errs = check(r);  // in file order
    REQUIRE(errs.size() == 2);
    CHECK(errs[0].field == "overrides.regionId");
    CHECK(std::string(errs[0].what()).find("330782") != std::string::npos);
    CHECK(errs[1].field == "overrides.divisionId");
    CHECK(std::string(errs[1].what()).find("520100") != std::string::npos);
  }
  SUBCASE("Wuxi as plain odweb, Changzhi under /data") {
    odh::Registry r = registry();
    site(r, "data-wuxi").family = "odweb";
    site(r, "changzhi").overrides["prefix"] = "data";
    auto errs = check(r);
    CHECK(joined(errs).find("as 'odweb-wuxi'") != std::string::npos);
    CHECK(joined(errs).find("under /odweb/") != std::string::npos);
  }
  SUBCASE("Guangdong: the Shenzhen variant on gddata, a city collection without its deptCode or host") {
    odh::Registry r = registry();
    site(r, "gddata-gd-440000").family = "gd-opendata";
    site(r, "gddata-gd-440800").overrides.erase("officeCode");
    site(r, "yangjiang").overrides.erase("base");
    auto e = joined(check(r));
    CHECK(e.find("as 'gd-opendata-guangdong'") != std::string::npos);
    CHECK(e.find("deptCode '32'") != std::string::npos);
    CHECK(e.find("the first URL is not on gddata.gd.gov.cn") != std::string::npos);
    CHECK(check(r).size() == 3);
  }
  SUBCASE("a long-tail host named unknown, or under another long-tail family") {
    odh::Registry r = registry();
    site(r, "sndata").family = "unknown";
    site(r, "data-jiangxi").family = "lt-shaanxi";
    auto e = joined(check(r));
    CHECK(e.find("as 'lt-shaanxi'") != std::string::npos);
    CHECK(e.find("as 'lt-jiangxi'") != std::string::npos);
  }
}
