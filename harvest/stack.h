// harvest/stack.h — the wrappers of a site's spider stack (internal to the harvest room):
// recorder (stages 2 and 5 of harvest/harvest.h), file stage (3b) and terms finder (stage 4); and the crawl run shared
// by the live and the resumed harvest.
#pragma once
#include <cstdint>
#include <functional>
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

// Stage 3b, between the engine and the terms finder: the engine's records pass through to `sink`, and
// the download links of each dataset are probed (kinds "file" and "link", web/fetch.h is_probe) within
// `limits`; each answer is written with Store::write_file_check. `make_engine` builds the site's engine
// around the sink it must use.
struct FileProbeLimits {
  int files_per_site = 0, links_per_site = 0;  // CrawlOptions: content samples, probes in all
  std::int64_t probe_bytes = 1;                // Range asked of a sample (the crawler cuts at the same)
  std::int64_t total_bytes = 0;                // the run's budget ...
  std::int64_t* bytes_spent = nullptr;         // ... and what it has spent (shared by the sites); nullptr: none
  // Replay: a probe is made only when the snapshot answers it (the live run's limits decided).
  std::function<bool(const FetchRequest&)> archived;
};
FileProbeLimits probe_limits(const CrawlOptions& crawl, StoreSink& sink);
std::unique_ptr<Spider> with_file_stage(const Site& site, StoreSink& sink, Store& store, std::int64_t run_id,
                                        const FileProbeLimits& limits,
                                        const std::function<std::unique_ptr<Spider>(ParseSink&)>& make_engine);

}  // namespace odh::harvest_detail
