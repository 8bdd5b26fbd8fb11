// Family parsers end to end: pages shaped per ../shared/platforms/<family>.md, built from the real
// records of ../shared/fixtures-real, crawled by the spec-driven spider; every dataset row must
// equal the real record after normalization.
#include <algorithm>
#include <ctime>
#include <map>

#include "portal_pages.h"

using namespace testutil;
using odh::DatasetRow;

namespace {

// The same record, found by title (portals list in any order).
const DatasetRow* by_title(const odh::MemorySink& s, const std::string& title) {
  for (auto& d : s.datasets)
    if (d.title == title) return &d;
  return nullptr;
}

std::string pages_of(size_t n, size_t size) { return std::to_string((n + size - 1) / size); }

}  // namespace

TEST_CASE("oportal: nanning list + detail pages → the real 2023 records") {
  auto recs = load_json("cn-oportal/gxzf-nanning_oportal_normalized_2023.json");
  const std::string base = "https://nn.data.gxzf.gov.cn";
  std::map<std::string, const json*> by_id;
  for (auto& r : recs) by_id[str(r, "详情页网址").substr(str(r, "详情页网址").rfind('/') + 1)] = &r;
  std::vector<std::string> ids;
  for (auto& [id, r] : by_id) ids.push_back(id);
  auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
    if (q.url.rfind(base + "/nn/catalog/index?page=", 0) == 0) {
      int page = std::stoi(param(q.url, "page"));
      std::string h = "<html><body><div class='top-title'>共<span>" + std::to_string(ids.size()) +
                      "</span>条</div><div class='bottom-content'><ul>";
      for (size_t i = (page - 1) * 10; i < std::min(ids.size(), size_t(page) * 10); ++i) {
        const json& r = *by_id[ids[i]];
        h += "<li><div class='cata-title'><a href='/nn/catalog/" + ids[i] + "'>" + esc(str(r, "标题")) +
             "</a></div><div class='file-type'><ul>";
        for (auto& f : odh::split_formats(str(r, "数据格式"))) h += "<li>" + f + "</li>";
        h += "</ul></div></li>";
      }
      return ok(h + "</ul></div></body></html>");
    }
    if (q.url.rfind(base + "/nn/catalog/", 0) == 0) {
      auto it = by_id.find(q.url.substr(q.url.rfind('/') + 1));
      if (it == by_id.end()) return not_found();
      const json& r = *it->second;
      std::string h = "<html><body><div class='d-head'><ul class='d-title pull-left'><li><h4>" +
                      esc(str(r, "标题")) + "</h4></li></ul><ul class='list-inline'>";
      for (const char* k : {"来源部门", "重点领域", "发布时间", "更新时间", "开放条件"})
        h += std::string("<li>") + k + "：<span class='text-primary'>" + esc(str(r, k)) + "</span></li>";
      h += "</ul></div><ul><li name='basicinfo'><table><tbody>";
      const char* rows[][2] = {
          {"数据量", "所属行业"}, {"更新频率", "部门电话"}, {"部门邮箱", "标签"}, {"描述", nullptr}};
      for (auto& row : rows) {
        h += "<tr>";
        for (const char* k : row) {
          if (!k) continue;
          std::string v = esc(str(r, k));
          if (std::string(k) == "标签") {  // one inline element per tag, separated by \r\n\t as on the page
            std::string t;
            for (auto& tag : odh::split_tags(str(r, k)))
              t += "<span class='tag'>" + esc(tag) + "</span>\r\n\t";
            v = t;
          }
          h += std::string("<td>") + k + "</td><td>" + v + "</td>";
        }
        h += "</tr>";
      }
      return ok(h + "</tbody></table></li></ul></body></html>");
    }
    return not_found();
  };
  size_t n = 0;
  auto sink = crawl(site("nanning", "oportal", base + "/nn/", {{"prefix", "nn"}}), serve, &n);
  REQUIRE(sink.datasets.size() == recs.size());
  CHECK(n == recs.size() + (recs.size() + 9) / 10);
  for (auto& r : recs) {
    const DatasetRow* d = nullptr;
    for (auto& x : sink.datasets)
      if (x.url == str(r, "详情页网址")) d = &x;
    REQUIRE(d);
    CAPTURE(str(r, "标题"));
    CHECK(d->title == odh::trim(str(r, "标题")));
    CHECK(d->publisher == odh::trim(str(r, "来源部门")));
    CHECK(d->topic_raw == odh::trim(str(r, "重点领域")));
    CHECK(d->theme == odh::map_theme(str(r, "重点领域")));
    CHECK(d->issued == odh::trim(str(r, "发布时间")));
    CHECK(d->modified == odh::trim(str(r, "更新时间")));
    CHECK(d->open_condition == odh::normalize_open_condition(str(r, "开放条件")));
    CHECK(d->frequency_raw == odh::trim(str(r, "更新频率")));
    CHECK(d->frequency == odh::normalize_frequency(str(r, "更新频率")));
    CHECK(d->record_count == odh::parse_count(str(r, "数据量")));
    CHECK(d->description == odh::trim(str(r, "描述")));
    CHECK(d->tags == odh::split_tags(str(r, "标签")));
    CHECK(formats_of(*d) == odh::split_formats(str(r, "数据格式")));
    // Click depth: list page k is k clicks from the first, the detail one more.
    size_t pos = std::find(ids.begin(), ids.end(), d->source_id) - ids.begin();
    CHECK(d->depth == static_cast<int>(pos / 10) + 2);
    // Every label kept, and every label of this family known to the dictionary.
    CHECK(d->fields.size() == 12);
    for (auto& f : d->fields) CHECK_MESSAGE(!f.canonical.empty(), f.label);
  }
}

TEST_CASE("odweb: yinchuan offset-paged JSON list + HTML detail → the real records") {
  auto recs = load_json("cn-odweb/yinchuan_odweb_normalized_2023.json");
  const std::string base = "http://data.yinchuan.gov.cn";
  std::map<std::string, const json*> by_id;
  std::vector<std::string> ids;
  for (auto& r : recs) {
    std::string id = param(str(r, "详情页网址"), "cata_id");
    ids.push_back(id);
    by_id[id] = &r;
  }
  std::map<std::string, std::string> code = {{"xls", "1"}, {"xml", "2"}, {"json", "3"}, {"csv", "4"}};
  auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
    if (q.url == base + "/odweb/catalog/catalog.do?method=GetCatalog" && q.method == "POST") {
      if (param(q.body, "length") != "6") return not_found();
      size_t start = std::stoul(param(q.body, "start"));
      json page = {{"recordsTotal", ids.size()}, {"data", json::array()}};
      for (size_t i = start; i < std::min(ids.size(), start + 6); ++i) {
        std::string f;
        for (auto& x : odh::split_formats(str(*by_id[ids[i]], "数据格式")))
          if (code.count(x)) f += code[x] + ",";
        page["data"].push_back({{"cata_id", ids[i]}, {"conf_catalog_format", f.empty() ? json() : json(f)}});
      }
      return ok(page.dump());
    }
    if (q.url.rfind(base + "/odweb/catalog/catalogDetail.htm?cata_id=", 0) == 0) {
      auto it = by_id.find(param(q.url, "cata_id"));
      if (it == by_id.end()) return not_found();
      const json& r = *it->second;
      std::string h = "<div class='detail-header'><span class='detail-title'>" + esc(str(r, "标题")) +
                      "</span></div><div class='detail-info-list tab-body'><ul><li action='data-info'>"
                      "<div class='info-list'><ul>";
      for (const char* k : {"来源部门", "所属主题", "发布时间", "最后更新", "开放状态", "所属行业",
                            "更新频率", "标签", "描述"}) {
        std::string body = std::string(k) == "标签"
                               ? "<div class='info-body' tags='" + esc(str(r, k)) + "'><span>…</span></div>"
                               : "<div class='info-body'>" + esc(str(r, k)) + "</div>";
        h += std::string("<li><div class='info-header'>") + k + "</div>" + body + "</li>";
      }
      return ok(h + "</ul></div></li></ul></div>");
    }
    return not_found();
  };
  auto sink = crawl(site("yinchuan", "odweb", base + "/"), serve);
  REQUIRE(sink.datasets.size() == recs.size());
  size_t i = 0;
  for (auto& d : sink.datasets) {
    const json& r = *by_id.at(d.source_id);
    CAPTURE(str(r, "标题"));
    CHECK(d.url == odh::trim(str(r, "详情页网址")));
    CHECK(d.title == odh::trim(str(r, "标题")));
    CHECK(d.publisher == odh::trim(str(r, "来源部门")));
    CHECK(d.topic_raw == odh::trim(str(r, "所属主题")));
    CHECK(d.issued == odh::normalize_date(str(r, "发布时间")));
    CHECK(d.modified == odh::normalize_date(str(r, "最后更新")));
    if (!str(r, "最后更新").empty()) CHECK(d.modified.size() == 10);  // "2021-4-2" padded
    CHECK(d.open_condition == odh::normalize_open_condition(str(r, "开放状态")));
    CHECK(d.frequency == odh::normalize_frequency(str(r, "更新频率")));
    CHECK(d.tags == odh::split_tags(str(r, "标签"), false));
    CHECK(d.description == odh::trim(str(r, "描述")));
    auto want = odh::split_formats(str(r, "数据格式"));
    want.erase(std::remove(want.begin(), want.end(), "file"),
               want.end());  // the crawler's stand-in for "none"
    CHECK(formats_of(d) == want);
    ++i;
  }
  CHECK(i == 1005);
}

TEST_CASE("guizhou-api: POST JSON list + detail, epoch-ms dates and codes → the real guiyang records") {
  auto recs = load_json("cn-guizhou/guiyang_normalized_2023.json");
  const std::string base = "http://data.guizhou.gov.cn";
  std::map<std::string, std::string> freq_code = {{"每季度", "1"}, {"每月", "2"}, {"每周", "3"},
                                                  {"每天", "4"},   {"实时", "5"}, {"每半年", "6"},
                                                  {"每年", "7"}};
  auto epoch_ms = [](const std::string& ymd) {  // local (UTC+8) midnight, as the portal stores it
    std::tm tm{};
    tm.tm_year = std::stoi(ymd.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(ymd.substr(5, 2)) - 1;
    tm.tm_mday = std::stoi(ymd.substr(8, 2));
    return (static_cast<long long>(timegm(&tm)) - 8 * 3600) * 1000;
  };
  auto id_of = [](const json& r) {
    auto u = str(r, "详情页网址");
    return u.substr(u.rfind('/') + 1);
  };
  std::map<std::string, const json*> by_id;
  for (auto& r : recs) by_id[id_of(r)] = &r;
  auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
    json body = json::parse(q.body, nullptr, false);
    if (q.url == base + "/api/search/data/getDataDirectoryListByParams") {
      if (body["divisionId"] != "520100" || body["pageSize"] != 12) return not_found();
      int page = body["pageIndex"];
      json out = {{"total", recs.size()}, {"data", json::array()}};
      for (size_t i = (page - 1) * 12; i < std::min(recs.size(), size_t(page) * 12); ++i) {
        json item = {{"id", id_of(recs[i])}};
        if (recs[i]["数据格式"].is_array()) item["resourceFormats"] = recs[i]["数据格式"];
        out["data"].push_back(item);
      }
      return ok(out.dump());
    }
    if (q.url == base + "/api/search/data/getDataDetailByDataId") {
      const json& r = *by_id.at(body["id"].get<std::string>());
      json d = {{"name", r["标题"]},
                {"description", r["数据摘要"]},
                {"topicName", r["主题名称"]},
                {"orgName", r["数据提供方"]},
                {"industryName", r["所属行业"]},
                {"createTime", epoch_ms(str(r, "发布时间"))},
                {"updateTime", epoch_ms(str(r, "更新时间"))},
                {"openAttribute", str(r, "开放属性") == "有条件开放" ? 1 : 0},
                {"frequency", std::stoi(freq_code.at(str(r, "更新频率")))}};
      return ok(json{{"code", 200}, {"data", d}}.dump());
    }
    return not_found();
  };
  auto sink = crawl(site("guiyang", "guizhou-api", base + "/", {{"divisionId", "520100"}}), serve);
  REQUIRE(sink.datasets.size() == recs.size());
  for (auto& d : sink.datasets) {
    const json& r = *by_id.at(d.source_id);
    CAPTURE(str(r, "标题"));
    CHECK(d.url == odh::trim(str(r, "详情页网址")));
    CHECK(d.title == odh::trim(str(r, "标题")));
    CHECK(d.description == odh::trim(str(r, "数据摘要")));
    CHECK(d.publisher == odh::trim(str(r, "数据提供方")));
    CHECK(d.topic_raw == odh::trim(str(r, "主题名称")));
    CHECK(d.theme == odh::map_theme(str(r, "主题名称")));  // 默认主题 is a placeholder: unmapped
    CHECK(d.issued == odh::trim(str(r, "发布时间")));
    CHECK(d.modified == odh::trim(str(r, "更新时间")));
    CHECK(d.open_condition == odh::normalize_open_condition(str(r, "开放属性")));
    CHECK(d.frequency == odh::normalize_frequency(str(r, "更新频率")));
    std::vector<std::string> want;
    if (r["数据格式"].is_array())
      for (auto& f : r["数据格式"]) want.push_back(f);
    CHECK(formats_of(d) == want);
  }
}

TEST_CASE("open-data-web: hefei GET JSON list + POST form detail → the real records") {
  auto recs = load_json("cn-open-data-web/hefei_open-data-web_normalized_2023.json");
  const std::string base = "https://www.hefei.gov.cn";
  std::map<std::string, const json*> by_key;  // id|zyId
  std::vector<const json*> order;
  for (auto& r : recs) {
    by_key[param(str(r, "详情页网址"), "id") + "|" + param(str(r, "详情页网址"), "zyId")] = &r;
    order.push_back(&r);
  }
  auto compact = [](const std::string& ymd) {  // cjsj/gxsj are compact yyyyMMdd…
    std::string o;
    for (char c : ymd)
      if (c != '-') o += c;
    return o.empty() ? o : o + "093000";
  };
  auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
    if (q.url.rfind(base + "/open-data-web/kfzy/queryKfZyPage.do?", 0) == 0) {
      int page = std::stoi(param(q.url, "currentPageNo"));
      json out = {{"data", {{"totalPageCount", (order.size() + 9) / 10}, {"result", json::array()}}}};
      for (size_t i = (page - 1) * 10; i < std::min(order.size(), size_t(page) * 10); ++i) {
        auto u = str(*order[i], "详情页网址");
        out["data"]["result"].push_back({{"id", param(u, "id")}, {"zyId", param(u, "zyId")}});
      }
      return ok(out.dump());
    }
    if (q.url == base + "/open-data-web/kfzy/getKfzyDetail.do" && q.method == "POST") {
      auto it = by_key.find(param(q.body, "id") + "|" + param(q.body, "zyId"));
      if (it == by_key.end()) return not_found();
      const json& r = *it->second;
      std::string fj;
      for (auto& f : r["资源格式"])
        if (f != "file") fj += (fj.empty() ? "" : " ") + odh::fold_width(f.get<std::string>());
      std::string gxpl = str(r, "更新频率") == "每年" ? "6" : str(r, "更新频率") == "每两年" ? "8" : "";
      for (auto& c : fj) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      json d = {{"zy", r["标题"]},
                {"tgdwmc", r["提供单位"]},
                {"filedName", r["所属领域"]},
                {"cjsj", compact(str(r, "发布时间"))},
                {"gxsj", compact(str(r, "更新时间"))},
                {"gxpl", gxpl},
                {"zymc", r["摘要信息"]},
                {"fjhzm", fj}};
      return ok(json{{"data", d}}.dump());
    }
    return not_found();
  };
  auto sink = crawl(site("hefei", "open-data-web", base + "/open-data-web/index/index.do"), serve);
  REQUIRE(sink.datasets.size() == recs.size());
  for (auto& d : sink.datasets) {
    auto it = by_key.find(param(d.url, "id") + "|" + param(d.url, "zyId"));
    REQUIRE(it != by_key.end());
    const json& r = *it->second;
    CAPTURE(str(r, "标题"));
    CHECK(d.url == odh::trim(str(r, "详情页网址")));
    CHECK(d.title == odh::trim(str(r, "标题")));
    CHECK(d.publisher == odh::trim(str(r, "提供单位")));
    CHECK(d.topic_raw == odh::trim(str(r, "所属领域")));
    CHECK(d.description == odh::trim(str(r, "摘要信息")));
    CHECK(d.issued == odh::trim(str(r, "发布时间")));
    CHECK(d.modified == odh::trim(str(r, "更新时间")));
    CHECK(d.frequency == odh::normalize_frequency(str(r, "更新频率")));
    std::vector<std::string> want;
    for (auto& f : r["资源格式"])
      if (f != "file") want.push_back(f);
    CHECK(formats_of(d) == want);
  }
}

TEST_CASE("jdop: JSON envelope holding HTML + label: cells → the real 2021 zjzwfw records") {
  auto recs = load_jsonl("cn-jdop/zjzwfw_2021_detail-labels.jsonl");
  const std::string base = "https://data.zjzwfw.gov.cn";
  auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
    if (q.url == base + "/jdop_front/channal/datapubliclist.do" && q.method == "POST") {
      if (param(q.body, "pageNumber") != "1") return ok(json{{"data", "<div></div>"}}.dump());
      std::string h =
          "<div class='total'>共<span class='onColor'>" + std::to_string(recs.size()) + "</span>条</div>";
      for (auto& r : recs)
        h += "<div class='search_result'><a href='../detail/data.do?iid=" + str(r["info"], "id") +
             "&searchString='>" + esc(str(r, "name")) + "</a><p>" + esc(str(r["info"], "desc")) +
             "</p></div>";
      return ok(json{{"data", h}}.dump());
    }
    if (q.url.rfind(base + "/jdop_front/detail/data.do?iid=", 0) == 0) {
      for (auto& r : recs) {
        if (param(q.url, "iid") != str(r["info"], "id")) continue;
        const json& i = r["info"];
        std::string h = "<span class='sjxqTit1'>" + esc(str(r, "name")) + "</span><div class='box1'><table>";
        std::vector<std::pair<std::string, std::string>> kv = {{"摘要", str(i, "desc")},
                                                               {"标签", str(i, "label")},
                                                               {"数据领域", str(r, "topic")},
                                                               {"发布日期", str(i, "time")},
                                                               {"更新日期", str(i, "time_gx")}};
        for (auto& [k, v] : kv) h += "<tr><td>" + k + "：</td><td>" + esc(v) + "</td></tr>";
        h += "<tr style='display:none'><td>hidden</td></tr>";
        return ok(h + "</table></div>");
      }
    }
    return not_found();
  };
  auto sink = crawl(site("zhejiang", "jdop", base + "/"), serve);
  REQUIRE(sink.datasets.size() == 3);
  for (auto& r : recs) {
    const DatasetRow* d = by_title(sink, str(r, "name"));
    REQUIRE(d);
    CHECK(d->source_id == odh::trim(str(r["info"], "id")));
    CHECK(d->url == base + "/jdop_front/detail/data.do?iid=" + str(r["info"], "id") + "&searchString=");
    CHECK(d->description == odh::trim(str(r["info"], "desc")));
    CHECK(d->tags == odh::split_tags(str(r["info"], "label")));
    CHECK(d->tags.size() >= 4);
    CHECK(d->topic_raw == odh::trim(str(r, "topic")));
    CHECK(d->issued == odh::trim(str(r["info"], "time")));
    CHECK(d->modified == odh::trim(str(r["info"], "time_gx")));
  }
}

TEST_CASE("shanghai: raw JSON form body, JSON detail with docType files → the real 2021 records") {
  auto recs = load_jsonl("cn-shanghai/data.sh.gov.cn_2021_detail-labels.jsonl");
  const std::string base = "https://data.sh.gov.cn";
  auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
    if (q.url == base + "/zq/api/data_set/search/") {
      json b = json::parse(q.body, nullptr, false);
      if (b.is_discarded() || !b.contains("pageNum")) return not_found();
      int page = b["pageNum"];
      json out = {{"data", {{"totalPageNum", (recs.size() + 9) / 10}, {"content", json::array()}}}};
      for (size_t i = (page - 1) * 10; i < std::min(recs.size(), size_t(page) * 10); ++i)
        out["data"]["content"].push_back(
            {{"datasetId", "ds" + std::to_string(i)}, {"datasetName", recs[i]["name"]}});
      return ok(out.dump());
    }
    if (q.url.rfind(base + "/zq/api/data_set/ds", 0) == 0) {
      size_t i = std::stoul(q.url.substr((base + "/zq/api/data_set/ds").size()));
      const json& r = recs.at(i);
      const json& in = r["info"];
      json d = {{"dataset_name", r["name"]},
                {"open_list_abstract", in["desc"]},
                {"data_label", in["label"]},
                {"data_domain", r["topic"]},
                {"cou_theme_cls", in["country_topic"]},
                {"create_date", str(in, "time") + "T00:00:00.000+08:00"},
                {"update_date", str(in, "time_gx") + "T10:20:30.000+08:00"},
                {"open_rate", in["time_pl"]},
                {"docType",
                 json::array({{{"name", in["dename"]}, {"path", "/f/1"}, {"file_type", {"xls", "csv"}}}})}};
      return ok(json{{"data", d}}.dump());
    }
    return not_found();
  };
  auto sink = crawl(site("shanghai", "shanghai", base + "/"), serve);
  REQUIRE(sink.datasets.size() == recs.size());
  for (size_t i = 0; i < recs.size(); ++i) {
    const json& r = recs[i];
    const DatasetRow* d = nullptr;
    for (auto& x : sink.datasets)
      if (x.source_id == "ds" + std::to_string(i)) d = &x;
    REQUIRE(d);
    CAPTURE(str(r, "name"));
    CHECK(d->title == odh::trim(str(r, "name")));
    CHECK(d->url == base + "/view/detail/index.html?type=cp&id=ds" + std::to_string(i));
    CHECK(d->description == odh::trim(str(r["info"], "desc")));
    CHECK(d->topic_raw == odh::trim(str(r, "topic")));
    CHECK(d->tags == odh::split_tags(str(r["info"], "label")));
    CHECK(d->issued == odh::trim(str(r["info"], "time")));
    CHECK(d->modified == odh::trim(str(r["info"], "time_gx")));
    CHECK(d->frequency == odh::normalize_frequency(str(r["info"], "time_pl")));
    CHECK(!d->frequency.empty());
    CHECK(formats_of(*d) == std::vector<std::string>{"xls", "csv"});
  }
}

TEST_CASE("beijing: JSON search list + detail text lines → the real 2021 records") {
  // The fixture is 30 pretty-printed JSON objects concatenated.
  std::string all = odh::read_file(fixture("cn-beijing/data.beijing.gov.cn_2021_detail-text.first30.json"));
  std::vector<json> recs;
  size_t b = 0;
  while (b < all.size()) {
    size_t e = all.find("\n}{", b);
    std::string part = all.substr(b, e == std::string::npos ? std::string::npos : e + 2 - b);
    recs.push_back(json::parse(part));
    if (e == std::string::npos) break;
    b = e + 2;
  }
  REQUIRE(recs.size() == 30);
  const std::string base = "https://data.beijing.gov.cn";
  auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
    if (q.url == base + "/cms/web/search") {
      int page = std::stoi(param(q.body, "curPage"));
      json out = {{"page", {{"countPage", 3}}}, {"object", {{"docs", json::array()}}}};
      for (size_t i = (page - 1) * 10; i < std::min(recs.size(), size_t(page) * 10); ++i)
        out["object"]["docs"].push_back({{"url", base + "/zyml/ajg/dept/" + std::to_string(i) + ".htm"}});
      return ok(out.dump());
    }
    if (q.url.rfind(base + "/zyml/ajg/dept/", 0) == 0) {
      size_t i = std::stoul(q.url.substr((base + "/zyml/ajg/dept/").size()));
      std::string info = str(recs.at(i), "info"), lines;
      size_t p = 0;
      while (p < info.size()) {
        size_t e = info.find('#', p);
        if (e == std::string::npos) e = info.size();
        lines += esc(info.substr(p, e - p)) + "<br/>";
        p = e + 1;
      }
      return ok("<div id='zydtCont1'><div class='sjdetails_cardmain_frame'>" + lines + "</div></div>");
    }
    return not_found();
  };
  auto sink = crawl(site("beijing", "beijing", base + "/"), serve);
  REQUIRE(sink.datasets.size() == 30);
  for (size_t i = 0; i < recs.size(); ++i) {
    const json& r = recs[i];
    // Expected from the scraped text: "label\tvalue" pairs joined by '#'.
    std::map<std::string, std::string> kv;
    std::string info = str(r, "info");
    size_t p = 0;
    while (p < info.size()) {
      size_t e = info.find('#', p);
      if (e == std::string::npos) e = info.size();
      std::string line = info.substr(p, e - p);
      // label, then a tab or a run of spaces (both occur), then the value
      if (auto t = line.find_first_of("\t "); t != std::string::npos)
        kv[line.substr(0, t)] = odh::trim(line.substr(t + 1));
      p = e + 1;
    }
    const DatasetRow& d = sink.datasets[i];
    CAPTURE(str(r, "name"));
    CHECK(d.url == base + "/zyml/ajg/dept/" + std::to_string(i) + ".htm");
    CHECK(d.title == kv["资源名称"]);  // `name` of the 2021 crawl is sometimes a list index
    CHECK(d.topic_raw == kv["资源分类"]);
    CHECK(d.publisher == kv["资源所有权单位"]);
    CHECK(d.description == kv["资源摘要"]);
    CHECK(d.tags == odh::split_tags(kv["关键字说明"]));
    CHECK(d.issued == odh::normalize_date(kv["资源出版日期"]));
    if (!kv["资源出版日期"].empty())
      CHECK_MESSAGE(d.issued.size() == 10, kv["资源出版日期"]);  // 2020年12月31日
  }
}

TEST_CASE("family specs: every shipped spec loads; bad specs fail with file:line") {
  auto names = odh::family_names();
  CHECK(names.size() >= 20);
  for (auto& n : names) {
    CAPTURE(n);
    CHECK_NOTHROW(odh::load_family(n));
  }
  auto tmp = fs::temp_directory_path() / "odh_bad_family.yaml";
  std::ofstream(tmp) << "family: bad\nlist:\n  request: \"x\"\n  items: li\n  pagingg: page\n";
  CHECK_THROWS_WITH_AS(odh::load_family_file(tmp),
                       doctest::Contains("odh_bad_family.yaml:5: list.pagingg: unknown key"),
                       odh::InputError);
  fs::remove(tmp);
}
