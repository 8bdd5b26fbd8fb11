// libFuzzer driver for one target of fuzz/targets/fuzz_targets.h, chosen at build time
// (-DODH_FUZZ_TARGET=html): the fuzz_<target> executables of the ASan build (CMake ODH_FUZZ) and
// scripts/fuzz.sh.
#include <cstring>

#include "fuzz/targets/fuzz_targets.h"

#define ODH_STR2(x) #x
#define ODH_STR(x) ODH_STR2(x)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static auto* run = []() -> int (*)(const std::uint8_t*, std::size_t) {
    for (auto& t : odh::fuzz::kTargets)
      if (std::strcmp(t.name, ODH_STR(ODH_FUZZ_TARGET)) == 0) return t.run;
    __builtin_trap();  // unknown target name
  }();
  return run(data, size);
}
