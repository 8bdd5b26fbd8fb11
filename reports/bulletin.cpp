// The monthly bulletin of ../shared/seeds/000–002 for one portal or province (reports.h write_bulletin):
// the seeds' sections and "表 N-M … TOP10" tables, filled with what open portals publish.
#include <algorithm>
#include <map>

#include "core/core.h"
#include "reports/render.h"
#include "reports/reports.h"
#include "store/store.h"

namespace odh::reports {
namespace {

namespace fs = std::filesystem;
using Fmt = Cell::Fmt;

struct Dept {
  std::int64_t datasets = 0, views = 0, downloads = 0;
  bool has_views = false, has_downloads = false;
};

struct Scope {
  std::vector<std::string> ids;                 // portals of the bulletin, registry order
  std::map<std::string, std::string> names;     // id → name
  bool has(const std::string& id) const { return names.count(id) > 0; }
};

Scope scope_of(StoreReader& db, std::int64_t run, const std::string& scope) {
  Scope s;
  db.portal_details(run, [&](const sql::Row& r) {
    if (r.text(0) == scope || r.text(5) == scope) s.ids.push_back(r.text(0)), s.names[r.text(0)] = r.text(1);
  });
  if (s.ids.empty()) throw Failure("run " + std::to_string(run) + " has no portal or province '" + scope + "'");
  return s;
}

struct Totals {
  std::int64_t datasets = 0, apis = 0, apps = 0, views = 0, downloads = 0;
};

Totals totals(StoreReader& db, std::int64_t run, const Scope& s) {
  Totals t;
  auto sum = [&](StoreReader::Counted c) {
    std::int64_t n = 0;
    for (const auto& [id, v] : db.count_by_portal(run, c))
      if (s.has(id)) n += static_cast<std::int64_t>(v);
    return n;
  };
  t.datasets = sum(StoreReader::Counted::kDatasets);
  t.apis = sum(StoreReader::Counted::kApis);
  t.apps = sum(StoreReader::Counted::kApps);
  db.dataset_usage(run, [&](const sql::Row& r) {
    if (!s.has(r.text(0))) return;
    t.views += r.is_null(2) ? 0 : r.i64(2);
    t.downloads += r.is_null(3) ? 0 : r.i64(3);
  });
  return t;
}

std::string change(std::int64_t now, std::optional<std::int64_t> before) {
  if (!before) return "";
  std::int64_t d = now - *before;
  return d == 0 ? "，与上期持平" : (d > 0 ? "，较上期增加 " : "，较上期减少 ") + std::to_string(d > 0 ? d : -d);
}

Table top10(const std::string& id, const std::string& key, const std::string& title, const std::string& column,
            std::vector<std::pair<std::string, std::int64_t>> v, const std::string& note) {
  // Most first; equal values by department name, so the order is stable.
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  Table t;
  t.id = id, t.key = key, t.title = title, t.note = note;
  t.columns = {"序号", "提供部门", column};
  for (std::size_t i = 0; i < v.size() && i < 10; ++i)
    t.rows.push_back({Cell::number(double(i + 1), Fmt::kRank), Cell::str(v[i].first), Cell::number(double(v[i].second), Fmt::kInt)});
  return t;
}

Block text(std::string s) {
  Block b;
  b.kind = Block::Kind::kText;
  b.text = std::move(s);
  return b;
}
Block table(Table t) {
  Block b;
  b.kind = Block::Kind::kTable;
  b.table = std::move(t);
  return b;
}

}  // namespace

ReportFiles write_bulletin(StoreReader& db, const BulletinOptions& o) {
  std::int64_t run = o.run ? o.run : db.latest_run(true);
  if (!run || !db.run_info(run).run_id) throw Failure("the store has no run " + std::to_string(o.run));
  std::int64_t base = o.baseline;
  if (!base)
    if (auto p = db.previous_run(run)) base = *p;
  if (base && !db.run_info(base).run_id) throw Failure("the store has no baseline run " + std::to_string(base));
  const Scope s = scope_of(db, run, o.scope);
  const std::string place = s.ids.size() == 1 ? s.names.at(s.ids[0]) : o.scope;
  const std::string date = db.run_date(run);

  Report r;
  r.lang = "zh";
  r.explain_hint = false;  // the bulletin's numbers are read from the store, not indicator rows
  r.run = run, r.baseline = base;
  r.title = s.ids.size() == 1 ? place + " 月报" : place + "公共数据开放 月报";
  r.subtitle = date.substr(0, 4) + " 年 " + std::to_string(std::atoi(date.substr(5, 2).c_str())) + " 月（odh run " +
               std::to_string(run) + (base ? "，对比 run " + std::to_string(base) : std::string("，无上期")) + "）";
  r.facts = {"范围：" + std::to_string(s.ids.size()) + " 个平台", "采集日期：" + date};
  Chapter ch;
  ch.title = r.title;
  static const char* kNumerals[] = {"一", "二", "三", "四", "五", "六"};
  int sections = 0;  // 三 (the portals side by side) only for a province
  auto heading = [&](const char* name) { return std::string(kNumerals[sections++]) + "、" + name; };

  // 一、总体情况
  Totals now = totals(db, run, s);
  std::optional<Totals> was;
  if (base) was = totals(db, base, scope_of(db, base, o.scope));
  auto opt = [&](std::int64_t Totals::*m) { return was ? std::optional<std::int64_t>((*was).*m) : std::nullopt; };
  Section overall{"", heading("总体情况"), {}};
  overall.blocks.push_back(text("（一）数据开放情况：开放数据集 " + std::to_string(now.datasets) + " 个" + change(now.datasets, opt(&Totals::datasets)) +
                                "；数据接口 " + std::to_string(now.apis) + " 个" + change(now.apis, opt(&Totals::apis)) + "；应用 " +
                                std::to_string(now.apps) + " 个" + change(now.apps, opt(&Totals::apps)) + "。"));
  overall.blocks.push_back(text("（二）数据使用情况：数据集累计浏览 " + std::to_string(now.views) + " 次" +
                                change(now.views, opt(&Totals::views)) + "，累计下载 " + std::to_string(now.downloads) + " 次" +
                                change(now.downloads, opt(&Totals::downloads)) + "。"));
  overall.blocks.push_back(text("说明：月报样例中的数据调度、交换量与服务量（万次）来自共享交换平台的内部日志，开放平台不公布，"
                                "本月报以平台公开的数据集、浏览量、下载量、接口与应用代替。"));
  ch.sections.push_back(std::move(overall));

  // 二、部门数据开放情况: TOP10 by datasets, views, downloads (departments = dataset.publisher).
  std::map<std::string, Dept> depts;
  db.dataset_publishers(run, [&](const sql::Row& r) {
    if (!s.has(r.text(0))) return;
    Dept& d = depts[r.text(1)];
    ++d.datasets;
    if (!r.is_null(2)) d.views += r.i64(2), d.has_views = true;
    if (!r.is_null(3)) d.downloads += r.i64(3), d.has_downloads = true;
  });
  std::vector<std::pair<std::string, std::int64_t>> by_n, by_v, by_d;
  for (const auto& [name, d] : depts) {
    by_n.emplace_back(name, d.datasets);
    if (d.has_views) by_v.emplace_back(name, d.views);
    if (d.has_downloads) by_d.emplace_back(name, d.downloads);
  }
  Section dept{"", heading("部门数据开放情况"), {}};
  dept.blocks.push_back(text("共有 " + std::to_string(depts.size()) + " 个部门提供数据集。"));
  dept.blocks.push_back(table(top10("表 2-1", "bulletin_top_departments_datasets", "部门开放数据集 TOP10", "数据集（个）", by_n,
                                    "部门 = 数据集的提供单位（dataset.publisher）")));
  dept.blocks.push_back(table(top10("表 2-2", "bulletin_top_departments_views", "部门数据浏览量 TOP10", "浏览量（次）", by_v,
                                    "不公布浏览量的部门不参与排名")));
  dept.blocks.push_back(table(top10("表 2-3", "bulletin_top_departments_downloads", "部门数据下载量 TOP10", "下载量（次）", by_d,
                                    "不公布下载量的部门不参与排名")));
  ch.sections.push_back(std::move(dept));

  // 三、市州（平台）数据开放情况 — a province's portals side by side.
  if (s.ids.size() > 1) {
    std::map<std::string, Totals> per;
    for (const auto& [id, v] : db.count_by_portal(run, StoreReader::Counted::kDatasets)) per[id].datasets = static_cast<std::int64_t>(v);
    for (const auto& [id, v] : db.count_by_portal(run, StoreReader::Counted::kApis)) per[id].apis = static_cast<std::int64_t>(v);
    db.dataset_usage(run, [&](const sql::Row& r) {
      per[r.text(0)].views += r.is_null(2) ? 0 : r.i64(2);
      per[r.text(0)].downloads += r.is_null(3) ? 0 : r.i64(3);
    });
    Table t;
    t.id = "表 3-1", t.key = "bulletin_portals", t.title = "各平台数据开放情况";
    t.columns = {"序号", "平台", "数据集（个）", "接口（个）", "浏览量（次）", "下载量（次）"};
    std::vector<std::string> ids = s.ids;
    std::stable_sort(ids.begin(), ids.end(), [&](auto& a, auto& b) { return per[a].datasets > per[b].datasets; });
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const Totals& x = per[ids[i]];
      t.rows.push_back({Cell::number(double(i + 1), Fmt::kRank), Cell::str(s.names.at(ids[i])), Cell::number(double(x.datasets), Fmt::kInt),
                        Cell::number(double(x.apis), Fmt::kInt), Cell::number(double(x.views), Fmt::kInt),
                        Cell::number(double(x.downloads), Fmt::kInt)});
    }
    Section sec{"", heading("各平台数据开放情况"), {}};
    sec.blocks.push_back(table(std::move(t)));
    ch.sections.push_back(std::move(sec));
  }

  // 四、新增和更新数据集 (odh diff against the baseline).
  Section news{"", heading("新增和更新数据集"), {}};
  if (!base) {
    news.blocks.push_back(text("本期为首次采集，无上期可比。"));
  } else {
    auto d = metrics::diff_runs(db, run, base);
    for (const char* what : {"added", "changed"}) {
      Table t;
      bool added = std::string(what) == "added";
      t.id = added ? "表 4-1" : "表 4-2";
      t.key = added ? "bulletin_new_datasets" : "bulletin_updated_datasets";
      t.title = added ? "新增数据集" : "更新数据集";
      t.columns = added ? std::vector<std::string>{"序号", "平台", "数据集"} : std::vector<std::string>{"序号", "平台", "数据集", "变化字段"};
      t.html_rows = 30;
      for (const auto& c : d.records) {
        if (c.kind != "dataset" || c.change != what || !s.has(c.portal)) continue;
        std::vector<Cell> row = {Cell::number(double(t.rows.size() + 1), Fmt::kRank), Cell::str(s.names.at(c.portal)),
                                 Cell::str(c.title.empty() ? c.key : c.title)};
        if (!added) {
          std::string f;
          for (const auto& x : c.fields) f += (f.empty() ? "" : "、") + x;
          row.push_back(Cell::str(f));
        }
        t.rows.push_back(std::move(row));
      }
      t.note = std::to_string(t.rows.size()) + " 个（odh diff --run " + std::to_string(run) + " --baseline " + std::to_string(base) + "）";
      news.blocks.push_back(table(std::move(t)));
    }
  }
  ch.sections.push_back(std::move(news));

  // 五、主题分布
  std::map<std::string, std::int64_t> themes;
  db.dataset_usage(run, [&](const sql::Row& r) {
    if (s.has(r.text(0))) ++themes[r.text(1).empty() ? "未分类" : r.text(1)];
  });
  std::vector<std::pair<std::string, std::int64_t>> tv(themes.begin(), themes.end());
  std::sort(tv.begin(), tv.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  Table tt;
  tt.id = "表 5-1", tt.key = "bulletin_themes", tt.title = "数据集主题分布";
  tt.columns = {"序号", "主题", "数据集（个）"};
  for (std::size_t i = 0; i < tv.size(); ++i)
    tt.rows.push_back({Cell::number(double(i + 1), Fmt::kRank), Cell::str(tv[i].first), Cell::number(double(tv[i].second), Fmt::kInt)});
  tt.note = "主题 = 统一主题（dataset.theme）";
  Section th{"", heading("数据主题分布"), {}};
  th.blocks.push_back(table(std::move(tt)));
  ch.sections.push_back(std::move(th));
  r.chapters.push_back(std::move(ch));

  ReportFiles out;
  out.run = run, out.baseline = base;
  fs::create_directories(o.out_dir);
  if (o.formats.count("html")) render_html(r, nullptr, o.out_dir / "bulletin.html"), out.files.push_back((o.out_dir / "bulletin.html").string());
  if (o.formats.count("md")) {
    auto f = render_markdown(r, nullptr, o.out_dir / "bulletin.md");
    out.files.insert(out.files.end(), f.begin(), f.end());
  }
  if (o.formats.count("xlsx")) render_xlsx(r, o.out_dir / "bulletin.xlsx"), out.files.push_back((o.out_dir / "bulletin.xlsx").string());
  if (o.formats.count("csv")) {
    auto f = render_csv(r, o.out_dir / "csv");
    out.files.insert(out.files.end(), f.begin(), f.end());
  }
  return out;
}

}  // namespace odh::reports
