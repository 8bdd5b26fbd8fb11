#include "parsers/terms.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <set>
#include <yaml-cpp/yaml.h>

#include "core/core.h"

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

bool has_any(std::string_view s, const std::vector<std::string>& words) {
  for (const auto& w : words)
    if (s.find(w) != std::string_view::npos) return true;
  return false;
}

// Removes every occurrence of the phrases (so that, e.g., 无需注册 does not count as 注册).
std::string without(std::string s, const std::vector<std::string>& phrases) {
  for (const auto& p : phrases)
    if (!p.empty())
      for (size_t at; (at = s.find(p)) != std::string::npos;) s.erase(at, p.size());
  return s;
}

const Aspect kAspects[] = {Aspect::kFreeAccess, Aspect::kNonDiscrimination, Aspect::kFreeUse,
                           Aspect::kFreeSharing, Aspect::kLicence};

// The report's vocabulary per right (§5.2.3); the rules file may use no other word.
std::vector<std::string> report_vocabulary(Aspect a) {
  switch (a) {
    case Aspect::kFreeAccess:
      return {"不限时免费", "现阶段免费", "未提及"};
    case Aspect::kNonDiscrimination:
    case Aspect::kLicence:
      return {"保障", "未提及"};
    case Aspect::kFreeUse:
      return {"保障", "受限", "未提及"};
    case Aspect::kFreeSharing:
      return {"可自由传播", "受限", "禁止", "未提及"};
  }
  return {};
}

Stance stance_of(std::string_view verdict) {
  int r = verdict_rank(verdict);
  return r <= 0 ? Stance::kNotStated : static_cast<Stance>(r);
}

std::vector<std::string> phrases(const YAML::Node& n, const std::string& file, const std::string& field) {
  std::vector<std::string> out;
  if (!n) return out;
  if (!n.IsSequence()) throw InputError(file, n.Mark().line + 1, field, "expected a list of phrases");
  for (const auto& x : n) {
    if (!x.IsScalar() || x.Scalar().empty())
      throw InputError(file, x.Mark().line + 1, field, "expected a non-empty phrase");
    out.push_back(x.Scalar());
  }
  return out;
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
  // The report's vocabulary (§5.2.3): free access has no 收费 and non-discrimination no 受限/禁止 — a
  // stance beyond a right's words is "not guaranteed", reported as 未提及 (free use: 受限).
  if (s == Stance::kNotStated) return "未提及";
  switch (a) {
    case Aspect::kFreeAccess:
      return s == Stance::kGranted ? "不限时免费" : s == Stance::kLimited ? "现阶段免费" : "未提及";
    case Aspect::kFreeSharing:
      return s == Stance::kGranted ? "可自由传播" : s == Stance::kLimited ? "受限" : "禁止";
    case Aspect::kNonDiscrimination:
    case Aspect::kLicence:
      return s == Stance::kGranted ? "保障" : "未提及";
    case Aspect::kFreeUse:
      return s == Stance::kGranted ? "保障" : "受限";
  }
  return "未提及";
}

Rules load_rules_text(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(file, e.mark.line + 1, "", e.msg);
  }
  if (!root.IsMap()) throw InputError(file, 0, "", "expected a mapping with 'rights'");
  Rules rules;
  rules.source = file;
  rules.mask = phrases(root["mask"], file, "mask");
  const YAML::Node rights = root["rights"];
  if (!rights || !rights.IsMap()) throw InputError(file, 0, "rights", "missing or not a mapping");
  for (const auto& kv : rights) {
    const std::string name = kv.first.Scalar();
    const int line = kv.first.Mark().line + 1;
    auto it = std::find_if(std::begin(kAspects), std::end(kAspects),
                           [&](Aspect x) { return name == aspect_id(x); });
    if (it == std::end(kAspects))
      throw InputError(file, line, "rights." + name,
                       "unknown right (free_access, non_discrimination, free_use, free_sharing, licence)");
    RightRules rr;
    rr.aspect = *it;
    const auto vocab = report_vocabulary(rr.aspect);
    const YAML::Node list = kv.second["rules"];
    if (!list || !list.IsSequence()) throw InputError(file, line, "rights." + name + ".rules", "missing list");
    for (const auto& r : list) {
      Rule rule;
      rule.line = r.Mark().line + 1;
      const std::string where = "rights." + name + ".rules";
      if (!r.IsMap()) throw InputError(file, rule.line, where, "a rule is a mapping (id, verdict, all, none)");
      rule.id = r["id"] ? r["id"].Scalar() : "";
      if (rule.id.empty()) throw InputError(file, rule.line, where + ".id", "missing");
      rule.verdict = r["verdict"] ? r["verdict"].Scalar() : "";
      if (std::find(vocab.begin(), vocab.end(), rule.verdict) == vocab.end()) {
        std::string allowed;
        for (auto& v : vocab) allowed += (allowed.empty() ? "" : " / ") + v;
        throw InputError(file, rule.line, where + "[" + rule.id + "].verdict",
                         "'" + rule.verdict + "' is not in the report's vocabulary for " + name + ": " + allowed);
      }
      const YAML::Node all = r["all"];
      if (!all || !all.IsSequence() || all.size() == 0)
        throw InputError(file, rule.line, where + "[" + rule.id + "].all", "missing list of phrase groups");
      for (const auto& g : all) rule.all.push_back(phrases(g, file, where + "[" + rule.id + "].all"));
      rule.none = phrases(r["none"], file, where + "[" + rule.id + "].none");
      rule.mask = phrases(r["mask"], file, where + "[" + rule.id + "].mask");
      rr.rules.push_back(std::move(rule));
    }
    rules.rights.push_back(std::move(rr));
  }
  return rules;
}

Rules load_rules(const std::filesystem::path& path) { return load_rules_text(read_file(path), path.string()); }

const Rules& default_rules() {
  static const Rules r = load_rules(data_dir() / "terms" / "rules.yaml");
  return r;
}

std::vector<std::string> split_sentences(std::string_view text) {
  std::vector<std::string> out;
  static const std::string_view stops[] = {
      "\xE3\x80\x82", "\xEF\xBC\x81", "\xEF\xBC\x9F", "!", "?", "\n", "\r"};  // 。！？ (not ；)
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

const Rule* match_rule(const Rules& rules, Aspect a, std::string_view sentence) {
  const RightRules* rr = nullptr;
  for (const auto& x : rules.rights)
    if (x.aspect == a) rr = &x;
  if (!rr) return nullptr;
  const std::string s = without(std::string(sentence), rules.mask);
  for (const auto& rule : rr->rules) {
    const std::string t = rule.mask.empty() ? s : without(s, rule.mask);
    bool ok = !has_any(t, rule.none);
    for (size_t g = 0; ok && g < rule.all.size(); ++g) ok = has_any(t, rule.all[g]);
    if (ok) return &rule;
  }
  return nullptr;
}

Stance classify_sentence(Aspect a, std::string_view s, const Rules& rules) {
  const Rule* r = match_rule(rules, a, s);
  return r ? stance_of(r->verdict) : Stance::kNotStated;
}

Stance classify_sentence(Aspect a, std::string_view s) { return classify_sentence(a, s, default_rules()); }

std::vector<Verdict> classify(std::string_view text, const Rules& rules) {
  std::vector<Verdict> v;
  for (auto a : kAspects) v.push_back(Verdict{a, Stance::kNotStated, "", "未提及", ""});
  for (const auto& s : split_sentences(text))
    for (auto& x : v) {
      const Rule* r = match_rule(rules, x.aspect, s);
      if (!r) continue;
      const int rank = verdict_rank(r->verdict);
      if (rank > verdict_rank(x.verdict)) x.stance = stance_of(r->verdict), x.verdict = r->verdict, x.evidence = s,
                                          x.rule = r->id;
    }
  // The open licence: an explicit licence sentence, else free use or free sharing granted.
  auto& lic = v[4];
  if (lic.stance == Stance::kNotStated)
    for (int i : {2, 3})
      if (v[i].stance == Stance::kGranted) {
        lic.stance = Stance::kGranted;
        lic.verdict = "保障";
        lic.evidence = v[i].evidence;
        lic.rule = v[i].rule;
        break;
      }
  return v;
}

std::vector<Verdict> classify(std::string_view text) { return classify(text, default_rules()); }

bool is_terms_title(std::string_view t) {
  if (t.size() > 120) return false;  // a paragraph, not a link name
  return has(t, {"用户协议", "免责声明", "免责条款", "网站声明", "使用条款", "服务条款", "服务协议", "隐私",
                 "法律声明", "版权声明", "开放协议", "使用协议", "许可协议", "开放许可", "授权协议", "用户须知",
                 "使用须知", "数据使用规范", "数据使用协议", "数据使用说明", "数据开放协议", "网站条款", "用户条款",
                 "注册协议", "平台声明", "服务声明"});
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
