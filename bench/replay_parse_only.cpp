// The parse stage of `odh parse --replay` alone (bench/parse_bench.sh): every response of the snapshot is
// read from the WARC first (untimed), then each site's spider runs over them with an in-memory sink — charset
// decoding, HTML/JSON parsing, selectors, label mapping, normalization and link extraction, no SQLite, no
// registry validation, no process start. Best of 3 passes, CPU seconds.
// Usage: replay_parse_only SNAPSHOT_DIR SITES_YAML SITE_ID...
#include <time.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "parsers/parsers.h"
#include "registry/registry.h"
#include "warc/warc.h"
#include "web/fetch.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: replay_parse_only SNAPSHOT_DIR SITES_YAML SITE_ID...\n");
    return 2;
  }
  odh::warc::WarcSnapshot snap(argv[1]);
  auto reg = odh::load_registry(argv[2]);
  std::vector<odh::Site> sites;
  for (int i = 3; i < argc; ++i)
    if (auto* s = reg.find(argv[i])) sites.push_back(*s);
  // Untimed: every answer the spiders will ask for, raw bytes only (text is decoded in the timed part).
  std::map<std::string, odh::FetchResult> answers;
  auto key = [](const odh::FetchRequest& q) { return q.method + " " + q.url + "\n" + q.body; };
  for (auto& s : sites) {
    odh::MemorySink sink;
    auto sp = odh::make_site_spider(s, sink);
    odh::drive(*sp, [&](const odh::FetchRequest& q) {
      auto r = snap.fetch(q, s.urls);
      r.text.clear();
      answers[key(q)] = r;
      return snap.fetch(q, s.urls);
    });
  }
  size_t bytes = 0;
  for (auto& [k, r] : answers) bytes += r.body.size();
  double best = 1e9;
  size_t pages = 0, datasets = 0;
  for (int pass = 0; pass < 3; ++pass) {
    timespec c0{}, c1{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    pages = datasets = 0;
    for (auto& s : sites) {
      odh::MemorySink sink;
      auto sp = odh::make_site_spider(s, sink);
      pages += odh::drive(*sp, [&](const odh::FetchRequest& q) {
        auto it = answers.find(key(q));
        odh::FetchResult r = it == answers.end() ? odh::FetchResult{} : it->second;
        if (!r.body.empty()) odh::decode_fetch_result(r);
        return r;
      });
      datasets += sink.datasets.size();
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    double t = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9;
    if (t < best) best = t;
  }
  std::printf(
      "{\"pages\": %zu, \"datasets\": %zu, \"bytes\": %zu, \"seconds\": %.4f, \"pages_per_s\": %.1f, \"mb_per_s\": "
      "%.2f}\n",
      pages, datasets, bytes, best, pages / best, bytes / 1e6 / best);
  return 0;
}
