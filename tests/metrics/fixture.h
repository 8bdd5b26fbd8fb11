// A small hand-made store with known answers for the metrics tests (see fixture.cpp for the story).
#pragma once
#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metrics/metrics.h"

namespace fx {

// A store file in the build's test directory: the schema applied from store/*.sql by the test itself
// (raw SQL: the fixture is written independently of the store's writers), read through the store's own
// StoreReader and written through Store, as odh does.
struct Db {
  sqlite3* db = nullptr;  // the fixture's own connection, for filling it
  std::string path;
  Db();
  ~Db();
  void exec(const std::string& sql);
  odh::StoreReader& reader();  // opened on first use (sees everything exec committed)
  odh::Store& store();         // likewise

 private:
  std::unique_ptr<odh::StoreReader> reader_;
  std::unique_ptr<odh::Store> store_;
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
