// parsers/session_spider.h — sessions for portals behind cookies: a per-site cookie jar
// (Set-Cookie → Cookie on every later request of the site) and a solver for the Jiasule-style
// JS-cookie gate of ../shared/platforms/open-data-web.md (HTTP 521: stage 1 `document.cookie=<expr>`,
// stage 2 `go({bts, chars, ct, ha})`). When a session expires the portal answers the gate again and
// the spider re-acquires the cookies and re-issues the request (bounded).
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "web/fetch.h"

namespace odh {

// A cookie a gate page asks for.
struct GateCookie {
  std::string name, value;
};

// Solves one gate page body: stage 1 (the cookie expression — concatenated quoted literals) or
// stage 2 (the go() hash challenge, md5/sha1/sha256 over pairs of `chars`). nullopt when the body is
// not a gate page or cannot be solved. Bounded work; never throws.
std::optional<GateCookie> solve_js_cookie_gate(const std::string& body);

// Wraps `inner` (owned): keeps the cookie jar, answers gates, re-issues a gated request at most
// `max_retries` times, then hands the gate answer to `inner` (which records it as an HTTP error).
std::unique_ptr<Spider> make_session_spider(std::unique_ptr<Spider> inner, int max_retries = 12);

}  // namespace odh
