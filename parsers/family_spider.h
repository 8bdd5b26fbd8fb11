// parsers/family_spider.h — the spec-driven engine behind make_spider (internal to parsers).
#pragma once
#include <memory>

#include "parsers/parsers.h"

namespace odh {

// A spider walking `site` by `spec` (overrides already applied); records go to `sink`.
std::unique_ptr<Spider> make_family_spider(const Site& site, FamilySpec spec, ParseSink& sink);

}  // namespace odh
