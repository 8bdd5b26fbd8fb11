// sim/intl.h — the international catalogue families (CKAN, DCAT, data.json, Socrata,
// OpenDataSoft), served from the real files copied into data/sim/intl/ (internal to sim/).
#pragma once
#include <cstdint>
#include <string>

namespace odh::sim {

// True for the families sim/family_intl.cpp serves: ckan dcat datajson socrata ods.
bool is_intl_family(const std::string& family);

// Number of real records `family` serves on `host` (what World reports as n_datasets).
// Throws odh::Failure when the files under dir (data_dir()/sim/intl when "") cannot be read.
std::int64_t intl_record_count(const std::string& dir, const std::string& family, const std::string& host);

}  // namespace odh::sim
