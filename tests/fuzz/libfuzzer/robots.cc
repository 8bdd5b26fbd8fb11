// libFuzzer driver: scripts/fuzz.sh robots [seconds]
#include "../crawler_fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return odh::fuzz::robots(data, size);
}
