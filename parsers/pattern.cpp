#include "parsers/pattern.h"

#include <re2/re2.h>

namespace odh {

namespace {
RE2::Options options(bool ignore_case) {
  RE2::Options o;
  o.set_case_sensitive(!ignore_case);
  o.set_log_errors(false);       // a bad spec pattern is reported by the spec loader, not on stderr
  o.set_max_mem(8 << 20);        // bounded DFA memory per pattern
  return o;
}
}  // namespace

Pattern::Pattern(std::string_view re, bool ignore_case)
    : re_(std::make_unique<RE2>(re2::StringPiece(re.data(), re.size()), options(ignore_case))) {}
Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

bool Pattern::ok() const { return re_ && re_->ok(); }
std::string Pattern::error() const { return re_ ? re_->error() : "no pattern"; }
int Pattern::groups() const { return ok() ? re_->NumberOfCapturingGroups() : 0; }

bool Pattern::search(std::string_view text, std::vector<std::string>* m) const {
  if (!ok()) return false;
  const int groups = re_->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> sub(static_cast<size_t>(groups) + 1);
  if (!re_->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED, sub.data(),
                  groups + 1))
    return false;
  if (m) {
    m->clear();
    for (auto& s : sub) m->emplace_back(s.data() ? std::string(s.data(), s.size()) : std::string());
  }
  return true;
}

}  // namespace odh
