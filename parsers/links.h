// parsers/links.h — what a probe of a download link found (issue 16 item 4; part of parsers.h's contract).
//
// The harvest's file stage fetches a distribution's URL (HEAD, or a GET of its first bytes) through the
// crawler; classify_link() reads the answer — status, where redirects ended, headers and the first bytes
// of the body — and names one class, so "the link is dead" can be told apart from "the file is behind a
// login" or "an HTML page came where a CSV was promised" (docs/files.md has the table with examples).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "web/fetch.h"

namespace odh {

struct LinkVerdict {
  // ok | not-found | server-error | timeout | unreachable | login-wall | approval-required | challenge |
  // wrong-content | client-error; "not-checked" when the request was never sent (robots, scope, policy).
  std::string link_class;
  std::optional<bool> live;  // true only for ok; nullopt for not-checked
  std::string evidence;      // the status, the redirect target or the phrase that decided (bounded)
  // A HEAD answer that cannot decide (HTML or no type, 405/501, 400/403 without a body): GET the first
  // bytes before judging. Never set for a GET.
  bool needs_get = false;
};

// `declared` is the distribution's normalized format label ("" when none). Reads at most the first
// 64 KiB of the body; never throws.
LinkVerdict classify_link(const FetchResult& result, std::string_view declared);

}  // namespace odh
