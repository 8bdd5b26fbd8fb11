// registry/international.h — portals outside China in a registry (data/sites-international.yaml).
#pragma once
#include <string>

namespace odh {

// Families whose spec says `international: true` (ckan dcat datajson socrata ods as shipped). Sites of
// these families may leave province, division_code, level and region empty (checked when given).
bool is_international_family(const std::string& family);

}  // namespace odh
