#include <doctest/doctest.h>

#include "core/core.h"

TEST_CASE("InputError names file, line and field") {
  odh::InputError e("sites.yaml", 12, "level", "unknown level '市级'");
  CHECK(std::string(e.what()) == "sites.yaml:12: level: unknown level '市级'");
  odh::InputError whole("x.yaml", 0, "", "not a mapping");
  CHECK(std::string(whole.what()) == "x.yaml: not a mapping");
}

TEST_CASE("version names the git revision") {
  auto v = odh::version_string();
  CHECK(v.rfind("odh ", 0) == 0);
  CHECK(v.find("(git ") != std::string::npos);
}

TEST_CASE("read_file fails with the path") {
  CHECK_THROWS_WITH_AS(odh::read_file("/nonexistent/odh"), "cannot read /nonexistent/odh", odh::Failure);
}
