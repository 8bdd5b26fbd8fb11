// odh export dcat (docs/export.md), checked by independent RDF parsers: rapper (raptor2-utils) reads the
// Turtle and RDF/XML, python3-rdflib the JSON-LD (rapper has no JSON-LD parser); all three must give the
// same N-Triples, and the triples of one known dataset (hostile title included) are checked one by one.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/core.h"
#include "reports/reports.h"

namespace fs = std::filesystem;

namespace {

const std::string kHostile = "Evil \"quoted\" title\nsecond line > <b> \\ back\\slash\r\n& done\x01";
// What the export keeps of it: CRLF → LF, control characters dropped.
const std::string kHostileClean = "Evil \"quoted\" title\nsecond line > <b> \\ back\\slash\n& done";
const std::string kWarc = "odh-20261205 sim-00000.warc.gz";  // a space: percent-encoded in the IRI
constexpr std::int64_t kOffset = 123456;

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::path(ODH_TEST_OUT_DIR) / (name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Two portals, three datasets: the known one (hostile title, mapped theme, frequency, csv + unknown
// format, licence URL, a landing page), one with an unmapped theme and a licence in words, one with
// an unusable landing page URL (javascript:) and a hostile distribution URL.
std::string make_store(const fs::path& dir) {
  const std::string path = (dir / "odh.sqlite").string();
  auto store = odh::Store::open(path);
  auto run = store->begin_run("2026-12", "sim", "sites.yaml");
  odh::PortalRow p;
  p.portal_id = "zj";
  p.name = "浙江省公共数据开放平台";
  p.province = "浙江省";
  p.level = "省级";
  p.region = "华东";
  p.kind = "independent";
  p.family = "odweb";
  p.url = "https://data.zj.example/";
  store->write_portal(run, p);
  p.portal_id = "gd \"x\"";
  p.name = "广东 <平台>";
  p.url = "javascript:alert(1)";
  store->write_portal(run, p);

  odh::FetchRow f;
  f.portal_id = "zj";
  f.url = "https://data.zj.example/detail?id=42";
  f.kind = "detail";
  f.status = 200;
  f.warc_file = kWarc;
  f.warc_offset = kOffset;
  auto fetch = store->write_fetch(run, f);

  odh::DatasetRow d;
  d.portal_id = "zj";
  d.source_id = "ds-42";
  d.url = "https://data.zj.example/detail?id=42&name=公交 线路";
  d.title = kHostile;
  d.description = "每月更新的公交线路";
  d.publisher = "杭州市交通运输局";
  d.theme = "道路交通";
  d.issued = "2021-03-04";
  d.modified = "2021-13-40";  // not a date: left out
  d.frequency = "每月";
  d.tags = {"公交", "线路 \"<>\""};
  d.fetch_id = fetch;
  d.fields = {{"开放许可", "https://creativecommons.org/licenses/by/4.0/", "license"}};
  d.distributions = {{"CSV", "csv", "https://data.zj.example/file/42.csv", 100},
                     {"接口", "api", "https://data.zj.example/api/42", std::nullopt}};
  store->write_dataset(run, d);

  odh::DatasetRow e;
  e.portal_id = "zj";
  e.source_id = "ds-43";
  e.title = "信用数据";
  e.publisher = "杭州市交通运输局";  // the same agent as above
  e.theme = "信用服务";               // no EU data theme
  e.frequency = "实时";
  e.fields = {{"开放许可", "署名 4.0 <国际>", "license"}};
  store->write_dataset(run, e);

  odh::DatasetRow g;
  g.portal_id = "gd \"x\"";
  g.source_id = "a/b c";
  g.title = std::string(30000, 'x');  // bounded
  g.description = "long form\nends in a quote\"\"";  // Turtle's """…""" must still close
  g.publisher = "ends in a backslash\\";
  g.url = "javascript:alert(1)";       // no usable IRI: dropped and counted
  g.distributions = {{"XLSX", "xlsx", "http://g.example/a b\"<>{}|^`\\[1].xlsx?q=%zz#f#g", std::nullopt}};
  store->write_dataset(run, g);
  store->finish_run(run);
  return path;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

// N-Triples literal/IRI unescaping (\" \\ \n \r \t \uXXXX \UXXXXXXXX), as rapper writes them.
std::string unescape_nt(const std::string& s) {
  std::string out;
  auto put = [&out](unsigned long cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    if (c == 'n') out += '\n';
    else if (c == 'r') out += '\r';
    else if (c == 't') out += '\t';
    else if (c == 'u' || c == 'U') {
      const int n = c == 'u' ? 4 : 8;
      put(std::stoul(s.substr(i + 1, n), nullptr, 16));
      i += n;
    } else out += c;
  }
  return out;
}

struct Triple {
  std::string s, p, o;  // IRIs without <>, literals as "text"^^<dt> with text unescaped
  auto operator<=>(const Triple&) const = default;
};

std::set<Triple> parse_nt(const std::string& text) {
  std::set<Triple> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto s_end = line.find("> <");
    auto p_end = line.find("> ", s_end + 3);
    REQUIRE_MESSAGE(line[0] == '<', line);
    REQUIRE_MESSAGE(p_end != std::string::npos, line);
    Triple t{line.substr(1, s_end - 1), line.substr(s_end + 3, p_end - s_end - 3), ""};
    std::string o = line.substr(p_end + 2);
    REQUIRE_MESSAGE(o.size() > 2, line);
    o = o.substr(0, o.rfind(" ."));
    if (o[0] == '<') {
      t.o = o.substr(1, o.size() - 2);
    } else {
      const auto close = o.rfind('"');
      t.o = "\"" + unescape_nt(o.substr(1, close - 1)) + "\"" + o.substr(close + 1);
    }
    out.insert(t);
  }
  return out;
}

bool has(const std::set<Triple>& g, const std::string& s, const std::string& p, const std::string& o) {
  return g.count({s, p, o}) > 0;
}
std::vector<std::string> objects(const std::set<Triple>& g, const std::string& s, const std::string& p) {
  std::vector<std::string> v;
  for (auto& t : g)
    if (t.s == s && t.p == p) v.push_back(t.o);
  return v;
}

std::size_t objects_of_type(const std::set<Triple>& g, const std::string& type) {
  std::size_t n = 0;
  for (auto& t : g)
    if (t.p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" && t.o == type) ++n;
  return n;
}

const std::string DCAT = "http://www.w3.org/ns/dcat#", DCT = "http://purl.org/dc/terms/",
                  FOAF = "http://xmlns.com/foaf/0.1/", PROV = "http://www.w3.org/ns/prov#",
                  RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", XSD = "http://www.w3.org/2001/XMLSchema#",
                  EU = "http://publications.europa.eu/resource/authority/";

}  // namespace

TEST_CASE("odh export dcat: Turtle, JSON-LD and RDF/XML parse (rapper, rdflib) to the same triples") {
  if (sh("command -v rapper >/dev/null 2>&1") != 0 || sh("/usr/bin/python3 -c 'import rdflib' 2>/dev/null") != 0) {
    FAIL("rapper (raptor2-utils) and python3-rdflib are needed: scripts/setup.sh installs them");
    return;
  }
  const fs::path dir = temp_dir("dcat");
  const std::string db = make_store(dir);
  std::map<std::string, std::string> nt;
  for (std::string fmt : {"ttl", "jsonld", "rdfxml"}) {
    const fs::path file = dir / ("catalog." + fmt);
    const fs::path log = dir / (fmt + ".log");
    REQUIRE(sh(std::string(ODH_BINARY) + " export dcat --db '" + db + "' --format " + fmt + " --out '" +
               file.string() + "' 2>'" + log.string() + "'") == 0);
    INFO(slurp(log));
    CHECK(slurp(log).find("3 datasets, 3 distributions") != std::string::npos);
    CHECK(slurp(log).find("2 portal URLs dropped") != std::string::npos);
    const fs::path out = dir / (fmt + ".nt"), err = dir / (fmt + ".err");
    if (fmt == "jsonld") {
      // rdflib parses the JSON-LD; rapper reads its N-Triples back so all three are written alike.
      const fs::path mid = dir / "jsonld.rdflib.nt";
      REQUIRE(sh("/usr/bin/python3 -c \"import rdflib,sys; g=rdflib.Graph(); g.parse(sys.argv[1], format='json-ld'); "
                 "g.serialize(destination=sys.argv[2], format='nt', encoding='utf-8')\" '" +
                 file.string() + "' '" + mid.string() + "' 2>'" + err.string() + "'") == 0);
      REQUIRE(sh("rapper -q -i ntriples -o ntriples '" + mid.string() + "' >'" + out.string() + "' 2>>'" +
                 err.string() + "'") == 0);
    } else {
      REQUIRE(sh("rapper -q -i " + std::string(fmt == "ttl" ? "turtle" : "rdfxml") + " -o ntriples '" +
                 file.string() + "' >'" + out.string() + "' 2>'" + err.string() + "'") == 0);
    }
    INFO(slurp(err));
    CHECK(slurp(err).empty());  // rapper prints warnings and errors here
    nt[fmt] = slurp(out);
  }
  const auto g = parse_nt(nt["ttl"]);
  CHECK(g.size() > 50);
  CHECK(parse_nt(nt["rdfxml"]).size() == g.size());
  CHECK(parse_nt(nt["jsonld"]).size() == g.size());
  CHECK(parse_nt(nt["rdfxml"]) == g);
  CHECK(parse_nt(nt["jsonld"]) == g);

  // The known dataset, found by its identifier.
  std::string ds;
  for (auto& t : g)
    if (t.p == DCT + "identifier" && t.o == "\"ds-42\"") ds = t.s;
  REQUIRE(!ds.empty());
  CHECK(has(g, ds, RDF + "type", DCAT + "Dataset"));
  CHECK(has(g, ds, DCT + "title", "\"" + kHostileClean + "\""));
  CHECK(has(g, ds, DCT + "issued", "\"2021-03-04\"^^<" + XSD + "date>"));
  CHECK(objects(g, ds, DCT + "modified").empty());
  CHECK(has(g, ds, DCAT + "theme", EU + "data-theme/TRAN"));
  CHECK(has(g, ds, DCT + "accrualPeriodicity", EU + "frequency/MONTHLY"));
  CHECK(has(g, ds, DCT + "license", "https://creativecommons.org/licenses/by/4.0/"));
  CHECK(has(g, ds, DCAT + "keyword", "\"线路 \"<>\"\""));
  CHECK(has(g, ds, DCAT + "landingPage",
            "https://data.zj.example/detail?id=42&name=%E5%85%AC%E4%BA%A4%20%E7%BA%BF%E8%B7%AF"));
  // Provenance: the WARC record of the dataset's fetch row.
  CHECK(has(g, ds, PROV + "wasDerivedFrom", "urn:odh:warc:odh-20261205%20sim-00000.warc.gz#123456"));
  CHECK(odh::reports::warc_record_iri("runs/x/" + kWarc, kOffset) ==
        "urn:odh:warc:odh-20261205%20sim-00000.warc.gz#123456");
  // Publisher: a foaf:Agent with its name, shared with the second dataset of the same department.
  auto pubs = objects(g, ds, DCT + "publisher");
  REQUIRE(pubs.size() == 1);
  CHECK(has(g, pubs[0], RDF + "type", FOAF + "Agent"));
  CHECK(has(g, pubs[0], FOAF + "name", "\"杭州市交通运输局\""));
  // Distributions: the CSV one by the EU file type, the API by an odh format.
  auto dists = objects(g, ds, DCAT + "distribution");
  REQUIRE(dists.size() == 2);
  std::set<std::string> formats;
  for (auto& d : dists) {
    CHECK(has(g, d, RDF + "type", DCAT + "Distribution"));
    for (auto& f : objects(g, d, DCT + "format")) formats.insert(f);
  }
  CHECK(formats == std::set<std::string>{EU + "file-type/CSV", "urn:odh:format:api"});
  CHECK(has(g, "urn:odh:format:api", RDF + "type", DCT + "MediaTypeOrExtent"));
  // Its catalogue.
  const std::string cat = "urn:odh:run:1:catalog:zj";
  CHECK(has(g, cat, RDF + "type", DCAT + "Catalog"));
  CHECK(has(g, cat, DCAT + "dataset", ds));
  CHECK(has(g, cat, DCT + "title", "\"浙江省公共数据开放平台\""));
  CHECK(has(g, cat, FOAF + "homepage", "https://data.zj.example/"));

  // The second dataset: an unmapped theme as an odh concept_iri, 实时 → UPDATE_CONT, a licence in words.
  std::string ds2;
  for (auto& t : g)
    if (t.p == DCT + "identifier" && t.o == "\"ds-43\"") ds2 = t.s;
  REQUIRE(!ds2.empty());
  CHECK(objects(g, ds2, DCT + "publisher") == pubs);
  CHECK(has(g, ds2, DCT + "accrualPeriodicity", EU + "frequency/UPDATE_CONT"));
  const std::string concept_iri = "urn:odh:theme:%E4%BF%A1%E7%94%A8%E6%9C%8D%E5%8A%A1";
  CHECK(has(g, ds2, DCAT + "theme", concept_iri));
  CHECK(has(g, concept_iri, "http://www.w3.org/2004/02/skos/core#prefLabel", "\"信用服务\""));
  auto lic = objects(g, ds2, DCT + "license");
  REQUIRE(lic.size() == 1);
  CHECK(has(g, lic[0], "http://www.w3.org/2000/01/rdf-schema#label", "\"署名 4.0 <国际>\""));

  // The hostile portal: no homepage (javascript:), a bounded title, an encoded download URL.
  std::string ds3;
  for (auto& t : g)
    if (t.p == DCT + "identifier" && t.o == "\"a/b c\"") ds3 = t.s;
  REQUIRE(!ds3.empty());
  CHECK(objects(g, ds3, DCAT + "landingPage").empty());
  auto title = objects(g, ds3, DCT + "title");
  REQUIRE(title.size() == 1);
  CHECK(title[0].size() < 2100);
  CHECK(objects(g, ds3, DCT + "description") == std::vector<std::string>{"\"long form\nends in a quote\"\"\""});
  auto pub3 = objects(g, ds3, DCT + "publisher");
  REQUIRE(pub3.size() == 1);
  CHECK(has(g, pub3[0], FOAF + "name", "\"ends in a backslash\\\""));
  auto d3 = objects(g, ds3, DCAT + "distribution");
  REQUIRE(d3.size() == 1);
  CHECK(objects(g, d3[0], DCAT + "downloadURL") ==
        std::vector<std::string>{"http://g.example/a%20b%22%3C%3E%7B%7D%7C%5E%60%5C%5B1%5D.xlsx?q=%25zz#f%23g"});
  CHECK(objects(g, "urn:odh:run:1:catalog:gd%20%22x%22", FOAF + "homepage").empty());
}

TEST_CASE("odh export dcat: an unknown run or format is an error") {
  const fs::path dir = temp_dir("dcat-err");
  const std::string db = make_store(dir);
  CHECK(sh(std::string(ODH_BINARY) + " export dcat --db '" + db + "' --run 9 --format ttl >/dev/null 2>&1") != 0);
  CHECK(sh(std::string(ODH_BINARY) + " export dcat --db '" + db + "' --format n3 >/dev/null 2>&1") != 0);
  auto reader = odh::StoreReader::open(db);
  std::ostringstream out;
  odh::reports::DcatOptions o;
  o.format = "n3";
  CHECK_THROWS_AS(odh::reports::write_dcat(*reader, o, out), odh::UsageError);
}

TEST_CASE("docs/export.md: the SQLite → pandas example runs against a store and writes the CSV files") {
  if (std::system("/usr/bin/python3 -c 'import pandas' 2>/dev/null") != 0) {
    MESSAGE("python3-pandas missing: skipped (scripts/setup.sh installs it)");
    return;
  }
  const fs::path dir = temp_dir("dcat-pandas");
  const std::string db = make_store(dir);
  const std::string doc = slurp(fs::path(ODH_SOURCE_DIR) / "docs" / "export.md");
  const auto b = doc.find("```python\n");
  REQUIRE(b != std::string::npos);
  const auto e = doc.find("```", b + 10);
  std::string code = doc.substr(b + 10, e - b - 10);
  const auto at = code.find("\"out/odh.sqlite\"");
  REQUIRE(at != std::string::npos);
  code.replace(at, 16, "\"" + db + "\"");
  { std::ofstream(dir / "example.py") << code; }
  REQUIRE(sh("cd '" + dir.string() + "' && /usr/bin/python3 example.py") == 0);
  std::ifstream ds(dir / "datasets.csv"), dist(dir / "distributions.csv");
  int lines = 0;
  for (std::string l; std::getline(ds, l);) ++lines;
  CHECK(lines >= 4);  // header + 3 datasets (the hostile title spans lines inside its quotes)
  std::string header;
  std::getline(dist, header);
  CHECK(header.find("format") != std::string::npos);
}

TEST_CASE("odh export dcat on a replayed snapshot: prov:wasDerivedFrom names the dataset's WARC response record") {
  if (sh("command -v rapper >/dev/null 2>&1") != 0) {
    FAIL("rapper (raptor2-utils) is needed: scripts/setup.sh installs it");
    return;
  }
  const fs::path dir = temp_dir("dcat-snapshot");
  const fs::path snap = fs::path(ODH_SOURCE_DIR) / "tests" / "snapshots" / "cn";
  const std::string bin = ODH_BINARY, db = (dir / "cn.sqlite").string();
  REQUIRE(sh(bin + " parse --replay '" + snap.string() + "' --db '" + db + "' --threads 1 >/dev/null 2>&1") == 0);
  REQUIRE(sh(bin + " export dcat --db '" + db + "' --format ttl --out '" + (dir / "cn.ttl").string() +
             "' 2>/dev/null") == 0);
  REQUIRE(sh("rapper -q -i turtle -o ntriples '" + (dir / "cn.ttl").string() + "' >'" + (dir / "cn.nt").string() +
             "'") == 0);
  const auto g = parse_nt(slurp(dir / "cn.nt"));
  // The snapshot's records as `odh warc ls` lists them (one call per WARC file): offset → type, URL.
  std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> records;
  int checked = 0, same_page = 0;
  for (auto& t : g) {
    if (t.p != PROV + "wasDerivedFrom") continue;
    ++checked;
    const std::string rest = t.o.substr(std::string("urn:odh:warc:").size());  // FILE#OFFSET
    const auto hash = rest.find('#');
    REQUIRE(hash != std::string::npos);
    const std::string file = rest.substr(0, hash);
    if (!records.count(file)) {
      const fs::path ls = dir / (file + ".ls");
      REQUIRE(sh(bin + " warc ls '" + (snap / file).string() + "' >'" + ls.string() + "'") == 0);
      std::istringstream in(slurp(ls));
      for (std::string line; std::getline(in, line);) {
        std::vector<std::string> cols;
        std::istringstream cs(line);
        for (std::string c; std::getline(cs, c, '\t');) cols.push_back(c);
        if (cols.size() >= 6) records[file][cols[0]] = {cols[2], cols[5]};
      }
    }
    const auto it = records[file].find(rest.substr(hash + 1));
    REQUIRE_MESSAGE(it != records[file].end(), t.o);
    CHECK_MESSAGE(it->second.first == "response", t.o);
    const auto pages = objects(g, t.s, DCAT + "landingPage");
    if (!pages.empty() && pages[0] == it->second.second) ++same_page;
  }
  // Every dataset of the snapshot has its record (133 in tests/snapshots/cn).
  CHECK(checked == static_cast<int>(objects_of_type(g, DCAT + "Dataset")));
  CHECK(checked > 100);
  // Detail-page families: the record is the landing page itself (API families fetch elsewhere).
  CHECK(same_page * 2 > checked);
}
