// parsers/rdf.h — the RDF triple model behind the DCAT engine. RDF/XML (pugixml) and Turtle (Serd)
// documents both become a Graph; DCAT datasets are then read from the Graph alone, so the same
// catalogue in either syntax gives the same records.
//
// Bounded on hostile input: documents nest at most kMaxDepth levels (deeper content is an error),
// and every function reports bad input as a value, never by throwing.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/parsers.h"

namespace odh::rdf {

inline constexpr int kMaxDepth = 200;

// An RDF term. IRIs are absolute when the document gave a base or absolute IRIs (relative ones
// are kept as written); blank nodes carry a document-unique label.
struct Term {
  enum class Kind { kIri, kBlank, kLiteral };
  Kind kind = Kind::kLiteral;
  std::string value;     // IRI, blank label or lexical form
  std::string datatype;  // literal datatype IRI ("" = plain)
  std::string lang;      // literal language tag
  bool resource() const { return kind != Kind::kLiteral; }
};

struct Triple {
  Term subject;           // kIri or kBlank
  std::string predicate;  // full IRI
  Term object;
};

// The triples of one document in document order, and the prefixes it declared (prefix → IRI)
// so unknown vocabularies keep the document's own prefixed labels.
struct Graph {
  std::vector<Triple> triples;
  std::map<std::string, std::string> prefixes;
};

// Turtle (and N-Triples, a subset). `source` names the document in errors (a file or URL; also the
// base IRI when it is an http(s) URL). Returns false on the first syntax error, with *error =
// "<source>:<line>:<column>: <message>"; `out` then holds the triples read before it.
bool parse_turtle(std::string_view text, const std::string& source, Graph& out, std::string* error);

// RDF/XML: node elements (typed or rdf:Description; rdf:about / rdf:nodeID / rdf:ID), property
// elements (literal text with rdf:datatype / xml:lang, rdf:resource, rdf:nodeID, nested nodes,
// rdf:parseType="Resource" and "Literal") and property attributes. Returns false on malformed XML.
bool parse_rdfxml(std::string_view text, Graph& out, std::string* error);

// Every dcat:Dataset of the graph in order of first description, with its properties as label/value
// pairs (labels "dct:title"-style, the document's prefix for other vocabularies), referenced
// resources named by foaf:name / vcard:fn / rdfs:label / skos:prefLabel / rdf:value / dct:title
// (else their IRI), time:DurationDescription frequencies as ISO 8601 "R/P1Y", and each
// dcat:distribution as a DistributionRow (download/access URL, format, media type, byte size).
std::vector<RawRecord> dcat_records(const Graph& g);

// The hydra:nextPage of the graph (IRI or literal), "" when there is none.
std::string hydra_next(const Graph& g);

// The DCAT-related vocabularies and their canonical prefixes (namespace IRI → "dct:").
const std::map<std::string, std::string>& known_prefixes();

// Short label of a predicate IRI: "dct:title" for the DCAT vocabularies, else the document's own
// prefix, else the IRI itself.
std::string label_of(const Graph& g, const std::string& iri);

}  // namespace odh::rdf
