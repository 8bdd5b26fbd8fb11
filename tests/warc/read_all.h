// Every record of a WARC file, read back with WarcReader: shared by the tests/warc files that check
// what the writer or the repair left.
#pragma once
#include <string>
#include <vector>

#include "warc/warc.h"

namespace odh::test {

inline std::vector<warc::Record> read_all(const std::string& path) {
  std::vector<warc::Record> v;
  warc::WarcReader r(path);
  warc::Record rec;
  while (r.next(&rec)) v.push_back(rec);
  return v;
}

}  // namespace odh::test
