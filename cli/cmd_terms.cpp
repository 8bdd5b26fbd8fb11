// odh terms classify FILE... [--json] [--rules FILE]: what terms pages say about the four rights of
// report §5.2.3, offline, so a researcher can check a page by hand (parsers/terms.h, rules in
// data/terms/rules.yaml). odh terms links FILE.html [--base URL]: the terms-page links of a page.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/core.h"
#include "parsers/parsers.h"
#include "web/charset.h"

namespace odh::cli {
namespace {

struct TermsArgs {
  std::vector<std::string> files;
  std::string rules;
  std::string base = "http://localhost/";
  bool json = false;
};

constexpr size_t kMaxFile = 16u << 20;  // bytes read per file

bool looks_like_html(std::string_view s) {
  auto head = s.substr(0, 2048);
  for (auto tag : {"<html", "<HTML", "<body", "<BODY", "<!DOCTYPE", "<!doctype", "<div", "<p>", "<p "})
    if (head.find(tag) != std::string_view::npos) return true;
  return false;
}

// The file as UTF-8 (GBK pages decode through web/charset.h), and its visible text when it is HTML.
std::string file_text(const std::string& path, bool* html = nullptr) {
  std::string bytes = read_file(path);
  if (bytes.size() > kMaxFile) bytes.resize(kMaxFile);
  const bool is_html = looks_like_html(bytes);
  if (html) *html = is_html;
  std::string utf8 = decode_body(bytes, is_html ? "text/html" : "text/plain").text;
  return is_html ? terms::page_text(utf8) : utf8;
}

void run_classify(const TermsArgs& a) {
  terms::Rules custom;
  if (!a.rules.empty()) custom = terms::load_rules(a.rules);
  const terms::Rules& rules = a.rules.empty() ? terms::default_rules() : custom;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : a.files) {
    const auto verdicts = terms::classify(file_text(f), rules);
    if (a.json) {
      nlohmann::json j = {{"file", f}, {"rules", rules.source}};
      for (const auto& v : verdicts)
        j["rights"][terms::aspect_id(v.aspect)] = {
            {"verdict", v.verdict}, {"evidence", v.evidence}, {"rule", v.rule}};
      out.push_back(j);
      continue;
    }
    std::cout << f << "\n";
    for (const auto& v : verdicts) {
      std::cout << "  " << terms::aspect_id(v.aspect) << "\t" << v.verdict;
      if (!v.evidence.empty()) std::cout << "\t[" << v.rule << "] " << v.evidence;
      std::cout << "\n";
    }
  }
  if (a.json) std::cout << out.dump(2) << "\n";
}

void run_links(const TermsArgs& a) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : a.files) {
    std::string bytes = read_file(f);
    if (bytes.size() > kMaxFile) bytes.resize(kMaxFile);
    const std::string html = decode_body(bytes, "text/html").text;
    for (const auto& l : terms::find_terms_links(html, a.base, 32)) {
      if (a.json)
        out.push_back({{"file", f}, {"text", l.text}, {"url", l.url}});
      else
        std::cout << f << "\t" << l.text << "\t" << l.url << "\n";
    }
  }
  if (a.json) std::cout << out.dump(2) << "\n";
}

CommandRegistrar reg(45, [](CLI::App& app) {
  auto args = std::make_shared<TermsArgs>();
  auto* t = app.add_subcommand("terms", "Read terms pages offline: the four rights of report §5.2.3 and links");
  t->require_subcommand(1);
  auto* c = t->add_subcommand(
      "classify", "Verdict per right (report vocabulary) with its evidence sentence and rule, per file");
  c->add_option("FILE", args->files, "terms page: HTML or plain text, UTF-8 or GBK")->required()->check(
      CLI::ExistingFile);
  c->add_option("--rules", args->rules, "rules file (default data/terms/rules.yaml under $ODH_DATA_DIR)")
      ->check(CLI::ExistingFile);
  c->add_flag("--json", args->json, "print JSON");
  c->callback([args] { run_classify(*args); });
  auto* l = t->add_subcommand("links", "Links of an HTML page that name a terms page (用户协议, 免责条款 …)");
  l->add_option("FILE", args->files, "HTML page")->required()->check(CLI::ExistingFile);
  l->add_option("--base", args->base, "URL the page was fetched from (resolves relative links)");
  l->add_flag("--json", args->json, "print JSON");
  l->callback([args] { run_links(*args); });
});

}  // namespace
}  // namespace odh::cli
