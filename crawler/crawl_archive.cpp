// Archive seam: interim implementation until the warc branch's writer is merged (records nothing).
#include "crawler/crawl_seams.h"

namespace odh::crawl {
namespace {
class NullArchive : public Archive {
 public:
  ArchivedAt write(const Exchange&) override { return {}; }
  void flush(bool) override {}
  std::string current_file() const override { return ""; }
  std::int64_t current_size() const override { return 0; }
};
}  // namespace

std::unique_ptr<Archive> open_archive(const std::string&, const std::string&, std::int64_t, std::string*) {
  return std::make_unique<NullArchive>();
}
bool truncate_archive(const std::string&, std::int64_t, std::string*) { return true; }
}  // namespace odh::crawl
