// DCAT Turtle (Serd) and RDF/XML through one triple model (parsers/rdf.h): the real datos.gob.es
// Turtle export field by field, malformed Turtle, and every real RDF/XML and Turtle file written
// in the other syntax giving the same records.
#include <set>

#include "parsers/labels.h"
#include "parsers/rdf.h"
#include "portal_pages.h"

using namespace testutil;

namespace {

odh::DatasetRow row_of(const odh::RawRecord& r) {
  odh::FamilySpec spec;
  spec.tags_split_spaces = false;
  return odh::build_dataset(r, "intl", spec, odh::LabelDictionary::shipped());
}

std::string field(const odh::DatasetRow& d, const std::string& canonical) {
  for (auto& f : d.fields)
    if (f.canonical == canonical) return f.value;
  return "";
}

// N-Triples (a subset of Turtle), written by hand here so the test does not trust a serialiser
// of the code under test.
std::string escape_nt(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '\\' || c == '"')
      o += '\\', o += c;
    else if (c == '\n')
      o += "\\n";
    else if (c == '\r')
      o += "\\r";
    else
      o += c;
  }
  return o;
}
std::string nt_term(const odh::rdf::Term& t) {
  using K = odh::rdf::Term::Kind;
  if (t.kind == K::kIri) return "<" + t.value + ">";
  if (t.kind == K::kBlank) return "_:" + t.value;
  std::string o = "\"" + escape_nt(t.value) + "\"";
  if (!t.lang.empty()) return o + "@" + t.lang;
  if (!t.datatype.empty()) return o + "^^<" + t.datatype + ">";
  return o;
}
std::string to_ntriples(const odh::rdf::Graph& g) {
  std::string o;
  for (auto& t : g.triples) o += nt_term(t.subject) + " <" + t.predicate + "> " + nt_term(t.object) + " .\n";
  return o;
}

// RDF/XML: one rdf:Description per triple, property elements in a namespace of their own.
std::string to_rdfxml(const odh::rdf::Graph& g) {
  using K = odh::rdf::Term::Kind;
  std::string o =
      "<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n";
  for (auto& t : g.triples) {
    auto cut = t.predicate.find_last_of("#/");
    std::string ns = t.predicate.substr(0, cut + 1), local = t.predicate.substr(cut + 1);
    o += "<rdf:Description ";
    o += t.subject.kind == K::kIri ? "rdf:about=\"" + esc(t.subject.value) + "\""
                                   : "rdf:nodeID=\"" + t.subject.value + "\"";
    o += "><p:" + local + " xmlns:p=\"" + esc(ns) + "\"";
    if (t.object.kind == K::kIri)
      o += " rdf:resource=\"" + esc(t.object.value) + "\"/>";
    else if (t.object.kind == K::kBlank)
      o += " rdf:nodeID=\"" + t.object.value + "\"/>";
    else
      o += (t.object.lang.empty() ? "" : " xml:lang=\"" + t.object.lang + "\"") +
           (t.object.datatype.empty() ? "" : " rdf:datatype=\"" + esc(t.object.datatype) + "\"") + ">" +
           esc(t.object.value) + "</p:" + local + ">";
    o += "</rdf:Description>\n";
  }
  return o + "</rdf:RDF>\n";
}

void same(const std::vector<odh::RawRecord>& a, const std::vector<odh::RawRecord>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(a[i].title);
    CHECK(a[i].url == b[i].url);
    CHECK(a[i].title == b[i].title);
    CHECK(a[i].source_id == b[i].source_id);
    CHECK(a[i].pairs == b[i].pairs);
    REQUIRE(a[i].files.size() == b[i].files.size());
    for (size_t k = 0; k < a[i].files.size(); ++k) {
      CHECK(a[i].files[k].url == b[i].files[k].url);
      CHECK(a[i].files[k].format_raw == b[i].files[k].format_raw);
      CHECK(a[i].files[k].format == b[i].files[k].format);
      CHECK(a[i].files[k].byte_size == b[i].files[k].byte_size);
    }
  }
}

}  // namespace

TEST_CASE("DCAT Turtle: the real datos.gob.es export, field by field") {
  std::string path = fixture("international/dcat/dataset_gob_es.ttl").string();
  std::string err;
  auto recs = odh::records_from_document("dcat-turtle", odh::read_file(path), &err, path);
  CHECK(err.empty());
  REQUIRE(recs.size() == 1);
  const std::string iri =
      "https://datos.gob.es/catalogo/"
      "l01280796-estudio-de-satisfaccion-con-el-programa-de-escuelas-municipales-de-promocion-deportiva-en-"
      "centros-escolares";
  CHECK(recs[0].url == iri);
  auto d = row_of(recs[0]);
  CHECK(d.title ==
        "Estudio de Satisfacción con el Programa de Escuelas Municipales de Promoción Deportiva en centros "
        "escolares");
  CHECK(d.source_id == "https://datos.madrid.es/egob/catalogo/300676-0-deporte-encuesta-escuelas");
  CHECK(d.description.rfind("Estudio de satisfacción de las personas directivas", 0) == 0);
  CHECK(d.description.find("participativa y transparente.") != std::string::npos);
  // dct:publisher → the skos:Concept's prefLabel, not its IRI.
  CHECK(d.publisher == "Ayuntamiento de Madrid");
  CHECK(d.issued == "2024-04-15");    // "2024-04-15T09:08:02+02:00"^^xsd:dateTime
  CHECK(d.modified == "2024-04-15");  // "2024-04-15T09:08:10+02:00"
  CHECK(std::set<std::string>(d.tags.begin(), d.tags.end()) ==
        std::set<std::string>{"deporte escolar", "escuelas", "promoción"});
  // dct:Frequency → rdf:value → time:DurationDescription with time:years 1.0.
  CHECK(d.frequency_raw == "R/P1Y");
  CHECK(d.frequency == "每年");
  CHECK(field(d, "license") == "https://datos.madrid.es/egob/catalogo/aviso-legal");
  CHECK(field(d, "language") == "es");
  CHECK(d.topic_raw == "http://datos.gob.es/kos/sector-publico/sector/deporte");
  REQUIRE(d.distributions.size() == 1);
  CHECK(d.distributions[0].url ==
        "https://datos.madrid.es/egob/catalogo/300676-0-deporte-encuesta-escuelas.xlsx");
  CHECK(d.distributions[0].format_raw == "XLS");  // dct:format → dct:IMT's rdfs:label
  CHECK(d.distributions[0].format == "xls");
  CHECK(d.distributions[0].byte_size == 43008);  // dcat:byteSize 43008.0
}

TEST_CASE("DCAT Turtle: malformed documents name the source, line and column; nothing crashes") {
  std::string err;
  const std::string bad =
      "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
      "@prefix dct: <http://purl.org/dc/terms/> .\n"
      "<https://x.test/d1> a dcat:Dataset ;\n"
      "    dct:title \"unterminated ;\n";
  CHECK(odh::records_from_document("dcat-turtle", bad, &err, "https://x.test/catalog.ttl").empty());
  CHECK(err.rfind("https://x.test/catalog.ttl:", 0) == 0);
  CHECK(err.find(":4:") != std::string::npos);  // the string starts on line 4
  err.clear();
  CHECK(odh::records_from_document("dcat-turtle", "<a> <b> <c> .\n<c> <d> .\n", &err, "f.ttl").empty());
  CHECK(err.rfind("f.ttl:2:", 0) == 0);  // no object on line 2
  err.clear();
  CHECK(
      odh::records_from_document("dcat-turtle", "<a> <b> <c> .\nnope:x <b> <c> .\n", &err, "f.ttl").empty());
  CHECK(err == "f.ttl: undefined prefix in 'nope:x'");
  // Hostile nesting is refused with an error, not a stack overflow.
  std::string deep = "<s> <p> ";
  for (int i = 0; i < 100000; ++i) deep += "[ <p> ";
  deep += "<o>";
  for (int i = 0; i < 100000; ++i) deep += " ]";
  deep += " .\n";
  err.clear();
  CHECK(odh::records_from_document("dcat-turtle", deep, &err, "deep.ttl").empty());
  CHECK(!err.empty());
  std::string deep_list = "<s> <p> " + std::string(100000, '(') + std::string(100000, ')') + " .\n";
  err.clear();
  odh::records_from_document("dcat-turtle", deep_list, &err, "list.ttl");
  CHECK(!err.empty());
  // Binary junk and an empty document.
  err.clear();
  CHECK(odh::records_from_document("dcat-turtle", std::string("\0\xff\xfe<<<", 6), &err, "junk").empty());
  err.clear();
  CHECK(odh::records_from_document("dcat-turtle", "", &err, "empty").empty());
  CHECK(err.empty());
  // RDF/XML nested past the bound: an error, no crash.
  std::string x = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:p=\"urn:p#\">";
  for (int i = 0; i < 300; ++i) x += "<rdf:Description><p:q>";
  for (int i = 0; i < 300; ++i) x += "</p:q></rdf:Description>";
  x += "</rdf:RDF>";
  err.clear();
  CHECK(odh::records_from_document("dcat-rdf", x, &err).empty());
  CHECK(err.find("deeper") != std::string::npos);
}

TEST_CASE("DCAT: the same graph in RDF/XML and Turtle gives the same records") {
  for (const char* f : {"dataset_gov_de.rdf", "dataset_sweden.rdf", "catalog.rdf", "dataset.rdf"}) {
    CAPTURE(f);
    std::string body = odh::read_file(fixture(std::string("international/dcat/") + f));
    odh::rdf::Graph g;
    std::string err;
    REQUIRE(odh::rdf::parse_rdfxml(body, g, &err));
    auto from_xml = odh::records_from_document("dcat-rdf", body, &err);
    REQUIRE(!from_xml.empty());
    auto from_ttl = odh::records_from_document("dcat-turtle", to_ntriples(g), &err, f);
    CHECK(err.empty());
    // N-Triples carry no prefixes: labels of unknown vocabularies become full IRIs, so compare
    // records of the DCAT vocabularies' labels.
    // N-Triples carry no prefixes: labels of other vocabularies become full IRIs, so compare the
    // pairs of the DCAT vocabularies.
    std::vector<odh::RawRecord> a = from_xml, b = from_ttl;
    for (auto* v : {&a, &b})
      for (auto& r : *v)
        std::erase_if(r.pairs, [](auto& p) {
          auto c = p.first.find(':');
          return c == std::string::npos || p.first.find("://") != std::string::npos ||
                 (p.first.compare(0, c + 1, "dct:") != 0 && p.first.compare(0, c + 1, "dcat:") != 0 &&
                  p.first.compare(0, c + 1, "adms:") != 0 && p.first.compare(0, c + 1, "foaf:") != 0);
        });
    same(a, b);
    // Every record keeps its title and the DCAT pairs.
    for (auto& r : b) CHECK(!r.title.empty());
  }
  // And the real Turtle file written as RDF/XML.
  std::string path = fixture("international/dcat/dataset_gob_es.ttl").string();
  std::string body = odh::read_file(path), err;
  odh::rdf::Graph g;
  REQUIRE(odh::rdf::parse_turtle(body, path, g, &err));
  auto from_ttl = odh::records_from_document("dcat-turtle", body, &err, path);
  auto from_xml = odh::records_from_document("dcat-rdf", to_rdfxml(g), &err);
  CHECK(err.empty());
  same(from_ttl, from_xml);
  REQUIRE(from_xml.size() == 1);
  CHECK(row_of(from_xml[0]).publisher == "Ayuntamiento de Madrid");
}

TEST_CASE("DCAT Turtle: hydra:nextPage and relative IRIs against the document URL") {
  std::string ttl =
      "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n"
      "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
      "@prefix dct: <http://purl.org/dc/terms/> .\n"
      "<d/1> a dcat:Dataset ; dct:title \"One\" ;\n"
      "  dcat:distribution [ dcat:downloadURL <files/one.csv> ] .\n"
      "<catalog.ttl?page=1> a hydra:PagedCollection ; hydra:nextPage <catalog.ttl?page=2> .\n";
  odh::rdf::Graph g;
  std::string err;
  REQUIRE(odh::rdf::parse_turtle(ttl, "https://cat.example/catalog.ttl?page=1", g, &err));
  CHECK(odh::rdf::hydra_next(g) == "https://cat.example/catalog.ttl?page=2");
  auto recs = odh::rdf::dcat_records(g);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].url == "https://cat.example/d/1");
  REQUIRE(recs[0].files.size() == 1);
  CHECK(recs[0].files[0].url == "https://cat.example/files/one.csv");
  CHECK(recs[0].files[0].format == "csv");
}
