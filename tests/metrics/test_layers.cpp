// Known answers for every indicator on the hand-made store of fixture.cpp.
#include <doctest/doctest.h>

#include <cstdio>

#include "fixture.h"

using namespace odh::metrics;
using doctest::Approx;
using fx::text;
using fx::val;

namespace {
struct Computed {
  fx::Db d;
  Reference ref = fx::reference();
  std::vector<IndicatorRow> rows;
  std::vector<DatasetQuality> dq;
  Computed() {
    fx::fill(d);
    rows = compute_all(d.reader(), 2, ref, &dq);
  }
};
Computed& C() {
  static Computed c;
  return c;
}
}  // namespace

TEST_CASE("platform: counts, coverage by level and tier, kinds") {
  auto& r = C().rows;
  CHECK(val(r, "national", "", "platform.portals") == 4);
  CHECK(val(r, "level", "地市级", "platform.portals") == 2);
  CHECK(val(r, "region", "华南", "platform.portals") == 2);
  CHECK(val(r, "portal", "c", "platform.portals") == 1);
  CHECK(val(r, "region", "华东", "platform.portals_share") == Approx(0.5));
  CHECK(val(r, "level", "省级", "platform.coverage") == Approx(0.5));
  CHECK(val(r, "level", "地市级", "platform.coverage") == Approx(0.5));
  CHECK(val(r, "level", "县区级", "platform.coverage") == Approx(0.1));
  CHECK(val(r, "level", "副省级", "platform.coverage") == Approx(0.0));
  CHECK(val(r, "national", "", "platform.coverage") == Approx(4.0 / 17));
  // County portal c in 广州市 does not give 广州市 a city portal.
  CHECK(val(r, "tier", "一线", "platform.coverage") == Approx(0.0));
  CHECK(val(r, "tier", "新一线", "platform.coverage") == Approx(0.5));
  CHECK(val(r, "tier", "二线", "platform.coverage") == Approx(1.0));
  CHECK(val(r, "national", "", "platform.independent_share") == Approx(0.5));
  CHECK(val(r, "national", "", "platform.embedded_share") == Approx(0.5));
  CHECK(val(r, "tier", "新一线", "platform.embedded_share") == Approx(1.0));
}

TEST_CASE("platform: year over year against the previous run") {
  auto& r = C().rows;
  CHECK(val(r, "national", "", "platform.new_portals") == 2);
  CHECK(val(r, "national", "", "platform.cancelled_portals") == 1);
  CHECK(val(r, "region", "东北", "platform.cancelled_portals") == 1);
  CHECK(val(r, "national", "", "platform.to_independent") == 1);
  CHECK(val(r, "national", "", "platform.to_embedded") == 0);
}

TEST_CASE("platform: reachability, content, topics, capacity") {
  auto& r = C().rows;
  CHECK(val(r, "national", "", "platform.reachable_share") == Approx(0.75));
  CHECK(val(r, "national", "", "platform.publishing") == 2);
  CHECK(val(r, "national", "", "platform.publishing_share") == Approx(0.5));
  CHECK(val(r, "national", "", "platform.error_class") == 1);
  CHECK(text(r, "national", "", "platform.error_class") == "dns=1");
  CHECK(text(r, "portal", "d", "platform.error_class") == "dns");
  CHECK(val(r, "national", "", "platform.datasets") == 4);
  CHECK(val(r, "portal", "c", "platform.datasets") == 0);
  CHECK(val(r, "national", "", "platform.datasets_mean") == Approx(2));
  CHECK(val(r, "national", "", "platform.datasets_median") == Approx(2));
  CHECK(val(r, "national", "", "platform.datasets_above_mean") == 1);
  CHECK(val(r, "national", "", "platform.datasets_below_mean") == 1);
  // The report's top-10 share: the largest portal's share of the top 10 (3 of 4); of all datasets: 1.
  CHECK(val(r, "national", "", "platform.datasets_top10") == Approx(0.75));
  CHECK(val(r, "national", "", "platform.datasets_top10_of_all") == Approx(1.0));
  CHECK(text(r, "national", "", "platform.datasets_top10") == "a=3;b=1");
  CHECK(val(r, "portal", "a", "platform.apis") == 1);
  CHECK(val(r, "national", "", "platform.api_share") == Approx(0.5));
  CHECK(val(r, "national", "", "platform.zero_api_portals") == 1);
  CHECK(val(r, "portal", "a", "platform.topics") == 3);
  CHECK(val(r, "portal", "b", "platform.topics") == 1);  // from its datasets' topic names
  CHECK(val(r, "national", "", "platform.topics") == Approx(2));
  CHECK(val(r, "national", "", "platform.topics_lt3") == 1);
  CHECK(val(r, "national", "", "platform.topic_names") == 4);
  CHECK(val(r, "portal", "a", "platform.capacity") == 30);  // from the file (10×3), not metadata (100×5)
  // b's only distribution is an ftp link: not downloadable, so its 1e6 × 200 metadata does not count.
  CHECK_FALSE(val(r, "portal", "b", "platform.capacity").has_value());
  CHECK_FALSE(val(r, "portal", "c", "platform.capacity").has_value());
  CHECK(val(r, "national", "", "platform.capacity_computable") == 1);
  CHECK(val(r, "national", "", "platform.capacity_gt_1e8") == 0);
  CHECK(val(r, "national", "", "platform.capacity_lt_1e7") == 1);
}

TEST_CASE("metadata: element usage, groups, labels, conformance") {
  auto& r = C().rows;
  CHECK(val(r, "portal", "a", "metadata.element.gov13.name") == Approx(1.0));
  CHECK(val(r, "national", "", "metadata.element.gov13.name") == Approx(1.0));
  CHECK(val(r, "portal", "a", "metadata.element.gov13.abstract") == Approx(1.0 / 3));
  CHECK(val(r, "national", "", "metadata.element.gov13.abstract") == Approx(0.5));
  CHECK(val(r, "national", "", "metadata.element.dc15.language") == Approx(0.0));
  CHECK_FALSE(val(r, "portal", "c", "metadata.element.dc15.title").has_value());
  CHECK(val(r, "portal", "a", "metadata.element.dcat.download_url") == Approx(2.0 / 3));
  auto g = val(r, "portal", "b", "metadata.group.provenance");
  REQUIRE(g);
  CHECK(*g > 0);
  CHECK(*g < 1);
  CHECK(val(r, "national", "", "metadata.standard.gov13").has_value());
  CHECK(val(r, "national", "", "metadata.label_variants.publisher") == 2);
  CHECK(text(r, "national", "", "metadata.label_variants.publisher") == "数据提供方=1;来源部门=1");
  CHECK(val(r, "portal", "a", "metadata.frequency_nonstandard") == Approx(0.5));
  CHECK(val(r, "portal", "b", "metadata.frequency_nonstandard") == Approx(0.0));
  CHECK(val(r, "portal", "a", "metadata.size_without_unit") == Approx(0.5));
  // a: one link probed live, one dead, one never probed → 1 bad of the 2 judged; 2 of 3 links checked.
  CHECK(val(r, "portal", "a", "metadata.bad_links") == Approx(1.0 / 2));
  CHECK(val(r, "portal", "a", "metadata.links_checked") == Approx(2.0 / 3));
  CHECK(text(r, "portal", "a", "metadata.link_classes") == "dead=1;ok=1");
  CHECK(val(r, "portal", "b", "metadata.bad_links") == Approx(1.0));
  CHECK(val(r, "national", "", "metadata.all_five_formats") == 0);
}

TEST_CASE("data layer: openness, formats, usability, completeness") {
  auto& r = C().rows;
  CHECK(val(r, "portal", "a", "data.machine_readable_share") == Approx(2.0 / 3));
  CHECK(val(r, "portal", "b", "data.machine_readable_share") == Approx(1.0));
  CHECK(val(r, "national", "", "data.machine_readable_share") == Approx(0.75));
  CHECK(val(r, "national", "", "data.machine_readable_any") == Approx(1.0));
  CHECK(val(r, "portal", "a", "data.formats_offered") == 3);
  CHECK(val(r, "portal", "a", "data.format_coverage.csv") == Approx(1.0 / 3));
  CHECK(val(r, "national", "", "data.format_coverage.csv") == Approx(0.5));
  CHECK(val(r, "national", "", "data.format_coverage.json") == Approx(0.5));
  CHECK(val(r, "portal", "a", "data.licence") == 1);
  CHECK(text(r, "portal", "a", "data.licence") == "保障");
  CHECK(val(r, "national", "", "data.licence") == Approx(0.5));
  CHECK(text(r, "national", "", "data.licence") == "保障=1;未提及=1");
  // Publishing portals without a verdict count as 未提及 (b here), in the denominator.
  CHECK(val(r, "national", "", "data.non_discrimination") == Approx(0.5));
  CHECK(text(r, "portal", "b", "data.non_discrimination") == "未提及");
  CHECK(val(r, "national", "", "data.free_access") == Approx(0.0));
  CHECK(text(r, "national", "", "data.free_access") == "未提及=2");
  CHECK_FALSE(val(r, "portal", "c", "data.free_use").has_value());  // no datasets, no terms
  CHECK(val(r, "national", "", "data.free_sharing") == Approx(0.0));
  CHECK(val(r, "portal", "a", "data.completeness") == Approx(1.0));
  CHECK(val(r, "portal", "b", "data.completeness") == Approx(12.0 / 14));
  CHECK(val(r, "portal", "a", "data.completeness.description") == Approx(1.0 / 3));
  CHECK(val(r, "national", "", "data.completeness.description") == Approx(0.5));
}

TEST_CASE("usage: region view, topic view, download rate, apps") {
  auto& r = C().rows;
  CHECK(val(r, "portal", "a", "usage.views") == 150);
  // The report's rates divide by all datasets (a: 150 views over 3 datasets, one without counts).
  CHECK(val(r, "portal", "a", "usage.view_rate") == Approx(50));
  CHECK(val(r, "portal", "a", "usage.download_rate") == Approx(50.0 / 3));
  CHECK(val(r, "portal", "a", "usage.view_rate_published") == Approx(75));
  CHECK(val(r, "portal", "a", "usage.download_rate_published") == Approx(25));
  CHECK(val(r, "portal", "b", "usage.view_rate") == Approx(0));
  CHECK(val(r, "national", "", "usage.view_rate") == Approx(37.5));
  CHECK(text(r, "portal", "a", "usage.views_histogram") == "0=0;1-9=0;10-99=1;100-999=1;1k-9.9k=0;10k-99k=0;100k+=0");
  CHECK(val(r, "portal", "b", "usage.views_histogram") == 1);
  CHECK(val(r, "portal", "a", "usage.view_rate_overall") == Approx(1));
  CHECK(val(r, "portal", "b", "usage.view_rate_overall") == Approx(0));
  CHECK(val(r, "portal", "a", "usage.view_share") == Approx(1));
  CHECK(val(r, "portal", "a", "usage.download_share") == Approx(1));
  CHECK(val(r, "portal", "a", "usage.download_rate_overall") == Approx(1));
  CHECK_FALSE(val(r, "portal", "c", "usage.view_rate").has_value());
  CHECK(val(r, "portal", "a", "usage.download_per_view") == Approx(50.0 / 150));
  CHECK_FALSE(val(r, "portal", "b", "usage.download_per_view").has_value());  // no views at all
  CHECK(val(r, "national", "", "usage.download_per_view_below50") == 1);
  CHECK(val(r, "portal", "a", "usage.dataset_download_per_view") == Approx(0.45));
  CHECK(val(r, "theme", "教育科技", "usage.view_rate") == Approx(75));
  CHECK(val(r, "theme", "教育科技", "usage.views") == 150);
  CHECK(val(r, "theme", "教育科技", "usage.downloads") == 50);
  CHECK(val(r, "theme", "教育科技", "usage.download_rate") == Approx(25));
  CHECK(val(r, "theme", "教育科技", "usage.view_rate_overall") == Approx(1));
  CHECK(val(r, "theme", "民生服务", "usage.download_rate_overall") == Approx(0));
  CHECK(val(r, "theme", "教育科技", "usage.view_share") == Approx(1));
  CHECK(val(r, "theme", "民生服务", "usage.download_share") == Approx(0));
  CHECK(val(r, "theme", "教育科技", "platform.datasets") == 2);
  CHECK_FALSE(val(r, "theme", "道路交通", "usage.view_rate").has_value());
  CHECK(val(r, "national", "", "usage.apps") == 2);
  CHECK(val(r, "national", "", "usage.apps_kind.移动APP") == 1);
  CHECK(val(r, "national", "", "usage.apps_kind.分析报告") == 0);
  CHECK(val(r, "national", "", "usage.apps_median") == Approx(1));
  CHECK(val(r, "national", "", "usage.apps_mean") == Approx(1));
  CHECK(val(r, "national", "", "usage.apps_above_mean") == 1);
  CHECK(val(r, "national", "", "usage.zero_app_portals") == 1);
}

TEST_CASE("impact: recency buckets, frequency, promise kept, evaluation") {
  auto& r = C().rows;
  // The report's recency: the mean age of the portal's dataset dates (a: 3 and 183 days → 93).
  CHECK(val(r, "portal", "a", "impact.issued_recency") == 93);
  CHECK(text(r, "portal", "a", "impact.issued_recency") == "半年内");
  CHECK(text(r, "portal", "b", "impact.issued_recency") == "一年前");
  CHECK(text(r, "national", "", "impact.issued_recency") == "一年前=1;半年内=1");
  CHECK(val(r, "portal", "a", "impact.issued_latest") == 3);
  CHECK(text(r, "portal", "a", "impact.issued_latest") == "一周内");
  CHECK(text(r, "national", "", "impact.issued_latest") == "一周内=1;一年前=1");
  CHECK(val(r, "portal", "b", "impact.update_recency") == 42);
  CHECK(text(r, "portal", "b", "impact.update_recency") == "三月内");
  CHECK(val(r, "portal", "a", "impact.update_recency") == 92);
  CHECK(val(r, "national", "", "impact.update_recency") == Approx(67));
  CHECK(val(r, "national", "", "impact.update_latest") == Approx(21.5));
  CHECK_FALSE(val(r, "portal", "c", "impact.update_recency").has_value());
  // Platforms classified by their main frequency (a: 每月 and 每年 tie → 每月, dynamic; b: 每日).
  CHECK(text(r, "portal", "a", "impact.platform_frequency") == "每月");
  CHECK(val(r, "portal", "a", "impact.platform_dynamic") == 1);
  CHECK(val(r, "national", "", "impact.platform_dynamic") == Approx(1.0));
  CHECK(text(r, "national", "", "impact.platform_dynamic") == "动态=2");
  CHECK(val(r, "portal", "a", "impact.frequency") == Approx(2.0 / 3));
  CHECK(text(r, "national", "", "impact.frequency") == "未提供=1;每年=1;每日=1;每月=1");
  CHECK(val(r, "national", "", "impact.dynamic_share") == Approx(2.0 / 3));
  CHECK(val(r, "portal", "a", "impact.frequency_missing_share") == Approx(1.0 / 3));
  CHECK(val(r, "portal", "a", "impact.promise_kept") == Approx(1));
  CHECK(val(r, "portal", "b", "impact.promise_kept") == Approx(0));
  CHECK(val(r, "national", "", "impact.rating_channel") == Approx(0.5));
  CHECK(val(r, "portal", "a", "impact.ratings") == 0);
  CHECK(val(r, "portal", "a", "impact.comments") == 0);
  CHECK_FALSE(val(r, "portal", "b", "impact.ratings").has_value());
  CHECK(val(r, "national", "", "impact.unused_channel") == 1);
  CHECK(val(r, "portal", "a", "impact.rating_dimensions") == 1);
}

TEST_CASE("quality: MQA per dataset and portal, five stars, link liveness") {
  auto& c = C();
  auto s = mqa_scores(c.d.reader(), 2, c.ref);
  REQUIRE(s.count(1));
  // a1: keyword 30 + theme 30 | accessURL ok 50 + downloadURL 20 + ok 30 | format 20 + media type 10 +
  // vocabulary 10 + open 20 + machine-readable 20 + conforms 30 | licence 20 + access rights 10 + vocab 5 +
  // publisher 10 | issued 5 + modified 5.
  CHECK(s[1].findability == 60);
  CHECK(s[1].accessibility == 100);
  CHECK(s[1].interoperability == 110);
  CHECK(s[1].reusability == 45);
  CHECK(s[1].contextuality == 10);
  CHECK(s[1].total() == 325);
  CHECK(mqa_band(325) == "good");
  CHECK(mqa_band(351) == "excellent");
  CHECK(mqa_band(121) == "sufficient");
  CHECK(mqa_band(120) == "bad");
  // a3: topic 30, licence 20 (portal terms), publisher 10.
  CHECK(s[3].total() == 60);
  // Per-dataset scores go to dataset_quality, ordered by dataset_pk, not to the indicator rows.
  REQUIRE(c.dq.size() == s.size());
  CHECK(c.dq[0].dataset_pk == 1);
  CHECK(c.dq[0].score.total() == 325);
  for (size_t i = 1; i < c.dq.size(); ++i) CHECK(c.dq[i - 1].dataset_pk < c.dq[i].dataset_pk);
  for (auto& d : c.dq) CHECK(d.score.total() == s[d.dataset_pk].total());
  auto dr = dataset_quality_rows(c.dq);
  CHECK(val(dr, "dataset", "1", "quality.mqa") == 325);
  CHECK(text(dr, "dataset", "1", "quality.mqa") == "good");
  auto& r = c.rows;
  for (auto& x : r) CHECK(x.scope != "dataset");
  double a_mean = (325.0 + s[2].total() + 60) / 3;
  CHECK(val(r, "portal", "a", "quality.mqa") == Approx(a_mean));
  CHECK(val(r, "portal", "a", "quality.mqa.findability") == Approx((60.0 + 60 + 30) / 3));
  CHECK(val(r, "portal", "a", "quality.mqa.accessibility").has_value());
  CHECK(val(r, "portal", "a", "quality.mqa.interoperability").has_value());
  CHECK(val(r, "portal", "a", "quality.mqa.reusability").has_value());
  CHECK(val(r, "portal", "a", "quality.mqa.contextuality").has_value());
  CHECK(val(r, "portal", "a", "quality.mqa_good_share") == Approx(1.0 / 3));
  CHECK_FALSE(val(r, "portal", "c", "quality.mqa").has_value());
  // Stars: csv 3, pdf 1, xls 2 under a's licence; b has no licence → 0.
  CHECK(val(r, "portal", "a", "quality.five_star") == Approx(2));
  CHECK(val(r, "portal", "b", "quality.five_star") == Approx(0));
  CHECK(text(r, "portal", "a", "quality.five_star") == "1=1;2=1;3=1");
  CHECK(val(r, "portal", "a", "quality.five_star_3plus") == Approx(1.0 / 3));
  CHECK(val(r, "portal", "a", "quality.link_liveness") == Approx(0.5));
  CHECK_FALSE(val(r, "portal", "b", "quality.link_liveness").has_value());
}

TEST_CASE("network: dataset–tag–app graph and click depth") {
  auto& r = C().rows;
  CHECK(val(r, "portal", "a", "network.tagged_share") == Approx(2.0 / 3));
  CHECK(val(r, "portal", "a", "network.components") == 2);  // {a1,a2,x,y} and {a3,App 1}
  CHECK(val(r, "national", "", "network.components") == 3);
  CHECK(val(r, "portal", "a", "network.largest_component_share") == Approx(2.0 / 3));
  CHECK(val(r, "portal", "a", "network.isolated_share") == Approx(0));
  CHECK(val(r, "portal", "b", "network.isolated_share") == Approx(0));
  CHECK(val(r, "portal", "a", "network.degree_mean") == Approx(4.0 / 3));
  CHECK(val(r, "portal", "a", "network.degree_max") == 2);
  CHECK(text(r, "portal", "a", "network.degree_max") == "1=2;2=1");
  CHECK(val(r, "portal", "a", "network.apps_citing_share") == Approx(0.5));
  CHECK(val(r, "portal", "a", "network.datasets_cited_share") == Approx(1.0 / 3));
  // National graph: tag x joins b1 to a's component.
  CHECK(val(r, "national", "", "network.national_components") == 2);
  CHECK(val(r, "national", "", "network.national_largest_share") == Approx(0.75));
  // a1 via BFS home→list→detail = 2 (not its fetch depth 9); a2 from its fetch (5); a3 from dataset.depth
  // (1).
  CHECK(val(r, "portal", "a", "findability.click_depth_mean") == Approx(8.0 / 3));
  CHECK(val(r, "portal", "a", "findability.click_depth_max") == 5);
  CHECK(val(r, "portal", "a", "findability.depth_le3_share") == Approx(2.0 / 3));
  CHECK_FALSE(val(r, "portal", "b", "findability.click_depth_mean").has_value());
}

TEST_CASE("bulletin: top departments and movement against the previous run") {
  auto& r = C().rows;
  CHECK(text(r, "portal", "a", "bulletin.top_departments_datasets") == "1.DeptX=2;2.DeptY=1");
  CHECK(val(r, "portal", "a", "bulletin.top_departments_datasets") == 2);
  CHECK(text(r, "portal", "a", "bulletin.top_departments_views") == "1.DeptX=150");
  CHECK(text(r, "portal", "a", "bulletin.top_departments_downloads") == "1.DeptX=50");
  CHECK(text(r, "portal", "a", "bulletin.rank_change_datasets") == "DeptX:+1;DeptY:-1");
  CHECK(val(r, "portal", "a", "bulletin.rank_change_datasets") == 0);
  // Views were not published in run 1: DeptX is new in the views ranking.
  CHECK(text(r, "portal", "a", "bulletin.rank_change_views") == "");
  CHECK_FALSE(val(r, "portal", "a", "bulletin.rank_change_views").has_value());
  CHECK_FALSE(val(r, "portal", "b", "bulletin.rank_change_downloads").has_value());
  CHECK_FALSE(val(r, "portal", "c", "bulletin.top_departments_datasets").has_value());
}

TEST_CASE("empty cases: no portals, no datasets, no views, no dates") {
  fx::Db d;
  d.exec("INSERT INTO run VALUES (1,'x','2026-01-01T00:00:00Z',NULL,'sim',NULL,NULL)");
  auto ref = fx::reference();
  auto rows = compute_all(d.reader(), 1, ref);
  CHECK_FALSE(val(rows, "national", "", "platform.portals").has_value());
  CHECK(val(rows, "national", "", "platform.coverage") == Approx(0));
  CHECK_FALSE(val(rows, "national", "", "usage.view_rate").has_value());
  CHECK_FALSE(val(rows, "national", "", "quality.mqa").has_value());
  CHECK_FALSE(val(rows, "national", "", "network.national_components").has_value());
  CHECK_FALSE(val(rows, "national", "", "platform.new_portals").has_value());  // no baseline run

  // One portal with datasets that publish neither views nor dates.
  d.exec(
      R"(INSERT INTO portal VALUES (1,'p',1,'P','浙江省','宁波市','','330200','地市级','华东','independent','x','http://p/');
            INSERT INTO dataset(dataset_pk,run_id,portal_id,title) VALUES (1,1,'p','t1'),(2,1,'p','t2');)");
  rows = compute_all(d.reader(), 1, ref);
  CHECK(val(rows, "portal", "p", "platform.datasets") == 2);
  CHECK_FALSE(val(rows, "portal", "p", "usage.view_rate").has_value());
  CHECK_FALSE(val(rows, "portal", "p", "usage.download_rate").has_value());
  CHECK_FALSE(val(rows, "portal", "p", "usage.download_per_view").has_value());
  CHECK_FALSE(val(rows, "portal", "p", "impact.issued_recency").has_value());
  CHECK(text(rows, "portal", "p", "impact.issued_recency") == "不提供");
  CHECK(text(rows, "national", "", "impact.update_recency") == "不提供=1");
  CHECK(val(rows, "portal", "p", "impact.frequency") == Approx(0));
  CHECK_FALSE(val(rows, "portal", "p", "impact.promise_kept").has_value());
  CHECK(val(rows, "portal", "p", "data.machine_readable_share") == Approx(0));
  CHECK(val(rows, "portal", "p", "network.tagged_share") == Approx(0));
  CHECK(val(rows, "portal", "p", "network.components") == 2);
  CHECK(val(rows, "tier", "新一线", "platform.coverage") == Approx(0.5));
}

TEST_CASE("write_indicators replaces the run's rows; NULL stays NULL") {
  fx::Db d;
  fx::fill(d);
  auto ref = fx::reference();
  auto rows = compute_all(d.reader(), 2, ref);
  write_indicators(d.store(), 2, rows);
  write_indicators(d.store(), 2, rows);
  sqlite3_stmt* st;
  sqlite3_prepare_v2(d.db, "SELECT count(*), sum(value IS NULL) FROM indicator WHERE run_id=2", -1, &st,
                     nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int64(st, 0) == (long long)rows.size());
  long long nulls = 0;
  for (auto& r : rows) nulls += !r.value.has_value();
  CHECK(sqlite3_column_int64(st, 1) == nulls);
  sqlite3_finalize(st);
  CHECK(latest_run(d.reader()) == 2);
  // dataset_quality: one row per dataset of the run, replaced on rewrite, equal to the scores.
  std::vector<DatasetQuality> dq;
  rows = compute_all(d.reader(), 2, ref, &dq);
  REQUIRE(!dq.empty());
  write_indicators(d.store(), 2, rows, &dq);
  write_indicators(d.store(), 2, rows, &dq);
  auto scores = mqa_scores(d.reader(), 2, ref);
  sqlite3_prepare_v2(d.db,
                     "SELECT q.dataset_pk, total, findability+accessibility+interoperability+reusability+"
                     "contextuality, band FROM dataset_quality q JOIN dataset x USING (dataset_pk) WHERE "
                     "q.run_id=2 AND x.run_id=2 ORDER BY 1",
                     -1, &st, nullptr);
  size_t n = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    long long pk = sqlite3_column_int64(st, 0);
    CHECK(sqlite3_column_int64(st, 1) == scores[pk].total());
    CHECK(sqlite3_column_int64(st, 2) == scores[pk].total());
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 3))) ==
          mqa_band(scores[pk].total()));
    ++n;
  }
  sqlite3_finalize(st);
  CHECK(n == scores.size());
  CHECK(n == dq.size());
}

TEST_CASE("explain lists the records and WARC offsets behind a value") {
  fx::Db d;
  fx::fill(d);
  auto ref = fx::reference();
  write_indicators(d.store(), 2, compute_all(d.reader(), 2, ref));
  auto lines = explain(d.reader(), 2, "usage.views", "a");
  REQUIRE(lines.size() >= 4);
  CHECK(lines[0].rfind("value\tnational", 0) == 0);
  bool saw = false;
  for (auto& l : lines)
    saw =
        saw || (l.find("Dataset A1") != std::string::npos && l.find("r2.warc.gz\t2000") != std::string::npos);
  CHECK(saw);
  // A portal's MQA value traces to its datasets' scores.
  {
    std::vector<DatasetQuality> dq;
    auto rows = compute_all(d.reader(), 2, ref, &dq);
    write_indicators(d.store(), 2, rows, &dq);
    auto q = explain(d.reader(), 2, "quality.mqa", "a");
    bool a1 = false;
    for (auto& l : q)
      a1 = a1 || (l.rfind("dataset\ta\t1\t", 0) == 0 && l.find("325 good") != std::string::npos);
    CHECK(a1);
  }
  auto terms = explain(d.reader(), 2, "data.licence", "a");
  bool evidence = false;
  for (auto& l : terms) evidence = evidence || l.find("本网站授予用户使用数据的许可") != std::string::npos;
  CHECK(evidence);
}

TEST_CASE("MQA and element usage accept the parsers' canonical field names") {
  fx::Db d;
  d.exec(R"(INSERT INTO run VALUES (1,'x','2026-01-01T00:00:00Z',NULL,'sim',NULL,NULL);
            INSERT INTO portal VALUES (1,'p',1,'P','浙江省','宁波市','','330200','地市级','华东','independent','x','http://p/');
            INSERT INTO dataset(dataset_pk,run_id,portal_id,title) VALUES (1,1,'p','t1');
            INSERT INTO dataset_field VALUES (1,'来源部门','D','department'),(1,'发布时间','2025-01-01','publish_time'),
              (1,'更新时间','2025-02-01','update_time'),(1,'开放许可','CC BY 4.0','license'),(1,'联系电话','1','telephone'),
              (1,'所属行业','x','category'),(1,'开放条件','无条件','is_open');)");
  auto ref = fx::reference();
  auto s = mqa_scores(d.reader(), 1, ref);
  // theme 30 | — | — | licence 20 + vocabulary 10 + access rights 10 + contact 20 + publisher 10 | issued 5 +
  // modified 5
  CHECK(s[1].findability == 30);
  CHECK(s[1].reusability == 70);
  CHECK(s[1].contextuality == 10);
  auto rows = compute_metadata(d.reader(), 1, ref);
  CHECK(val(rows, "portal", "p", "metadata.element.dcat.contact_point") == Approx(1));
  CHECK(val(rows, "portal", "p", "metadata.element.gov13.provider") == Approx(1));
  CHECK(val(rows, "portal", "p", "metadata.element.dc15.language") == Approx(0));
}

TEST_CASE("compute_and_write on a file store: two readers, dataset_quality written while computing") {
  // compute_and_write reads on two connections and writes dataset_quality through the Store while the
  // other thread still reads; the result must be what a computation without writes gives.
  fx::Db d;
  fx::fill(d);
  auto ref = fx::reference();
  std::vector<DatasetQuality> dq_mem;
  auto mem = compute_all(d.reader(), 2, ref, &dq_mem);
  std::vector<DatasetQuality> dq;
  auto rows = compute_and_write(d.store(), 2, ref, &dq);
  REQUIRE(rows.size() == mem.size());
  for (auto& r : mem) {
    auto* x = fx::find(rows, r.scope, r.scope_key, r.indicator);
    REQUIRE(x);
    CHECK(x->value == r.value);
    CHECK(x->value_text == r.value_text);
    CHECK(x->n == r.n);
  }
  REQUIRE(dq.size() == dq_mem.size());
  for (size_t i = 0; i < dq.size(); ++i) {
    CHECK(dq[i].dataset_pk == dq_mem[i].dataset_pk);
    CHECK(dq[i].score.total() == dq_mem[i].score.total());
  }
  // Both tables written and committed: a new connection sees them.
  sqlite3* g = nullptr;
  REQUIRE(sqlite3_open_v2(d.path.c_str(), &g, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(
      g,
      "SELECT (SELECT count(*) FROM indicator WHERE run_id=2), (SELECT count(*) FROM "
      "dataset_quality WHERE run_id=2), (SELECT sum(total) FROM dataset_quality WHERE run_id=2)",
      -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int64(st, 0) == (long long)rows.size());
  CHECK(sqlite3_column_int64(st, 1) == (long long)dq.size());
  long long sum = 0;
  for (auto& q : dq) sum += q.score.total();
  CHECK(sqlite3_column_int64(st, 2) == sum);
  sqlite3_finalize(st);
  // Run again: the run's rows are replaced, not duplicated.
  compute_and_write(d.store(), 2, ref);
  sqlite3_prepare_v2(g, "SELECT count(*) FROM dataset_quality", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int64(st, 0) == (long long)dq.size());
  sqlite3_finalize(st);
  sqlite3_close(g);
}
