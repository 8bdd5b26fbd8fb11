// registry/international.h — portals outside China in a registry (data/sites-international.yaml).
#pragma once
#include <string>

namespace odh {

// The international catalogue families: ckan dcat datajson socrata ods. Sites of these families
// may leave province, division_code, level and region empty (they are checked when given).
bool is_international_family(const std::string& family);

}  // namespace odh
