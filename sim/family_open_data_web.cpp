// Family `open-data-web` (../shared/platforms/open-data-web.md; Hefei, also Bozhou/Xuancheng).
// Read: GET /open-data-web/kfzy/queryKfZyPage.do?zylxdm=1&currentPageNo=N (from 1)&pageSize=10
// → data.totalPageCount + data.result[].{id,zyId} (ids differ); POST form
// /open-data-web/kfzy/getKfzyDetail.do id=&zyId=&zylx=1&czlx=1 → data.{zy,tgdwmc,filedName,cjsj,
// gxsj (compact yyyyMMddHHmmss),gxpl ("6" 每年, "8" 每两年, ""),zymc,fjhzm ("XLS CSV")}, nulls occur.
// Anti-bot gate (read, open-data-web.md "Anti-bot gate"): three stages, a session required.
//  1. No valid session: HTTP 521, `Set-Cookie: __jsluid_s=<session>` and a script whose
//     `document.cookie=<expr>;location…` sets a first `__jsl_clearance_s`.
//  2. Session + first clearance: HTTP 521 with `;go({...})` — `bts` (2 strings), `chars`, `ct`
//     (hex digest), `ha` (md5|sha1|sha256); the clearance is bts[0]+c1+c2+bts[1] for the pair of
//     characters of `chars` whose hash is `ct`.
//  3. Session + that clearance: the real answer.
// Clearances expire (inferred: Jiasule's max-age 3600 s, or after `session_requests` answers when the
// fault file says so); the session then starts again at stage 1. The expression of stage 1 is a
// concatenation of quoted literals (the real one is obfuscated JS; inferred). zylxdm=2 lists
// APIs (inferred).
#include <openssl/evp.h>

#include <chrono>
#include <mutex>

#include "sim/family.h"

namespace odh::sim {
namespace {

const std::vector<std::string> kGxpl = {"实时", "每日", "每周", "每月", "每季度", "每年", "半年", "每两年"};
std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
struct Session {
  std::int64_t gen = 0;  // clearance generation: an expired clearance starts a new one
  int answered = 0;      // answers in this generation
  std::chrono::steady_clock::time_point born;
};
std::mutex g_mu;
std::map<std::string, Session> g_sessions;     // __jsluid_s value → state (all simulated portals)
std::map<std::uint64_t, std::int64_t> g_next;  // portal key → sessions issued

std::string cookie_value(const std::string& header, const std::string& name) {
  size_t at = 0;
  while (at < header.size()) {
    size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(at, end - at);
    size_t b = part.find_first_not_of(' ');
    if (b != std::string::npos) part = part.substr(b);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    at = end + 1;
  }
  return "";
}

std::string hex_digest(const std::string& algo, const std::string& text) {
  const EVP_MD* md = algo == "md5" ? EVP_md5() : algo == "sha1" ? EVP_sha1() : EVP_sha256();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), out, &n, md, nullptr);
  static const char* hex = "0123456789abcdef";
  std::string h;
  for (unsigned i = 0; i < n; ++i) h += hex[out[i] >> 4], h += hex[out[i] & 15];
  return h;
}

// The two stages of a session: the first clearance, and the go() challenge with its answer.
struct Challenge {
  std::string first, bts0, bts1, chars, ha, answer;
};
Challenge challenge(const std::string& sid, std::int64_t gen) {
  std::uint64_t h = mix(hash_str(sid), static_cast<std::uint64_t>(gen));
  Challenge c;
  std::string stamp =
      std::to_string(1600000000 + h % 100000000) + "." + std::to_string(100 + (h >> 30) % 900);
  c.first = stamp + "|0|" + hex32(h, 1).substr(0, 24);
  c.bts0 = stamp + "|0|" + hex32(h, 2).substr(0, 3);
  c.bts1 = hex32(h, 3).substr(0, 22) + "%3D";
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (int i = 0; i < 22; ++i) c.chars += alphabet[mix(h, 10 + i) % 62];
  static const char* algos[] = {"md5", "sha1", "sha256"};
  c.ha = algos[(h >> 20) % 3];
  c.answer = c.bts0 + c.chars[(h >> 8) % c.chars.size()] + c.chars[(h >> 16) % c.chars.size()] + c.bts1;
  return c;
}

// Applies the gate; true when the request may pass (and counts the answer against the session).
// The session cookie (__jsluid_s) lives long; its clearance expires (3600 s, or `session_requests`
// answers), after which the same session must pass stages 1 and 2 again.
bool gate(const HostCtx& ctx, const Req& req, Resp& resp) {
  const Portal& p = ctx.first();
  std::string cookies = req.header("cookie");
  // cpp-httplib percent-decodes header values, so compare decoded clearances (bts[1] ends in %3D).
  std::string sid = cookie_value(cookies, "__jsluid_s"),
              clear = url_decode(cookie_value(cookies, "__jsl_clearance_s"));
  bool known = false;
  std::int64_t gen = 0;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = g_sessions.find(sid);
    if (it != g_sessions.end()) {
      Session& ss = it->second;
      bool expired = ctx.session_requests > 0
                         ? ss.answered >= ctx.session_requests
                         : std::chrono::steady_clock::now() - ss.born > std::chrono::hours(1);
      if (expired) ss = Session{ss.gen + 1, 0, std::chrono::steady_clock::now()};
      known = true;
      gen = ss.gen;
      if (clear == url_decode(challenge(sid, gen).answer)) {
        ++ss.answered;
        return true;
      }
    } else {
      if (g_sessions.size() > 100000)
        g_sessions.clear();  // bounded: cookie-less clients open one per request
      sid = hex32(mix(p.key, 777), g_next[p.key]++);
      g_sessions[sid] = Session{0, 0, std::chrono::steady_clock::now()};
    }
  }
  Challenge c = challenge(sid, gen);
  resp.status = 521;
  if (!known)
    resp.headers.emplace_back("Set-Cookie", "__jsluid_s=" + sid + "; max-age=31536000; path=/; HttpOnly");
  if (known && clear == url_decode(c.first)) {
    nlohmann::json go = {{"bts", {c.bts0, c.bts1}},
                         {"chars", c.chars},
                         {"ct", hex_digest(c.ha, c.answer)},
                         {"ha", c.ha},
                         {"is", true},
                         {"tn", "__jsl_clearance_s"},
                         {"vt", "3600"},
                         {"wt", "1500"}};
    resp.html("<script>var _0x5a3c=function(){};;go(" + go.dump() + ")</script>");
    return false;
  }
  std::string expr = "('_'+'_jsl_clear'+'ance_s=" + c.first.substr(0, 6) + "'+'" + c.first.substr(6) + "')";
  resp.html("<script>document.cookie=" + expr +
            "+';max-age=3600;path=/';location.href=location.pathname+location.search</script>");
  return false;
}

class OpenDataWeb : public Family {
 public:
  std::string name() const override { return "open-data-web"; }
  void normalize(const Portal&, Dataset& d) const override {
    if (std::find(kGxpl.begin(), kGxpl.end(), d.freq) == kGxpl.end()) d.freq = "每年";
  }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/open-data-web/index/index.do", "数据开放"}};
  }
  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    if (req.path.rfind("/open-data-web/", 0) != 0) return false;
    if (!gate(ctx, req, resp)) return true;
    if (req.path == "/open-data-web/kfzy/queryKfZyPage.do") {
      std::int64_t page = std::max<std::int64_t>(1, to_int(req.param("currentPageNo", "1"), 1));
      std::int64_t size = std::clamp<std::int64_t>(to_int(req.param("pageSize", "10"), 10), 1, 100);
      bool apis = req.param("zylxdm", "1") == "2";
      std::int64_t total = apis ? p.n_apis : p.n_datasets;
      auto [a, b] = page_range(total, page, size, 1);
      nlohmann::json result = nlohmann::json::array();
      for (std::int64_t i = a; i < b; ++i) {
        if (apis) {
          Api x = p.api(i);
          result.push_back({{"id", upper(hex32(mix(p.key, 3), 1000000 + i))},
                            {"zyId", x.id},
                            {"zy", x.title},
                            {"tgdwmc", x.dept}});
        } else {
          Dataset d = p.dataset(i);
          result.push_back({{"id", upper(hex32(mix(p.key, 3), i))},
                            {"zyId", d.id},
                            {"zy", d.title},
                            {"tgdwmc", d.dept},
                            {"llcs", d.views},
                            {"xzcs", d.downloads}});
        }
      }
      resp.json(
          {{"code", "0"},
           {"data", {{"totalPageCount", pages(total, size)}, {"totalCount", total}, {"result", result}}}});
      return true;
    }
    if (req.path == "/open-data-web/kfzy/getKfzyDetail.do") {
      std::string zy = req.field("zyId");
      if (auto i = p.dataset_index(zy)) {
        Dataset d = p.dataset(*i);
        std::string fj;
        for (const auto& f : d.formats) fj += (fj.empty() ? "" : " ") + upper(f);
        resp.json({{"code", "0"},
                   {"data",
                    {{"zy", d.title},
                     {"tgdwmc", d.dept},
                     {"filedName", d.topic},
                     {"cjsj", compact_date(d.published)},
                     {"gxsj", compact_date(d.updated)},
                     {"gxpl", freq_code(d.freq, kGxpl, 1, "")},
                     {"zymc", d.desc},
                     {"fjhzm", fj},
                     {"sjl", d.index % 7 == 0 ? nlohmann::json(nullptr) : nlohmann::json(d.volume)}}}});
        return true;
      }
      if (auto i = p.api_index(zy); i && *i < p.n_apis) {
        Api a = p.api(*i);
        resp.json({{"code", "0"},
                   {"data",
                    {{"zy", a.title},
                     {"tgdwmc", a.dept},
                     {"filedName", a.topic},
                     {"cjsj", compact_date(a.published)},
                     {"gxsj", compact_date(a.updated)},
                     {"gxpl", "1"},
                     {"zymc", a.desc},
                     {"fjhzm", nullptr}}}});
        return true;
      }
      resp.json({{"code", "1"}, {"msg", "资源不存在"}, {"data", nullptr}});
      return true;
    }
    if (req.path == "/open-data-web/file/download.do") {
      auto i = p.dataset_index(req.param("zyId"));
      serve_dataset_file(p, i ? *i : -1, static_cast<std::size_t>(to_int(req.param("k"), 99)), resp);
      return true;
    }
    if (req.path == "/open-data-web/index/index.do" || req.path == "/open-data-web/data/detail-hfs.do") {
      resp.html(html_page(p.site.name,
                          "<div id=\"app\"></div><script src=\"/open-data-web/js/index.js\"></script>"));
      return true;
    }
    return false;
  }
  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string&) const override {
    return "/open-data-web/file/download.do?zyId=" + d.id + "&k=" + std::to_string(k);
  }
};

}  // namespace
std::unique_ptr<Family> make_open_data_web() { return std::make_unique<OpenDataWeb>(); }
}  // namespace odh::sim
