// Registry tests: the committed sites.yaml against the counts of the 2021 report, the reference
// data against the seed text, the loader on broken files, and the `odh sites` CLI.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "registry/reference.h"
#include "registry/registry.h"

namespace fs = std::filesystem;

namespace {

const std::string kSites = std::string(ODH_SOURCE_DIR) + "/sites.yaml";

const odh::Registry& real_registry() {
  static odh::Registry r = odh::load_registry(kSites);
  return r;
}

std::vector<std::string> seed_lines() {
  for (auto& e : fs::directory_iterator(fs::path(ODH_SHARED_DIR) / "seeds")) {
    if (e.path().filename().string().rfind("004_", 0) == 0) {
      std::istringstream in(odh::read_file(e.path()));
      std::vector<std::string> lines;
      for (std::string l; std::getline(in, l);) lines.push_back(l);
      return lines;
    }
  }
  FAIL("seed 004 not found under " << ODH_SHARED_DIR);
  return {};
}

// Seed text between two line prefixes, whitespace removed (the PDF table wraps cells anywhere).
std::string seed_section(const std::string& from, const std::string& to) {
  std::string out;
  bool in = false;
  for (auto& l : seed_lines()) {
    if (l.rfind(from, 0) == 0) in = true;
    if (l.rfind(to, 0) == 0) break;
    if (in)
      for (char c : l)
        if (c != ' ' && c != '\t' && c != '\r') out += c;
  }
  return out;
}

fs::path temp_dir() {
  static fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("odh-registry-test-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

std::string write_temp(const std::string& name, const std::string& text) {
  fs::path p = temp_dir() / name;
  std::ofstream(p) << text;
  return p.string();
}

// A valid one-site registry; tests break one line of it.
std::string good_site(const std::string& id = "data-beijing") {
  return "  - id: " + id +
         "\n"
         "    seq: 1\n"
         "    name: \"北京市公共数据开放平台\"\n"
         "    province: \"北京市\"\n"
         "    city: \"\"\n"
         "    county: \"\"\n"
         "    division_code: \"110000\"\n"
         "    level: 省级\n"
         "    region: 华北\n"
         "    kind: independent\n"
         "    family: beijing\n"
         "    urls:\n"
         "      - \"http://data.beijing.gov.cn/\"\n"
         "    overrides: {delay_ms: 2000}\n";
}

std::vector<odh::InputError> check_text(const std::string& name, const std::string& text) {
  odh::Divisions d = odh::Divisions::load();
  return odh::check_registry(write_temp(name, text), &d).errors;
}

struct Run {
  int rc;
  std::string out;
};
Run run_shell(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}
Run run(const std::string& args) { return run_shell(std::string(ODH_BINARY) + " " + args + " 2>&1"); }

}  // namespace

TEST_CASE("sites.yaml holds the 670 portals of appendix 1 with unique ids") {
  auto& reg = real_registry();
  REQUIRE(reg.sites.size() == 670);
  std::set<std::string> ids;
  std::set<int> seqs;
  for (auto& s : reg.sites) {
    CHECK_MESSAGE(ids.insert(s.id).second, "duplicate id " << s.id);
    seqs.insert(s.seq);
  }
  CHECK(seqs.size() == 670);
  CHECK(*seqs.begin() == 1);
  CHECK(*seqs.rbegin() == 670);
  REQUIRE(reg.find("data-beijing") != nullptr);
  CHECK(reg.find("data-beijing")->name == "北京市公共数据开放平台");
  CHECK(reg.find("no-such-site") == nullptr);
}

TEST_CASE("level and region counts are the report's") {
  std::map<std::string, int> level, region, kind;
  for (auto& s : real_registry().sites) {
    level[s.level]++;
    region[s.region]++;
    kind[s.kind]++;
  }
  CHECK(level["省级"] == 25);
  CHECK(level["副省级"] == 13);
  CHECK(level["地市级"] == 191);
  CHECK(level["县区级"] == 441);
  CHECK(region["华东"] == 245);
  CHECK(region["华南"] == 119);
  CHECK(region["东北"] == 30);
  CHECK(region["华北"] == 91);
  CHECK(region["西南"] == 83);
  CHECK(region["西北"] == 55);
  CHECK(region["华中"] == 47);
  // The report: 19.85% independent (133 of 670); our documented name rule gives 143 (docs/registry.md).
  CHECK(kind["independent"] == 143);
  CHECK(kind["embedded"] == 527);
  CHECK(kind["independent"] + kind["embedded"] == 670);
}

TEST_CASE("every URL is http(s) and every location resolves to a division") {
  odh::Divisions div = odh::Divisions::load();
  auto regions = odh::load_regions();
  static const std::regex url_re(R"(https?://[A-Za-z0-9.-]+(:[0-9]+)?([/?#].*)?)");
  for (auto& s : real_registry().sites) {
    REQUIRE(!s.urls.empty());
    for (auto& u : s.urls) CHECK_MESSAGE(std::regex_match(u, url_re), s.id << ": " << u);
    const odh::Division* d = div.find(s.division_code);
    REQUIRE_MESSAGE(d != nullptr, s.id << ": " << s.division_code);
    const odh::Division* p = div.province_of(s.division_code);
    REQUIRE(p != nullptr);
    CHECK(p->name == s.province);
    CHECK(regions.at(p->code) == s.region);
    // The printed location (province + city + county) is the division's full name, except for the
    // three development zones coded as their enclosing division (docs/registry.md).
    std::string loc = s.province + s.city + s.county;
    if (s.county.find("开发区") == std::string::npos && s.county != "贵安新区")
      CHECK_MESSAGE(div.full_name(s.division_code) == loc, s.id << ": " << loc);
    // Three 县区级 rows have a prefecture as location (kept as printed, docs/registry.md).
    if (s.level == "县区级" && s.seq != 96 && s.seq != 270 && s.seq != 565)
      CHECK_MESSAGE(!s.county.empty(), s.id);
    if (s.level == "省级") CHECK(d->level == "province");
  }
}

TEST_CASE("site names come from appendix 1 of the seed") {
  // Each record of the table starts with "<序号> <first line of the name cell>".
  std::map<int, std::string> first;
  bool in = false;
  int expect = 1;
  static const std::regex rec("^\\s*([0-9]+)\\s+(\\S+).*");
  for (auto& l : seed_lines()) {
    if (l.rfind("附录 1 2021", 0) == 0) in = true;
    if (l.rfind("附录 2 2021", 0) == 0) break;
    std::smatch m;
    if (in && std::regex_match(l, m, rec) && std::stoi(m[1]) == expect) first[expect++] = m[2];
  }
  REQUIRE(first.size() == 670);
  int ok = 0;
  for (auto& s : real_registry().sites) {
    bool starts = s.name.rfind(first[s.seq], 0) == 0;
    CHECK_MESSAGE(starts, s.seq << ": " << s.name << " vs " << first[s.seq]);
    ok += starts;
  }
  CHECK(ok == 670);
}

TEST_CASE("sites.yaml is exactly what tools/build_sites.py makes from the seed") {
  // Guards against hand edits: corrections belong in data/registry-corrections.yaml.
  fs::path out = temp_dir() / "rebuilt-sites.yaml", log = temp_dir() / "rebuilt-log.tsv";
  std::string cmd = std::string("python3 ") + ODH_SOURCE_DIR + "/tools/build_sites.py --shared " +
                    ODH_SHARED_DIR + " --out " + out.string() + " --log " + log.string() + " 2>&1";
  auto r = run_shell(cmd);
  REQUIRE_MESSAGE(r.rc == 0, r.out);
  CHECK(odh::read_file(out) == odh::read_file(kSites));
  CHECK(odh::read_file(log) ==
        odh::read_file(std::string(ODH_SOURCE_DIR) + "/data/registry-corrections-applied.tsv"));
}

TEST_CASE("families are detected for the dedicated platforms") {
  std::map<std::string, int> fam;
  for (auto& s : real_registry().sites) {
    fam[s.family]++;
    if (s.family == "embedded-cms") CHECK(s.kind == "embedded");
  }
  CHECK(fam["beijing"] == 1);
  CHECK(fam["shanghai"] == 1);
  CHECK(fam["tianjin"] == 1);
  CHECK(fam["hainan"] == 1);
  // After the platform notes became registry data (data/registry-corrections.yaml): six more oportal
  // hosts (Shandong/Guangxi cities), four Zhejiang cities on their long-tail portals instead of jdop,
  // 17 embedded columns whose host or city the notes document (Guizhou cities, long-tail portals),
  // and `unknown` only where no protocol is documented.
  CHECK(fam["oportal"] == 40);
  CHECK(fam["jdop"] == 16);
  CHECK(fam["embedded-cms"] == 486);
  CHECK(fam["unknown"] == 42);
  int long_tail = 0;
  for (auto& [f, n] : fam) long_tail += f.rfind("lt-", 0) == 0 ? n : 0;
  CHECK(long_tail == 38);
  auto& reg = real_registry();
  CHECK(reg.find("data-sd")->family == "oportal");
  CHECK(reg.find("data-sh")->family == "shanghai");
}

TEST_CASE("reference divisions, regions, sub-provincial cities, tiers and themes") {
  odh::Divisions d = odh::Divisions::load();
  CHECK(d.count("province") == 31);
  CHECK(d.count("prefecture") == 333);
  CHECK(d.count("county") == 2851);
  CHECK(d.full_name("330106") == "浙江省杭州市西湖区");
  CHECK(d.find("999999") == nullptr);
  CHECK(odh::load_regions().size() == 31);

  auto sub = odh::load_sub_provincial();
  REQUIRE(sub.size() == 15);
  for (auto& c : sub) {
    REQUIRE(d.find(c.code) != nullptr);
    CHECK(d.find(c.code)->level == "prefecture");
    CHECK(d.find(c.code)->name == c.name);
  }

  std::map<std::string, int> tiers;
  for (auto& t : odh::load_city_tiers()) {
    tiers[t.tier]++;
    CHECK_MESSAGE(d.find(t.code) != nullptr, t.city);
  }
  CHECK(tiers["一线"] == 4);
  CHECK(tiers["新一线"] == 15);
  CHECK(tiers["二线"] == 30);

  // The 16 themes are those named in report §4.2.
  auto themes = odh::load_themes();
  REQUIRE(themes.size() == 16);
  std::string sec = seed_section(" 4.2 主题视角下", "如图 4-5");
  for (auto& t : themes) CHECK_MESSAGE(sec.find(t) != std::string::npos, t);
}

TEST_CASE("appendix 3: 156 portals, the report's totals, numbers as printed in the seed") {
  auto rows = odh::load_appendix3();
  REQUIRE(rows.size() == 156);
  long ds = 0, api = 0, app = 0;
  int matched = 0;
  std::string text = seed_section("附录 3 2021", "附录 4 ");
  for (auto& r : rows) {
    ds += r.datasets;
    api += r.apis;
    app += r.apps;
    if (!r.site_id.empty()) {
      matched++;
      CHECK_MESSAGE(real_registry().find(r.site_id) != nullptr, r.site_id);
    }
    std::string printed =
        r.name + std::to_string(r.datasets) + std::to_string(r.apis) + std::to_string(r.apps);
    CHECK_MESSAGE(text.find(printed) != std::string::npos, printed);
  }
  CHECK(ds == 482464);
  CHECK(api == 224234);
  CHECK(app == 2159);
  CHECK(matched == 155);  // 安顺市政府数据开放平台 is not in appendix 1
}

TEST_CASE("appendix 2: topics per portal, all mapped to the 16 themes") {
  auto rows = odh::load_appendix2();
  REQUIRE(rows.size() == 156);
  auto tt = odh::TopicThemes::load();
  auto themes = odh::load_themes();
  int differs = 0, topics = 0, unmapped = 0;
  std::string text = seed_section("附录 2 2021", "附录 3 2021");
  for (auto& r : rows) {
    differs += r.count != static_cast<int>(r.topics.size());
    CHECK_MESSAGE(text.find(r.name) != std::string::npos, r.name);
    if (!r.site_id.empty()) CHECK(real_registry().find(r.site_id) != nullptr);
    for (auto& t : r.topics) {
      topics++;
      std::string th = tt.theme_of(t);
      if (th.empty())
        unmapped++;
      else
        CHECK(std::find(themes.begin(), themes.end(), th) != themes.end());
    }
  }
  CHECK(differs == 8);
  CHECK(topics == 2517);
  CHECK(unmapped == 30);  // 其他 (28), 其他主题, 物联感知: deliberately without a theme
  CHECK(tt.theme_of("卫生健康") == "医疗卫生");
  CHECK(tt.theme_of("城乡建设、环境保护") == "城建住房");
  CHECK(tt.theme_of("某某交通数据") == "道路交通");
}

TEST_CASE("broken registries fail naming file, line and field") {
  std::string head = "sites:\n";
  SUBCASE("bad YAML syntax names the line") {
    std::string s = good_site();
    s.replace(s.find("    region: 华北"), std::string("    region: 华北").size(), "    region: 华北: x");
    auto errs = check_text("syntax.yaml", head + s);
    REQUIRE(errs.size() == 1);
    CHECK(errs[0].line == 10);
    CHECK(std::string(errs[0].what()).find("syntax.yaml:10: bad YAML") != std::string::npos);
  }
  SUBCASE("missing field") {
    std::string s = good_site();
    s.erase(s.find("    level: 省级\n"), std::string("    level: 省级\n").size());
    auto errs = check_text("missing.yaml", head + s);
    REQUIRE(errs.size() == 1);
    CHECK(errs[0].field == "level");
    CHECK(errs[0].problem == "missing");
    CHECK(errs[0].line == 2);
  }
  SUBCASE("duplicate id names both lines") {
    auto errs = check_text("dup.yaml", head + good_site() + good_site());
    REQUIRE(errs.size() == 1);
    CHECK(
        std::string(errs[0].what()).find("dup.yaml:16: id: duplicate id 'data-beijing' (first at line 2)") !=
        std::string::npos);
  }
  SUBCASE("unknown level, bad URL, unknown code: all collected") {
    std::string s = good_site();
    s.replace(s.find("省级"), std::string("省级").size(), "市级");
    s.replace(s.find("http://data"), 4, "ftp");
    s.replace(s.find("110000"), 6, "119999");
    auto errs = check_text("many.yaml", head + s);
    REQUIRE(errs.size() == 3);
    CHECK(std::string(errs[0].what()) == errs[0].file + ":8: division_code: unknown division code 119999");
    CHECK(errs[1].line == 9);
    CHECK(errs[1].field == "level");
    CHECK(errs[1].problem.find("unknown value '市级'") == 0);
    CHECK(errs[2].line == 14);
    CHECK(errs[2].field == "urls");
  }
  SUBCASE("region must agree with the division") {
    std::string s = good_site();
    s.replace(s.find("华北"), std::string("华北").size(), "华南");
    auto errs = check_text("region.yaml", head + s);
    REQUIRE(errs.size() == 1);
    CHECK(errs[0].field == "region");
    CHECK(errs[0].line == 10);
  }
  SUBCASE("unknown field, bad override, bad id") {
    std::string s = good_site("Data_Beijing");
    s.replace(s.find("delay_ms: 2000"), 14, "delay_ms: soon");
    s += "    colour: red\n";
    auto errs = check_text("fields.yaml", head + s);
    REQUIRE(errs.size() == 3);
    CHECK(errs[0].field == "id");
    CHECK(errs[1].field == "overrides.delay_ms");
    CHECK(errs[2].field == "colour");
    CHECK(errs[2].line == 16);
  }
  SUBCASE("load_registry throws the first error") {
    std::string p = write_temp("throw.yaml", head + good_site() + good_site());
    CHECK_THROWS_AS(odh::load_registry(p), odh::InputError);
    odh::Registry ok = odh::load_registry(write_temp("ok.yaml", head + good_site()));
    REQUIRE(ok.sites.size() == 1);
    CHECK(ok.sites[0].overrides.at("delay_ms") == "2000");
    CHECK(ok.sites[0].source_line == 2);
  }
  SUBCASE("hostile input is bounded: deep nesting, binary junk") {
    auto deep = check_text("deep.yaml", "sites: " + std::string(5000, '[') + "\n");
    REQUIRE(deep.size() == 1);
    CHECK(deep[0].problem.find("bad YAML") == 0);
    auto junk = check_text("junk.yaml", std::string("sites:\n  - \x01\xff\xfe: {\n", 15));
    CHECK(!junk.empty());
  }
  SUBCASE("not a registry at all") {
    auto errs = check_text("list.yaml", "- a\n- b\n");
    REQUIRE(errs.size() == 1);
    CHECK(errs[0].problem.find("expected a mapping") == 0);
  }
}

TEST_CASE("broken reference files name file and line") {
  std::string p = write_temp("divisions.csv",
                             "code,name,level,parent\n110000,北京市,province,\n12000x,天津市,province,\n");
  CHECK_THROWS_WITH(odh::Divisions::load(p), (p + ":3: code: not a six-digit code").c_str());
  std::string q =
      write_temp("appendix3.csv", "site_id,seq,name,datasets,apis,apps,source_line\nx,1,y,12,many,0,9\n");
  CHECK_THROWS_WITH(odh::load_appendix3(q), (q + ":2: apis: not a count: 'many'").c_str());
  CHECK(odh::split_csv_line("a,\"b,c\",\"d\"\"e\"") == std::vector<std::string>{"a", "b,c", "d\"e"});
}

TEST_CASE("odh sites CLI: list, filters, stats, check, exit codes") {
  auto list = run("sites --sites " + kSites + " --level 省级");
  CHECK(list.rc == 0);
  CHECK(list.out.find("data-beijing") != std::string::npos);
  CHECK(list.out.find("25 of 670 sites") != std::string::npos);

  auto js = run("sites --sites " + kSites + " --region 东北 --kind independent --json");
  REQUIRE(js.rc == 0);
  auto arr = nlohmann::json::parse(js.out);
  REQUIRE(arr.is_array());
  CHECK(!arr.empty());
  for (auto& s : arr) {
    CHECK(s["region"] == "东北");
    CHECK(s["kind"] == "independent");
  }

  auto stats = run("sites stats --json --sites " + kSites);
  REQUIRE(stats.rc == 0);
  auto st = nlohmann::json::parse(stats.out);
  CHECK(st["total"] == 670);
  CHECK(st["level"]["地市级"] == 191);
  CHECK(st["region"]["华东"] == 245);
  CHECK(st["region_level"]["华东"]["县区级"] == 171);

  auto text = run("sites stats --sites " + kSites);
  CHECK(text.rc == 0);
  CHECK(text.out.find("region x level") != std::string::npos);

  auto ok = run("sites check --sites " + kSites);
  CHECK(ok.rc == 0);
  CHECK(ok.out.find("670 sites OK") != std::string::npos);

  std::string broken = write_temp("cli-broken.yaml", "sites:\n" + good_site() + good_site());
  auto bad = run("sites check --sites " + broken);
  CHECK(bad.rc == 1);
  CHECK(bad.out.find(broken + ":16: id: duplicate id") != std::string::npos);

  auto usage = run("sites --sites " + kSites + " --level 市级");
  CHECK(usage.rc == 2);
  CHECK(usage.out.find("unknown value '市级'") != std::string::npos);

  auto missing = run("sites --sites /nonexistent/sites.yaml");
  CHECK(missing.rc == 1);
}
