// The terms rules (data/terms/rules.yaml through parsers/terms.h) against hand-labelled truth written for
// these tests: tests/terms/clauses.tsv (single clauses) and tests/terms/documents.tsv (whole documents in
// tests/terms/docs/, HTML or text). Each right must agree with the labels on at least 90 % of the items;
// the confusion (label -> verdict counts) is printed per right so a rule change shows what it moved.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>
#include <sstream>
#include <string>
#include <vector>

#include "core/core.h"
#include "parsers/terms.h"

using namespace odh;

namespace {

const std::filesystem::path kDir = std::filesystem::path(ODH_SOURCE_DIR) / "tests" / "terms";
const terms::Aspect kRights[] = {terms::Aspect::kFreeAccess, terms::Aspect::kNonDiscrimination,
                                 terms::Aspect::kFreeUse, terms::Aspect::kFreeSharing};

struct Item {
  std::string name;                 // file:line or document file
  std::vector<std::string> labels;  // one per right, in kRights order
  std::string text;
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string f; std::getline(ss, f, '\t');) out.push_back(f);
  return out;
}

// Rows of a labelled TSV: four labels, then the clause text (clauses.tsv) or a file under docs/.
std::vector<Item> load(const std::string& tsv, bool documents) {
  std::vector<Item> items;
  std::ifstream in(kDir / tsv);
  REQUIRE(in);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    auto f = split_tabs(line);
    INFO(tsv << ":" << n);
    REQUIRE(f.size() == 5);
    Item it{tsv + ":" + std::to_string(n), {f[0], f[1], f[2], f[3]}, f[4]};
    if (documents) {
      it.name = f[4];
      std::string raw = read_file(kDir / "docs" / f[4]);
      it.text = raw.find("<html") != std::string::npos ? terms::page_text(raw) : raw;
    }
    items.push_back(std::move(it));
  }
  return items;
}

// Classifies every item, prints the confusion per right and the disagreements, checks ≥ 90 % per right.
void agree(const std::vector<Item>& items, const char* what) {
  std::map<std::string, std::map<std::string, std::map<std::string, int>>> confusion;  // right, label, got
  std::map<std::string, int> ok;
  std::ostringstream misses;
  for (const auto& it : items) {
    auto v = terms::classify(it.text);
    for (size_t r = 0; r < 4; ++r) {
      const std::string right = terms::aspect_id(kRights[r]);
      const std::string& got = v[r].verdict;
      ++confusion[right][it.labels[r]][got];
      if (got == it.labels[r])
        ++ok[right];
      else
        misses << "  " << it.name << " " << right << ": labelled " << it.labels[r] << ", got " << got << " ["
               << v[r].rule << "] " << v[r].evidence << "\n";
    }
  }
  std::cout << what << " (" << items.size() << " items)\n";
  for (const auto a : kRights) {
    const std::string right = terms::aspect_id(a);
    std::cout << "  " << right << ": " << ok[right] << "/" << items.size() << " agree; label -> verdict:";
    for (const auto& [label, row] : confusion[right])
      for (const auto& [got, n] : row) std::cout << " " << label << "->" << got << " " << n << ";";
    std::cout << "\n";
  }
  std::cout << misses.str();
  for (const auto a : kRights) {
    const std::string right = terms::aspect_id(a);
    INFO(what << " " << right);
    CHECK(ok[right] * 10 >= static_cast<int>(items.size()) * 9);
  }
}

}  // namespace

TEST_CASE("labelled clauses: at least 60, at least 90 % agreement per right") {
  auto items = load("clauses.tsv", false);
  CHECK(items.size() >= 60);
  agree(items, "clauses");
}

TEST_CASE("labelled whole documents: at least 15, at least 90 % agreement per right") {
  auto items = load("documents.tsv", true);
  CHECK(items.size() >= 15);
  agree(items, "documents");
}

TEST_CASE("every label is in the report's vocabulary, and so is every verdict the rules can give") {
  const std::map<std::string, std::vector<std::string>> vocab = {
      {"free_access", {"不限时免费", "现阶段免费", "未提及"}},
      {"non_discrimination", {"保障", "未提及"}},
      {"free_use", {"保障", "受限", "未提及"}},
      {"free_sharing", {"可自由传播", "受限", "禁止", "未提及"}},
      {"licence", {"保障", "未提及"}}};
  auto in = [&](const std::string& right, const std::string& w) {
    const auto& l = vocab.at(right);
    return std::find(l.begin(), l.end(), w) != l.end();
  };
  for (const char* tsv : {"clauses.tsv", "documents.tsv"})
    for (const auto& it : load(tsv, false))
      for (size_t r = 0; r < 4; ++r) {
        INFO(it.name);
        CHECK(in(terms::aspect_id(kRights[r]), it.labels[r]));
      }
  for (const auto& rr : terms::default_rules().rights)
    for (const auto& rule : rr.rules) {
      INFO(rule.id);
      CHECK(in(terms::aspect_id(rr.aspect), rule.verdict));
    }
}

TEST_CASE("a rules file with a verdict outside the vocabulary is refused, naming file, line and field") {
  const std::string bad =
      "rights:\n  free_access:\n    rules:\n      - id: paid\n        verdict: 收费\n        all: [[收费]]\n";
  try {
    terms::load_rules_text(bad, "bad.yaml");
    FAIL("accepted 收费");
  } catch (const InputError& e) {
    CHECK(e.file == "bad.yaml");
    CHECK(e.line == 4);
    CHECK(e.field.find("verdict") != std::string::npos);
  }
  CHECK_THROWS_AS(terms::load_rules_text("rights:\n  fairness:\n    rules: []\n", "x.yaml"), InputError);
  CHECK_THROWS_AS(terms::load_rules_text("rights: [", "x.yaml"), InputError);
}

TEST_CASE("an edited rules file changes the verdict (the rules are data)") {
  const std::string text = "本平台数据可供查阅。";
  CHECK(terms::classify(text)[0].verdict == "未提及");
  auto rules = terms::load_rules_text(
      "rights:\n  free_access:\n    rules:\n      - id: look\n        verdict: 不限时免费\n"
      "        all: [[可供查阅]]\n",
      "edited.yaml");
  auto v = terms::classify(text, rules);
  CHECK(v[0].verdict == "不限时免费");
  CHECK(v[0].rule == "look");
  CHECK(v[0].evidence == "本平台数据可供查阅");
}

TEST_CASE("terms pages named 开放许可, 免责条款, 数据使用规范 … are found, footer links included") {
  auto links = terms::find_terms_links(
      "<html><body><a href='/list'>数据目录</a><div class='footer'><a href='/kfxk.html'>开放许可</a>"
      "<a href='/mztk.html'>免责条款</a><a href='/sqxy'>授权协议</a><a href='/gf'>数据使用规范</a>"
      "<a href='/fw'>服务条款</a><a href='/about'>关于我们</a></div></body></html>",
      "http://data.x.gov.cn/", 16);
  REQUIRE(links.size() == 5);
  CHECK(links[0].url == "http://data.x.gov.cn/kfxk.html");
  CHECK(links[1].text == "免责条款");
  CHECK(links[3].text == "数据使用规范");
}

namespace {
int run(const std::string& args, std::string* out) {
  const auto dir = std::filesystem::temp_directory_path() / ("odh-terms-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cmd = std::string(ODH_BINARY) + " terms " + args + " > " + (dir / "out").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  *out = read_file(dir / "out");
  std::filesystem::remove_all(dir);
  return WEXITSTATUS(rc);
}
}  // namespace

TEST_CASE("odh terms classify --json prints each right's verdict, evidence and rule; bad rules exit 1 naming the line") {
  std::string out;
  REQUIRE(run("classify --json " + (kDir / "docs" / "03_wzsm.html").string(), &out) == 0);
  auto j = nlohmann::json::parse(out);
  REQUIRE(j.size() == 1);
  const auto& r = j[0]["rights"];
  CHECK(r["free_access"]["verdict"] == "现阶段免费");
  CHECK(r["free_access"]["evidence"] == "本平台现阶段免费提供数据服务，今后是否收费另行通知");
  CHECK(r["free_use"]["verdict"] == "受限");
  CHECK(r["free_sharing"]["verdict"] == "禁止");
  CHECK(r["free_sharing"]["rule"] == "fs-ban-all");
  CHECK(r["non_discrimination"]["verdict"] == "未提及");
  CHECK(r["non_discrimination"]["evidence"] == "");

  const auto bad = std::filesystem::temp_directory_path() / ("odh-bad-rules-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream f(bad);
    f << "rights:\n  non_discrimination:\n    rules:\n      - id: x\n        verdict: 受限\n        all: [[注册]]\n";
  }
  CHECK(run("classify --rules " + bad.string() + " " + (kDir / "docs" / "02_mzsm.txt").string(), &out) == 1);
  CHECK(out.find(":4: rights.non_discrimination.rules[x].verdict") != std::string::npos);
  std::filesystem::remove(bad);
}
