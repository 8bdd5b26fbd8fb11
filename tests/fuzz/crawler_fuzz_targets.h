// Fuzz entry points for the crawler's parsers of untrusted input (robots.txt, URLs,
// response bodies). Each returns 0 and aborts (via a failed check) only on a broken
// invariant; sanitizers catch the rest. Used by libFuzzer drivers (libfuzzer/*.cc,
// scripts/fuzz.sh) and by the deterministic smoke test in this directory.
#pragma once
#include <cstddef>
#include <cstdint>

namespace odh::fuzz {
int robots(const std::uint8_t* data, std::size_t size);
int url(const std::uint8_t* data, std::size_t size);
int charset(const std::uint8_t* data, std::size_t size);
}  // namespace odh::fuzz
