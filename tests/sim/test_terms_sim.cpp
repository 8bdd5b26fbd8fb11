// The terms classifier (parsers/terms.h) against the terms pages the simulator writes for every portal
// of the registry: each page's stance per right is known to the simulator.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "parsers/parsers.h"
#include "registry/registry.h"
#include "sim/sim.h"

using namespace odh;
using namespace odh::terms;

TEST_CASE("agreement with the simulator's terms pages over the whole registry") {
  auto reg = load_registry(std::string(ODH_SOURCE_DIR) + "/sites.yaml");
  sim::Options o;
  o.scale = 0.01;
  auto world = std::make_shared<sim::World>(reg.sites, o);
  int portals = 0, checked = 0, agree = 0;
  for (const auto& p : world->portals) {
    if (p.terms.empty()) continue;
    ++portals;
    std::string text;
    for (const auto& page : p.terms)
      for (const auto& c : page.clauses) text += c + "\n";
    auto v = classify(text);
    for (const auto& page : p.terms)
      for (const auto& [right, stance] : page.stance) {
        Stance want = stance == sim::Stance::kGrant   ? Stance::kGranted
                      : stance == sim::Stance::kLimit ? Stance::kLimited
                      : stance == sim::Stance::kDeny  ? Stance::kDenied
                                                      : Stance::kNotStated;
        int i = static_cast<int>(right);  // same order: access, non-discrimination, use, sharing
        ++checked;
        if (v[i].stance == want)
          ++agree;
        else
          MESSAGE(p.site.id << " right " << i << " want " << int(want) << " got " << int(v[i].stance) << ": "
                            << v[i].evidence);
      }
  }
  CHECK(portals > 300);
  CHECK(checked == portals * 4);
  CHECK(agree == checked);
}
