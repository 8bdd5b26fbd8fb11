// sim/twin.h — the twin's own knowledge of what each portal runs (internal to sim/).
//
// data/sim/twin.yaml is written from ../shared/platforms: which software a documented host runs and
// its per-host facts (oportal prefix, Guizhou divisionId, athena SPA path, …), where a place's 2021
// portal moved to, the URL shapes of the software families and of the government CMSs, and the
// protocols of the long-tail portals. A portal's plan is decided from its host, its place (province,
// city, county, division code) and the shape of its URL — never from the registry's family, its
// overrides or data/families (a Listing, sim/sim.h, does not carry them) — so a registry that is wrong makes the simulated crawl fail, as the
// real portal would. International catalogue software (CKAN, DCAT, data.json, Socrata, ODS) is
// decided the same way, by host, from the hosts of the real records in ../shared/fixtures-real.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>


namespace odh::sim {

struct Listing;  // sim/sim.h: a portal as appendix 1 lists it

struct TwinPlan {
  std::string family;      // a simulator family (find_family)
  std::string host;        // where the portal is served: host[:port], lower case
  std::string entry_path;  // its entry page (path + query) on `host`
  bool https = false;
  std::map<std::string, std::string> facts;  // prefix, divisionId, regionId, labels, layout, list, ui, dir,
                                             // protocol, cms …
  std::string moved_host, moved_path;        // the 2021 URL now answering 302 to here ("" = not moved)
  std::string why;                           // which rule decided (odh sim --plan --json)
};

class Twin {
 public:
  // Reads `file` (data_dir()/sim/twin.yaml when "") and then `extra` (YAML text with the same keys,
  // merged over it: tests describe their invented portals this way). Throws InputError.
  static std::shared_ptr<const Twin> load(const std::string& file, const std::string& extra = "");

  TwinPlan plan(const Listing& site) const;
  // A long-tail protocol by name (twin.yaml `longtail:`), or nullptr.
  const nlohmann::json* protocol(const std::string& name) const;

 private:
  struct Place {
    std::string province, city, county;  // "" = any
    std::string url;                     // scheme://host[:port]/
    std::map<std::string, std::string> facts;
  };
  struct Pattern {
    std::string match;  // regex on host (host_patterns) or on path+query (paths, cms)
    std::string family;
    std::map<std::string, std::string> facts;
  };
  std::map<std::string, std::pair<std::string, std::map<std::string, std::string>>> hosts_;  // host → family, facts
  std::vector<Place> places_;
  std::vector<Pattern> host_patterns_, paths_, cms_;
  std::map<std::string, std::string> shandong_slugs_;  // city → slug
  nlohmann::json longtail_ = nlohmann::json::object();
  void merge(const std::string& yaml_text, const std::string& source);
};

}  // namespace odh::sim
