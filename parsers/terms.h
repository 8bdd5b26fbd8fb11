// parsers/terms.h — a portal's terms pages (用户协议, 免责声明, 网站声明, 服务条款, 隐私政策 …) and what
// they say about the four rights of report §5.2.3 plus the open licence (开放授权):
//
//   aspect              granted        limited      denied   not stated
//   free_access         不限时免费     现阶段免费   收费     未提及     (免费获取)
//   non_discrimination  保障           受限         禁止     未提及     (非歧视性)
//   free_use            保障           受限         禁止     未提及     (自由利用)
//   free_sharing        可自由传播     受限         禁止     未提及     (自由传播与分享)
//   licence             保障           —            —        未提及     (开放授权: free use or free sharing
//                                                                       granted, or an explicit licence)
//
// The classifier is rule based and documented sentence by sentence in docs/parsers.md ("Terms pages"):
// a page's text is split into sentences; a sentence speaks about a right when it has that right's topic
// words (fees; equal treatment/registration; use of data; spreading of data); its stance comes from
// cue words with their negations (可以自由… grants, 须征得…同意 / 未经许可不得用于商业目的 limit,
// 不得转让 / 未经许可不得…使用 deny). Across sentences and pages the most restrictive stance wins
// (denied > limited > granted > not stated); the evidence is the first sentence with that stance.
// Pure functions, thread-safe, bounded on hostile input (text capped at kMaxTermsText bytes).
#pragma once
#include <cstdint>
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
  std::string evidence;  // the sentence behind the stance ("" when not stated)
};

// Sentences of a text: split on 。！？；!?; and line breaks, clause numbers (1、 （一） 第一条) removed.
std::vector<std::string> split_sentences(std::string_view text);
// What one sentence says about one of the four rights (kLicence: an explicit licence grant).
Stance classify_sentence(Aspect aspect, std::string_view sentence);
// One verdict per aspect (all five, in enum order) for the text of one or more terms pages.
std::vector<Verdict> classify(std::string_view text);

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
