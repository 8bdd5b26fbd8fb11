// parsers/intl_spiders.h — paging helpers of the international catalogue spiders (the family
// engine in engine.cpp calls them): DCAT catalogues paged with Hydra (ckanext-dcat, DCAT-AP
// aggregators) name their next page with hydra:nextPage.
#pragma once
#include <string>

namespace odh {

// The hydra:nextPage of a DCAT catalogue page (format "rdf" = RDF/XML, "turtle", "jsonld"), as
// written (possibly relative); "" when the page has none or the document does not parse.
// Bounded: never throws on content.
std::string hydra_next_page(const std::string& format, const std::string& body);

}  // namespace odh
