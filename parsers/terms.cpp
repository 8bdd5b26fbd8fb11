#include "parsers/terms.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <set>

#include "web/url.h"
#include "parsers/parsers.h"
#include "parsers/html.h"

namespace odh::terms {
namespace {

using Words = std::initializer_list<std::string_view>;

bool has(std::string_view s, Words words) {
  for (auto w : words)
    if (s.find(w) != std::string_view::npos) return true;
  return false;
}

// Removes every occurrence of the phrases (so that, e.g., 无需注册 does not count as 注册).
std::string without(std::string s, Words phrases) {
  for (auto p : phrases)
    for (size_t at; (at = s.find(p)) != std::string::npos;) s.erase(at, p.size());
  return s;
}

// Prohibitions addressed to the user. 不可 is left out: it occurs in 不可抗力 and 不可分割.
const Words kNeg = {"不得", "禁止", "严禁", "不允许", "不能", "不准", "不予"};
// A prohibition limited to some purposes restricts the right instead of denying it.
const Words kPurpose = {"商业", "营利", "盈利", "超出", "范围", "用途"};
// Prohibitions of unlawful use only: the right is exercised "within the law" (report §5.2.3).
const Words kLawful = {"非法", "违法", "违反法律", "违反国家", "损害", "危害", "侵犯"};
// Permission addressed to the user.
const Words kPermit = {"可以",   "可自由", "自由",     "均可",     "可对", "可用于",
                       "可进行", "允许",   "有权使用", "有权传播", "可将"};
// Conditions on exercising a right (attribution — 注明出处/来源 — is not one: it is an open licence's
// ordinary requirement).
const Words kCondition = {"征得", "同意", "经审核",   "审核通过", "须经", "需经",   "应经",  "仅限",
                          "限于", "约定", "事先申请", "书面申请", "批准", "许可后", "授权后"};

const Words kFee = {"免费", "收费", "费用", "有偿", "付费", "无偿", "缴纳", "计费"};
const Words kFree = {"免费", "不收取", "无偿", "无需付费", "无须付费", "不收费"};
const Words kPaid = {"有偿", "收费", "缴纳", "付费", "计费"};
const Words kNotForever = {"现阶段", "目前",     "暂时",     "暂",      "近期",
                           "试运行", "另行通知", "有权调整", "调整收费"};
const Words kPartial = {"部分", "有条件", "须经", "需经", "方可", "审核"};

const Words kUse = {"使用", "利用", "开发", "加工", "分析", "商业", "用途", "挖掘", "应用"};
const Words kShare = {"传播",   "分享",   "共享", "转载",   "转让", "出售", "转发",
                      "提供给", "第三方", "复制", "再分发", "分发", "转售"};
const Words kEqual = {"平等", "一视同仁", "歧视", "无差别", "同等"};
const Words kRegister = {"注册", "实名", "认证", "用户类型", "不同的数据服务", "登录"};
const Words kNoRegister = {"无需注册登录", "无须注册登录", "无需注册",   "无须注册", "不需要注册",
                           "无需登录",     "无须登录",     "不需要登录", "免注册"};
const Words kOnlySome = {"仅向", "仅对", "仅供", "仅面向", "只向", "只对"};
const Words kLicenceWords = {"开放许可", "许可协议", "授权协议",     "知识共享", "CC BY",    "CC-BY",
                             "CC0",      "ODbL",     "开放数据许可", "授予用户", "授权用户", "许可用户"};

bool about_data(std::string_view s) { return has(s, {"数据", "资源", "信息"}); }

Stance free_access(std::string_view s) {
  const bool fee = has(s, kFee);
  // Access procedures without fee words: "…须经审核同意后方可获取", "…调整数据获取方式".
  const bool procedure = has(s, {"获取数据", "数据获取", "方可获取", "获取方式", "申请获取"}) &&
                         has(s, {"申请", "审核", "方可", "调整", "须经", "需经"});
  if (fee) {
    const bool free = has(s, kFree);
    if (has(s, kPaid) && !free) return Stance::kDenied;
    if (free) return has(s, kNotForever) || has(s, kPartial) ? Stance::kLimited : Stance::kGranted;
    return procedure ? Stance::kLimited : Stance::kNotStated;  // 费用 alone (costs, losses)
  }
  return procedure ? Stance::kLimited : Stance::kNotStated;
}

Stance non_discrimination(std::string_view sv) {
  std::string s = without(std::string(sv), {"不设置歧视", "不设歧视", "非歧视", "无歧视", "不歧视"});
  const bool negated_discrimination = s.size() != sv.size();
  const bool no_register = has(s, kNoRegister);
  s = without(std::move(s), kNoRegister);
  const bool only_some = has(s, kOnlySome) && has(s, {"提供", "开放", "申请"});
  if (only_some || has(s, {"不得申请", "不予提供", "不对外提供"})) return Stance::kDenied;
  if (has(s, kRegister) && has(s, {"须", "需", "应", "必须", "根据", "不同"})) return Stance::kLimited;
  if (negated_discrimination || no_register || has(s, kEqual)) return Stance::kGranted;
  return Stance::kNotStated;
}

// Shared by free use and free sharing: `topic` words say the sentence is about the right.
Stance right_of_data(std::string_view s, Words topic) {
  if (has(s, kFee) || !about_data(s) || !has(s, topic)) return Stance::kNotStated;
  const bool neg = has(s, kNeg);
  if (neg && has(s, kLawful) && !has(s, kPurpose) && !has(s, {"任何形式", "未经"}))
    return has(s, kPermit) ? Stance::kGranted : Stance::kNotStated;
  if (neg) return has(s, kPurpose) ? Stance::kLimited : Stance::kDenied;
  if (has(s, kCondition)) return Stance::kLimited;
  if (has(s, kPermit)) return Stance::kGranted;
  return Stance::kNotStated;
}

std::string_view trim_number(std::string_view s) {
  // Leading "1、", "1.", "（一）", "(1)", "第一条", spaces.
  auto starts = [&](std::string_view p) { return s.substr(0, p.size()) == p; };
  for (bool again = true; again && !s.empty();) {
    again = false;
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1), again = true;
    if (starts("\xE3\x80\x80")) s.remove_prefix(3), again = true;  // ideographic space
    size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i > 0 && i < s.size()) {
      std::string_view rest = s.substr(i);
      if (rest.substr(0, 3) == "\xE3\x80\x81")
        s.remove_prefix(i + 3), again = true;  // 、
      else if (rest[0] == '.' || rest[0] == ')')
        s.remove_prefix(i + 1), again = true;
    }
    if (starts("第")) {
      auto end = s.find("条");
      if (end != std::string_view::npos && end <= 15) s.remove_prefix(end + 3), again = true;
    }
    if (starts("（") || starts("(")) {
      auto end = s.find(starts("（") ? "）" : ")");
      if (end != std::string_view::npos && end <= 12)
        s.remove_prefix(end + (starts("（") ? 3 : 1)), again = true;
    }
  }
  return s;
}

}  // namespace

const char* aspect_id(Aspect a) {
  switch (a) {
    case Aspect::kFreeAccess:
      return "free_access";
    case Aspect::kNonDiscrimination:
      return "non_discrimination";
    case Aspect::kFreeUse:
      return "free_use";
    case Aspect::kFreeSharing:
      return "free_sharing";
    case Aspect::kLicence:
      return "licence";
  }
  return "";
}

const char* verdict_label(Aspect a, Stance s) {
  if (s == Stance::kNotStated) return "未提及";
  switch (a) {
    case Aspect::kFreeAccess:
      return s == Stance::kGranted ? "不限时免费" : s == Stance::kLimited ? "现阶段免费" : "收费";
    case Aspect::kFreeSharing:
      return s == Stance::kGranted ? "可自由传播" : s == Stance::kLimited ? "受限" : "禁止";
    case Aspect::kLicence:
      return s == Stance::kGranted ? "保障" : "未提及";
    default:
      return s == Stance::kGranted ? "保障" : s == Stance::kLimited ? "受限" : "禁止";
  }
}

std::vector<std::string> split_sentences(std::string_view text) {
  std::vector<std::string> out;
  static const std::string_view stops[] = {
      "\xE3\x80\x82", "\xEF\xBC\x81", "\xEF\xBC\x9F", "\xEF\xBC\x9B", "!", "?", ";", "\n", "\r"};  // 。！？；
  if (text.size() > kMaxTermsText) text = text.substr(0, kMaxTermsText);
  size_t start = 0;
  auto flush = [&](size_t end) {
    std::string_view s = trim_number(text.substr(start, end - start));
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (s.size() >= 6 && out.size() < 20000) out.emplace_back(s);
  };
  for (size_t i = 0; i < text.size();) {
    size_t len = 0;
    for (auto st : stops)
      if (text.compare(i, st.size(), st) == 0) {
        len = st.size();
        break;
      }
    if (len) {
      flush(i);
      i += len;
      start = i;
    } else {
      ++i;
    }
  }
  flush(text.size());
  return out;
}

Stance classify_sentence(Aspect a, std::string_view s) {
  switch (a) {
    case Aspect::kFreeAccess:
      return free_access(s);
    case Aspect::kNonDiscrimination:
      return non_discrimination(s);
    case Aspect::kFreeUse:
      return right_of_data(s, kUse);
    case Aspect::kFreeSharing:
      return right_of_data(s, kShare);
    case Aspect::kLicence:
      return has(s, kLicenceWords) && !has(s, kNeg) ? Stance::kGranted : Stance::kNotStated;
  }
  return Stance::kNotStated;
}

std::vector<Verdict> classify(std::string_view text) {
  std::vector<Verdict> v;
  for (auto a : {Aspect::kFreeAccess, Aspect::kNonDiscrimination, Aspect::kFreeUse, Aspect::kFreeSharing,
                 Aspect::kLicence})
    v.push_back(Verdict{a, Stance::kNotStated, ""});
  for (const auto& s : split_sentences(text))
    for (auto& x : v) {
      Stance st = classify_sentence(x.aspect, s);
      if (static_cast<int>(st) > static_cast<int>(x.stance)) x.stance = st, x.evidence = s;
    }
  // The open licence: an explicit licence sentence, else free use or free sharing granted.
  auto& lic = v[4];
  if (lic.stance == Stance::kNotStated)
    for (int i : {2, 3})
      if (v[i].stance == Stance::kGranted) {
        lic.stance = Stance::kGranted;
        lic.evidence = v[i].evidence;
        break;
      }
  return v;
}

bool is_terms_title(std::string_view t) {
  if (t.size() > 120) return false;  // a paragraph, not a link name
  return has(t, {"用户协议", "免责声明", "网站声明", "使用条款", "服务条款", "服务协议", "隐私", "法律声明",
                 "版权声明", "开放协议", "使用协议", "许可协议", "用户须知", "使用须知"});
}

std::string page_text(std::string_view html) {
  HtmlDoc doc(html);
  auto body = doc.select_one("body");
  return (body ? body : doc.root()).text(true);
}

std::vector<PageLink> terms_links(const std::vector<PageLink>& links, size_t limit) {
  std::vector<PageLink> out;
  std::set<std::string_view> seen;
  for (auto& l : links) {
    if (out.size() >= limit) break;
    if (!is_terms_title(l.text) && !is_terms_title(l.title)) continue;
    if (!seen.insert(l.url).second) continue;
    out.push_back(l);
    if (out.back().text.empty()) out.back().text = l.title;
  }
  return out;
}

std::vector<PageLink> find_terms_links(std::string_view html, const std::string& base_url, size_t limit) {
  return terms_links(extract_links(html, base_url, ""), limit);
}

}  // namespace odh::terms
