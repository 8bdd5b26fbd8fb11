// harvest/stack.h — the wrappers of a site's spider stack (internal to the harvest room):
// recorder (stages 2 and 5 of harvest/harvest.h) and terms finder (stage 4); and the crawl run shared
// by the live and the resumed harvest.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harvest/harvest.h"

namespace odh::harvest_detail {

// Runs `crawler` over `sites` with the harvest's hooks (on_progress, on_log, on_crawler around the
// run): the crawl of harvest_live and of the main job's resumed harvest. Throws Failure when the crawl
// cannot run.
CrawlReport run_crawl(Crawler& crawler, const std::vector<Site>& sites, const HarvestOptions& options);

// Stage 2 and 5: writes the fetch row of every result, then hands it to the inner spider, then writes
// the page's links. See recording_spider() in harvest/harvest.h.
class RecordingSpider : public Spider {
 public:
  RecordingSpider(std::unique_ptr<Spider> inner, Store& store, std::int64_t run, std::int64_t* requests,
                  const Site* site);
  std::vector<FetchRequest> start_requests() override;
  SpiderOutput on_result(const FetchResult& r) override;
  // on_result for a result the caller gives away (replay): no copy of the body.
  SpiderOutput on_owned(FetchResult&& r);

 private:
  void record_links(const FetchResult& r, bool ours, bool is_home, const SpiderOutput& out);

  std::unique_ptr<Spider> inner_;
  Store& store_;
  std::int64_t run_;
  std::int64_t* requests_;
  std::string site_id_, entry_, home_;
  std::vector<std::string> start_urls_;
  bool own_home_ = false, home_done_ = false;
};

// Stage 4: wraps a site's spider; also fetches the site's entry page and its host's root (kind
// "terms-home") unless the inner spider does, follows terms-page links found on any HTML page of the
// site (kind "terms", at most 8, found among the page's links: no parse of its own when the inner
// spider parsed the page), and writes one `terms` row per page and aspect with the page's fetch_id.
// Results of its own requests are not passed to `inner`. `store` must outlive the spider.
std::unique_ptr<Spider> terms_finder(std::unique_ptr<Spider> inner, const Site& site, Store& store,
                                     std::int64_t run_id);

}  // namespace odh::harvest_detail
