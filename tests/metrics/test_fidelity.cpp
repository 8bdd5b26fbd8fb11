// Fidelity to the 2021 report: §2 figures from the registry, appendix-3 content counts and appendix-2
// topic counts through the store writer. Differences from the report are documented in
// docs/indicators.md ("Fidelity to the report").
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "fixture.h"
#include "registry/reference.h"
#include "registry/registry.h"
#include "store/store.h"

using namespace odh::metrics;
using fx::val;

namespace {
const std::string kSrc = ODH_SOURCE_DIR;

struct TempDb {
  std::string path;
  explicit TempDb(const std::string& name) {
    path = (std::filesystem::temp_directory_path() /
            ("odh-metrics-" + name + "-" + std::to_string(::getpid()) + ".sqlite"))
               .string();
    std::filesystem::remove(path);
  }
  ~TempDb() {
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
};

std::int64_t write_registry(odh::Store& s, const odh::Registry& reg) {
  auto run = s.begin_run("2021", "sim", kSrc + "/sites.yaml");
  for (auto& site : reg.sites) {
    odh::PortalRow p;
    p.portal_id = site.id;
    p.seq = site.seq;
    p.name = site.name;
    p.province = site.province;
    p.city = site.city;
    p.county = site.county;
    p.division_code = site.division_code;
    p.level = site.level;
    p.region = site.region;
    p.kind = site.kind;
    p.family = site.family;
    p.url = site.urls.at(0);
    s.write_portal(run, p);
  }
  return run;
}

double pct(std::optional<double> v) { return std::round(v.value() * 10000) / 100; }  // 0.80645 → 80.65
}  // namespace

TEST_CASE("§2 from the registry: counts by level, region, kind; coverage against the division counts") {
  auto reg = odh::load_registry(kSrc + "/sites.yaml");
  REQUIRE(reg.sites.size() == 670);
  TempDb t("reg");
  auto store = odh::Store::open(t.path);
  auto run = write_registry(*store, reg);
  store->flush();
  auto ref = load_reference(kSrc + "/data");
  CHECK(ref.units_by_level.at("省级") == 31);
  CHECK(ref.units_by_level.at("副省级") == 15);
  CHECK(ref.units_by_level.at("地市级") == 333);
  CHECK(ref.units_by_level.at("县区级") == 2844);
  auto reader = odh::StoreReader::open(t.path);
  auto rows = compute_platform(*reader, static_cast<int>(run), ref);

  // Counts equal the registry's own, level by level, region by region, kind by kind.
  std::map<std::string, int> level, region, kind;
  for (auto& s : reg.sites) level[s.level]++, region[s.region]++, kind[s.kind]++;
  for (auto& [l, n] : level) CHECK(val(rows, "level", l, "platform.portals") == n);
  for (auto& [r, n] : region) CHECK(val(rows, "region", r, "platform.portals") == n);
  CHECK(val(rows, "national", "", "platform.independent_share") ==
        doctest::Approx(double(kind["independent"]) / 670));
  CHECK(val(rows, "national", "", "platform.portals") == 670);

  // The report's §2 figures (seed 004 lines 195-200, 233-238) where the registry agrees with them.
  CHECK(val(rows, "level", "省级", "platform.portals") == 25);
  CHECK(val(rows, "level", "副省级", "platform.portals") == 13);
  CHECK(val(rows, "level", "县区级", "platform.portals") == 441);
  CHECK(pct(val(rows, "level", "省级", "platform.coverage")) == 80.65);
  CHECK(pct(val(rows, "level", "副省级", "platform.coverage")) == 86.67);
  CHECK(pct(val(rows, "level", "县区级", "platform.coverage")) == 15.51);
  CHECK(val(rows, "region", "华东", "platform.portals") == 245);
  CHECK(val(rows, "region", "华南", "platform.portals") == 119);
  CHECK(val(rows, "region", "东北", "platform.portals") == 30);
  // The report prints 57.66% = 192/333 prefecture portals; appendix 1 lists 191 (base 671 vs 670).
  CHECK(val(rows, "level", "地市级", "platform.portals") == 191);
  CHECK(pct(val(rows, "level", "地市级", "platform.coverage")) == 57.36);
  // First-tier cities: 北京 上海 广州 深圳 all have a portal (report: 100%).
  CHECK(val(rows, "tier", "一线", "platform.coverage") == doctest::Approx(1.0));
}

TEST_CASE("appendix 3 and appendix 2 through the store writer: content and topic counts per portal") {
  auto reg = odh::load_registry(kSrc + "/sites.yaml");
  auto a3 = odh::load_appendix3(kSrc + "/data/reference/appendix3.csv");
  auto a2 = odh::load_appendix2(kSrc + "/data/reference/appendix2.yaml");
  TempDb t("app");
  odh::StoreOptions opt;
  opt.batch = 50000;
  auto store = odh::Store::open(t.path, opt);
  auto run = write_registry(*store, reg);
  std::map<std::string, odh::Appendix3Row> expect;
  for (auto& r : a3) {
    if (r.site_id.empty()) continue;  // portal not in appendix 1: no registry entry to attach it to
    expect[r.site_id] = r;
    for (long i = 0; i < r.datasets; ++i) {
      odh::DatasetRow d;
      d.portal_id = r.site_id;
      d.title = "d" + std::to_string(i);
      store->write_dataset(run, d);
    }
    for (long i = 0; i < r.apis; ++i) {
      odh::ApiRow a;
      a.portal_id = r.site_id;
      store->write_api(run, a);
    }
    for (long i = 0; i < r.apps; ++i) {
      odh::AppRow a;
      a.portal_id = r.site_id;
      a.title = "app" + std::to_string(i);
      store->write_app(run, a);
    }
  }
  std::map<std::string, odh::Appendix2Row> topics;
  for (auto& r : a2) {
    if (r.site_id.empty()) continue;
    topics[r.site_id] = r;
    for (auto& name : r.topics) store->write_topic(run, r.site_id, name, "", std::nullopt);
  }
  store->flush();
  REQUIRE(expect.size() >= 150);
  auto ref = load_reference(kSrc + "/data");
  auto reader = odh::StoreReader::open(t.path);
  auto rows = compute_platform(*reader, static_cast<int>(run), ref);
  auto usage = compute_usage(*reader, static_cast<int>(run), ref);
  long total = 0;
  int zero_api = 0, zero_app = 0;
  for (auto& id_r : expect) {
    auto& id = id_r.first;  // not a structured binding: doctest captures it
    auto& r = id_r.second;
    CHECK_MESSAGE(val(rows, "portal", id, "platform.datasets") == r.datasets, id);
    CHECK_MESSAGE(val(rows, "portal", id, "platform.apis") == r.apis, id);
    CHECK_MESSAGE(val(usage, "portal", id, "usage.apps") == r.apps, id);
    total += r.datasets;
    if (r.datasets > 0) zero_api += r.apis == 0, zero_app += r.apps == 0;
  }
  CHECK(val(rows, "national", "", "platform.datasets") == total);
  CHECK(val(rows, "national", "", "platform.zero_api_portals") == zero_api);
  CHECK(val(usage, "national", "", "usage.zero_app_portals") == zero_app);
  // Topic counts: distinct names listed per portal, equal to the printed count where self-consistent.
  int consistent = 0;
  for (auto& id_r : topics) {
    auto& id = id_r.first;  // not a structured binding: doctest captures it
    auto& r = id_r.second;
    std::set<std::string> distinct(r.topics.begin(), r.topics.end());
    if (distinct.empty()) {  // no topic names listed: not computable, not zero
      CHECK_FALSE(val(rows, "portal", id, "platform.topics").has_value());
      continue;
    }
    CHECK_MESSAGE(val(rows, "portal", id, "platform.topics") == distinct.size(), id);
    if (static_cast<size_t>(r.count) == distinct.size()) {
      consistent++;
      CHECK(val(rows, "portal", id, "platform.topics") == r.count);
    }
  }
  CHECK(consistent >= 140);
}
