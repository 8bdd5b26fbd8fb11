// A small hand-made store with known answers for the metrics tests (see fixture.cpp for the story).
#pragma once
#include <sqlite3.h>

#include <optional>
#include <string>
#include <vector>

#include "metrics/metrics.h"

namespace fx {

struct Db {
  sqlite3* db = nullptr;
  Db();  // in-memory store with store/schema.sql applied
  ~Db();
  void exec(const std::string& sql);
};

// Reference data of the fixture: metrics' own data files plus small hand-made denominators.
odh::metrics::Reference reference();

// Fills the two-run story of fixture.cpp.
void fill(Db& d);

const odh::metrics::IndicatorRow* find(const std::vector<odh::metrics::IndicatorRow>& rows,
                                       const std::string& scope, const std::string& key,
                                       const std::string& id);
std::optional<double> val(const std::vector<odh::metrics::IndicatorRow>& rows, const std::string& scope,
                          const std::string& key, const std::string& id);
std::string text(const std::vector<odh::metrics::IndicatorRow>& rows, const std::string& scope,
                 const std::string& key, const std::string& id);

}  // namespace fx
