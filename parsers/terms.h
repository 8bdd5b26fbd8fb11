// parsers/terms.h — a portal's terms pages (用户协议, 免责声明/条款, 网站声明, 服务条款, 开放许可 …) and what
// they say about the four rights of report §5.2.3 plus the open licence (开放授权), in the report's
// vocabulary only:
//
//   aspect              verdicts                               (report name)
//   free_access         不限时免费 / 现阶段免费 / 未提及       (免费获取)
//   non_discrimination  保障 / 未提及                          (非歧视性)
//   free_use            保障 / 受限 / 未提及                   (自由利用)
//   free_sharing        可自由传播 / 受限 / 禁止 / 未提及      (自由传播与分享)
//   licence             保障 / 未提及                          (开放授权: an explicit licence, or free use
//                                                              or free sharing granted)
//
// The rules are data: data/terms/rules.yaml (editable by researchers; format in its header and in
// docs/parsers.md "Terms pages"). A text is split into sentences; per right the first matching rule
// decides a sentence's verdict (scope rules say 未提及: privacy, disclaimers, unlawful-use-only bans);
// across sentences and pages the most restrictive verdict wins (core/records.h verdict_rank), and the
// evidence is the first sentence with it. Checked against the labelled clauses and documents in
// tests/terms/. Pure functions, thread-safe, bounded on hostile input (text capped at kMaxTermsText).
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/records.h"
#include "web/fetch.h"

namespace odh {

namespace terms {

inline constexpr size_t kMaxTermsText = 1 << 20;  // bytes of page text classified

enum class Aspect { kFreeAccess, kNonDiscrimination, kFreeUse, kFreeSharing, kLicence };
enum class Stance { kNotStated = 0, kGranted = 1, kLimited = 2, kDenied = 3 };

const char* aspect_id(Aspect a);                // "free_access" … (terms.aspect)
const char* verdict_label(Aspect a, Stance s);  // "不限时免费" … (terms.verdict)
// Restrictiveness of a stored verdict: odh::verdict_rank (core/records.h), the one vocabulary.

struct Verdict {
  Aspect aspect;
  Stance stance = Stance::kNotStated;
  std::string evidence;         // the sentence behind the verdict ("" when not stated)
  std::string verdict = "未提及";  // the report's word (verdict_label(aspect, stance))
  std::string rule;             // id of the rule that decided it (data/terms/rules.yaml)
};

// One rule of data/terms/rules.yaml: matches a sentence when every group of `all` has a phrase in it,
// after deleting the `mask` phrases, and no phrase of `none` is in it.
struct Rule {
  std::string id, verdict;
  std::vector<std::vector<std::string>> all;
  std::vector<std::string> none, mask;
  int line = 0;  // in the rules file
};
struct RightRules {
  Aspect aspect;
  std::vector<Rule> rules;  // tried in order; the first match decides
};
struct Rules {
  std::string source;              // the file they came from
  std::vector<std::string> mask;   // deleted from every sentence first
  std::vector<RightRules> rights;
};

// Parses a rules file; a bad file throws InputError naming file, line and field (e.g. a verdict
// outside the report's vocabulary for its right).
Rules load_rules(const std::filesystem::path& path);
Rules load_rules_text(const std::string& yaml, const std::string& file_name);
// data_dir()/terms/rules.yaml, loaded once (throws InputError/Failure on a bad or missing file).
const Rules& default_rules();

// Sentences of a text: split on 。！？!? and line breaks (not ；), clause numbers (1、 （一） 第一条) removed.
std::vector<std::string> split_sentences(std::string_view text);
// What one sentence says about one of the four rights (kLicence: an explicit licence grant).
Stance classify_sentence(Aspect aspect, std::string_view sentence, const Rules& rules);
Stance classify_sentence(Aspect aspect, std::string_view sentence);  // default_rules()
// The rule deciding a sentence for a right, or nullptr (no rule matched: not stated).
const Rule* match_rule(const Rules& rules, Aspect aspect, std::string_view sentence);
// One verdict per aspect (all five, in enum order) for the text of one or more terms pages.
std::vector<Verdict> classify(std::string_view text, const Rules& rules);
std::vector<Verdict> classify(std::string_view text);  // default_rules()

// Is this link text or page title the name of a terms page?
bool is_terms_title(std::string_view text);
// The terms-page links among a page's links (web/html_links.h): those whose words (anchor text or
// title) name a terms page, each URL once, document order, at most `limit`; `text` holds the name.
std::vector<PageLink> terms_links(const std::vector<PageLink>& links, size_t limit = 8);
// The same over an HTML text (parses it; for tests and `odh terms`-style offline use).
std::vector<PageLink> find_terms_links(std::string_view html, const std::string& base_url, size_t limit = 8);
// Visible text of an HTML page, one line per block.
std::string page_text(std::string_view html);

}  // namespace terms
}  // namespace odh
