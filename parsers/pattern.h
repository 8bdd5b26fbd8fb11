// parsers/pattern.h — regular expressions over portal text (internal to the parsers room).
// RE2, not std::regex: RE2 runs in time linear in the text and without recursion, so a hostile page
// cannot stall the crawl's event loop or overflow its stack. libstdc++'s std::regex recursed once per
// repeated character: 200,000 digits in a TRS createPageHTML call crashed the process.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace odh {

class Pattern {
 public:
  // ECMAScript-like syntax as the family specs write it (\d \s \w, groups, classes); RE2 refuses
  // backreferences and lookaround, which error() then names.
  explicit Pattern(std::string_view re, bool ignore_case = false);
  ~Pattern();
  Pattern(Pattern&&) noexcept;
  Pattern& operator=(Pattern&&) noexcept;
  bool ok() const;
  std::string error() const;
  int groups() const;  // capture groups (0 when broken)
  // First match in `text`: false when none (or the pattern is broken). m[0] = the whole match,
  // m[i] = capture group i ("" when it took no part).
  bool search(std::string_view text, std::vector<std::string>* m = nullptr) const;

 private:
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace odh
