// Pages every simulated portal has whatever its family: home, robots.txt, terms pages
// (用户协议 / 免责声明 / 网站声明), the application listing, login wall, default downloads,
// and the spider-trap calendar. Paths are invented where no family notes give them.
#include "sim/common.h"

namespace odh::sim {

namespace {

std::string place(const Portal& p) {
  return !p.site.county.empty() ? p.site.county : !p.site.city.empty() ? p.site.city : p.site.province;
}

std::string nav(const HostCtx& ctx, const Family* fam) {
  const Portal& p = ctx.first();
  std::string o = "<div class=\"nav\"><ul>\n<li><a href=\"/\">首页</a></li>\n";
  for (const auto* q : ctx.portals)
    for (const auto& [href, label] : fam->home_links(*q))
      o += "<li><a href=\"" + esc(href) + "\">" + esc(label) + "</a></li>\n";
  if (p.n_apps > 0) o += "<li><a href=\"/apps/index.html\">数据应用</a></li>\n";
  o += "</ul></div>\n";
  return o;
}

std::string footer(const Portal& p, bool trap) {
  std::string o = "<div class=\"footer\"><p>";
  for (const auto& t : p.terms) o += "<a href=\"" + t.path + "\">" + t.kind + "</a> | ";
  o += "<a href=\"/about.html\">关于我们</a></p>";
  if (trap) o += "<p><a href=\"/calendar/2021/06/\">活动日历</a></p>";
  o += "<p>主办单位：" + esc(place(p)) + "人民政府办公室 承办单位：" + esc(place(p)) + "大数据发展管理局</p></div>";
  return o;
}

}  // namespace

std::string robots_txt(const Portal& p, const RobotsSpec* spec, int* status) {
  *status = 200;
  RobotsSpec r;
  if (spec) r = *spec;
  if (r.mode == "default") {
    // Inferred mix: many government sites have no robots.txt at all.
    std::uint64_t h = mix(p.key, 4242) % 100;
    if (h < 45) {
      *status = 404;
      return html_page("404", "<h1>404 Not Found</h1>");
    }
    r.mode = "allow";
    r.disallow = {"/admin/", "/login"};
    if (h >= 90) r.crawl_delay = 2;
  }
  if (r.mode == "404") {
    *status = 404;
    return html_page("404", "<h1>404 Not Found</h1>");
  }
  if (r.mode == "500") {
    *status = 500;
    return html_page("500", "<h1>500 Internal Server Error</h1>");
  }
  std::string o = "User-agent: *\n";
  if (r.mode == "disallow" && r.disallow.empty()) o += "Disallow: /\n";
  for (const auto& d : r.disallow) o += "Disallow: " + d + "\n";
  if (r.mode == "allow" && r.disallow.empty()) o += "Disallow:\n";
  if (r.crawl_delay > 0) o += "Crawl-delay: " + std::to_string(r.crawl_delay) + "\n";
  return o;
}

std::string home_page(const HostCtx& ctx, const Family* fam, bool trap) {
  const Portal& p = ctx.first();
  std::string body = "<div class=\"header\"><h1>" + esc(p.site.name) + "</h1></div>\n" + nav(ctx, fam);
  body += "<div class=\"stats\"><span>数据集 <b>" + std::to_string(p.n_datasets) + "</b></span> <span>数据接口 <b>" +
          std::to_string(p.n_apis) + "</b></span> <span>数据应用 <b>" + std::to_string(p.n_apps) + "</b></span></div>\n";
  if (!p.topics.empty()) {
    body += "<div class=\"topics\"><h3>主题分类</h3><ul>";
    for (const auto& t : p.topics) body += "<li>" + esc(t) + "</li>";
    body += "</ul></div>\n";
  }
  body += footer(p, trap);
  return html_page(p.site.name, body);
}

bool serve_common(const HostCtx& ctx, const Family* fam, const Req& req, Resp& resp, bool trap) {
  const Portal& p = ctx.first();
  const std::string& path = req.path;
  for (const auto& t : p.terms) {
    if (path != t.path) continue;
    std::string body = "<div class=\"article\"><h1 class=\"title\">" + esc(t.kind) + "</h1>\n<div class=\"content\">\n";
    int n = 1;
    for (const auto& c : t.clauses) body += "<p>" + std::to_string(n++) + "、" + esc(c) + "</p>\n";
    body += "</div></div>\n" + footer(p, false);
    resp.html(html_page(t.kind + "-" + p.site.name, body));
    return true;
  }
  if (path == "/apps/index.html" || path == "/apps/" || path == "/apps") {
    // App listing: 10 per page, ?page=N from 1 (inferred layout).
    std::int64_t page = std::max<std::int64_t>(1, to_int(req.param("page", "1"), 1));
    auto [a, b] = page_range(p.n_apps, page, 10, 1);
    std::string body = "<div class=\"app-list\"><div class=\"total\">共<span class=\"num\">" +
                       std::to_string(p.n_apps) + "</span>个应用</div><ul>\n";
    for (std::int64_t i = a; i < b; ++i) {
      App app = p.app(i);
      body += "<li class=\"app-item\"><a class=\"app-name\" href=\"" + app.url + "\">" + esc(app.name) +
              "</a><span class=\"app-type\">" + esc(app.type) + "</span><span class=\"app-dev\">" +
              esc(app.developer) + "</span><span class=\"app-date\">" + app.date + "</span><span class=\"app-views\">" +
              std::to_string(app.views) + "</span></li>\n";
    }
    body += "</ul></div>\n";
    if (b < p.n_apps) body += "<a class=\"next\" href=\"/apps/index.html?page=" + std::to_string(page + 1) + "\">下一页</a>";
    resp.html(html_page("数据应用-" + p.site.name, body));
    return true;
  }
  if (path.rfind("/apps/detail/", 0) == 0) {
    std::int64_t i = to_int(path.substr(13), -1) - 100;
    if (i < 0 || i >= p.n_apps) return resp.not_found(), true;
    App app = p.app(i);
    std::string body = "<div class=\"app-detail\"><h1>" + esc(app.name) + "</h1><table>" + "<tr><td>应用类型</td><td>" +
                       esc(app.type) + "</td></tr><tr><td>开发者</td><td>" + esc(app.developer) +
                       "</td></tr><tr><td>发布时间</td><td>" + app.date + "</td></tr><tr><td>浏览量</td><td>" +
                       std::to_string(app.views) + "</td></tr><tr><td>应用简介</td><td>" + esc(app.desc) +
                       "</td></tr></table></div>";
    resp.html(html_page(app.name, body));
    return true;
  }
  if (path == "/login" || path == "/login.html") {
    resp.html(html_page("用户登录", "<form class=\"login\" method=\"post\" action=\"/login\"><p>请先登录后下载数据</p>"
                                   "<input name=\"username\"><input type=\"password\" name=\"password\">"
                                   "<button type=\"submit\">登录</button></form>"));
    return true;
  }
  if (path.rfind("/file/download/", 0) == 0) {
    // /file/download/<hex32 of dataset>/<k>.<ext>
    std::string rest = path.substr(15);
    auto slash = rest.find('/');
    if (slash == std::string::npos) return resp.not_found(), true;
    auto idx = hex32_index(p.key, rest.substr(0, slash));
    std::size_t k = static_cast<std::size_t>(to_int(rest.substr(slash + 1), -1));
    if (!idx) return resp.not_found(), true;
    serve_dataset_file(p, *idx, k, resp);
    return true;
  }
  if (trap && path.rfind("/calendar/", 0) == 0) {
    // Spider trap: every month links the previous and next month and each day, forever.
    int y = 2021, m = 6;
    std::sscanf(path.c_str(), "/calendar/%d/%d", &y, &m);
    auto ym = [](int yy, int mm) {
      while (mm < 1) mm += 12, --yy;
      while (mm > 12) mm -= 12, ++yy;
      char b[32];
      std::snprintf(b, sizeof b, "/calendar/%04d/%02d/", yy, mm);
      return std::string(b);
    };
    std::string body = "<div class=\"calendar\"><a href=\"" + ym(y, m - 1) + "\">上一月</a> <a href=\"" + ym(y, m + 1) +
                       "\">下一月</a><ul>";
    for (int d = 1; d <= 28; ++d) body += "<li><a href=\"" + ym(y, m) + "?day=" + std::to_string(d) + "\">" + std::to_string(d) + "</a></li>";
    resp.html(html_page("活动日历", body + "</ul></div>"));
    return true;
  }
  if (path == "/about.html") {
    resp.html(html_page("关于我们", "<p>" + esc(p.site.name) + "是" + esc(place(p)) + "政府数据统一开放平台。</p>"));
    return true;
  }
  return false;
}

}  // namespace odh::sim
