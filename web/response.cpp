// The response rules of web/fetch.h, one implementation for the crawler and the WARC snapshot.
#include <string>

#include "web/content_decoding.h"
#include "web/fetch.h"
#include "web/url.h"

namespace odh {

std::string status_error_class(int status) {
  if (status < 400) return "";
  if (status == 429) return "http-429";
  return status >= 500 ? "http-5xx" : "http-4xx";
}

std::string remove_content_encoding(std::string_view encoding, std::string* body, std::int64_t max_decoded) {
  if (encoding.empty() || encoding == "identity") return "";
  if (!ContentDecoder::supported(encoding)) return "content-encoding-unsupported";
  ContentDecoder dec(encoding, static_cast<std::size_t>(max_decoded));
  std::string out;
  if (dec.feed(*body, &out) && dec.finish(&out)) {
    *body = std::move(out);
    return "";
  }
  return dec.status().code == "too-large" ? "too-large-decoded" : "content-decoding";
}

bool in_site_scope(std::string_view url, const std::vector<std::string>& site_urls) {
  auto u = Url::parse(url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->hostname().empty()) return false;
  if (same_site_scope(*u, site_urls)) return true;
  const std::string host = u->hostname();
  const std::string reg = registrable_domain(host);
  for (const auto& s : site_urls) {
    auto su = Url::parse(s);
    if (!su || su->hostname().empty()) continue;
    const std::string sh = su->hostname();
    const std::string sreg = registrable_domain(sh);
    if (sh == host || sh == reg || sreg == host || sreg == reg) return true;
  }
  return false;
}

RedirectStep next_redirect(const std::string& url, int status, std::string_view location, int hops,
                           int max_redirects, const std::vector<std::string>& site_urls) {
  RedirectStep step;
  if (status < 300 || status >= 400 || status == 304 || location.empty()) return step;
  step.is_redirect = true;
  auto resolved = Url::parse(location, url);
  std::string target = resolved ? normalize_crawl_url(resolved->href()).value_or("") : "";
  auto t = target.empty() ? std::nullopt : Url::parse(target);
  if (!t || (t->scheme() != "http" && t->scheme() != "https") || t->hostname().empty())
    step.error_class = "bad-redirect";
  else if (hops >= max_redirects)
    step.error_class = "redirect-limit";
  else if (target == normalize_crawl_url(url).value_or(""))
    step.error_class = "redirect-loop";
  else if (!in_site_scope(target, site_urls))
    step.error_class = "out-of-scope";
  else
    step.target = std::move(target);
  return step;
}

}  // namespace odh
