// RDF documents → triples (RDF/XML with pugixml, Turtle with Serd) → DCAT records.
#include "parsers/rdf.h"

#include <serd/serd.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <pugixml.hpp>
#include <unordered_map>

#include "parsers/normalize.h"

namespace odh::rdf {
namespace {

constexpr const char* kRdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
constexpr const char* kXml = "http://www.w3.org/XML/1998/namespace";
constexpr const char* kDcat = "http://www.w3.org/ns/dcat#";
constexpr const char* kDct = "http://purl.org/dc/terms/";
constexpr const char* kTime = "http://www.w3.org/2006/time#";
constexpr const char* kHydra = "http://www.w3.org/ns/hydra/core#";

std::string cat(const char* ns, const char* local) { return std::string(ns) + local; }

}  // namespace

const std::map<std::string, std::string>& known_prefixes() {
  static const std::map<std::string, std::string> m = {
      {"http://purl.org/dc/terms/", "dct:"},
      {"http://www.w3.org/ns/dcat#", "dcat:"},
      {"http://xmlns.com/foaf/0.1/", "foaf:"},
      {"http://www.w3.org/2006/vcard/ns#", "vcard:"},
      {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf:"},
      {"http://www.w3.org/2000/01/rdf-schema#", "rdfs:"},
      {"http://www.w3.org/ns/adms#", "adms:"},
      {"http://www.w3.org/2004/02/skos/core#", "skos:"},
      {"http://purl.org/dc/elements/1.1/", "dc:"},
      {"http://schema.org/", "schema:"}};
  return m;
}

std::string label_of(const Graph& g, const std::string& iri) {
  size_t best = 0;
  std::string out = iri;
  for (const auto& [ns, pre] : known_prefixes())
    if (ns.size() > best && iri.size() > ns.size() && iri.compare(0, ns.size(), ns) == 0) {
      best = ns.size();
      out = pre + iri.substr(ns.size());
    }
  if (best) return out;
  for (const auto& [pre, ns] : g.prefixes)
    if (!ns.empty() && ns.size() > best && iri.size() > ns.size() && iri.compare(0, ns.size(), ns) == 0) {
      best = ns.size();
      out = pre.empty() ? iri.substr(ns.size()) : pre + ":" + iri.substr(ns.size());
    }
  return out;
}

// ---- RDF/XML -------------------------------------------------------------------------------

namespace {

class XmlReader {
 public:
  explicit XmlReader(Graph& g) : g_(g) {}

  bool read(const pugi::xml_document& doc, std::string* error) {
    pugi::xml_node root = doc.document_element();
    if (!root) {
      if (error) *error = "bad XML: no document element";
      return false;
    }
    collect_prefixes(root, 0);
    if (uri(root) == cat(kRdf, "RDF")) {
      for (auto c : root.children())
        if (c.type() == pugi::node_element) describe(c, subject_of(c), 1);
    } else {
      describe(root, subject_of(root), 0);
    }
    if (too_deep_ && error) *error = "RDF/XML nested deeper than " + std::to_string(kMaxDepth) + " levels";
    return !too_deep_;
  }

 private:
  Graph& g_;
  int blanks_ = 0;
  bool too_deep_ = false;

  void collect_prefixes(const pugi::xml_node& n, int depth) {
    if (depth > kMaxDepth) return;
    for (auto a : n.attributes()) {
      std::string_view an = a.name();
      if (an.substr(0, 6) == "xmlns:")
        g_.prefixes.emplace(std::string(an.substr(6)), a.value());
      else if (an == "xmlns")
        g_.prefixes.emplace("", a.value());
    }
    for (auto c : n.children())
      if (c.type() == pugi::node_element) collect_prefixes(c, depth + 1);
  }

  // The namespace bound to `prefix` at n: the nearest declaration up the tree.
  static std::string ns_at(pugi::xml_node n, std::string_view prefix) {
    if (prefix == "xml") return kXml;
    std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
    for (; n; n = n.parent())
      if (auto a = n.attribute(attr.c_str())) return a.value();
    return "";
  }
  // Full IRI of a qualified name at n ("" when unprefixed attributes or unbound prefixes).
  static std::string expand(const pugi::xml_node& n, std::string_view qname, bool attribute) {
    auto c = qname.find(':');
    if (c == std::string_view::npos) {
      if (attribute) return "";
      std::string ns = ns_at(n, "");
      return ns.empty() ? std::string(qname) : ns + std::string(qname);
    }
    std::string ns = ns_at(n, qname.substr(0, c));
    return ns.empty() ? std::string(qname) : ns + std::string(qname.substr(c + 1));
  }
  static std::string uri(const pugi::xml_node& n) { return expand(n, n.name(), false); }
  // The value of the attribute whose expanded name is rdf:<local>.
  static const char* rdf_attr(const pugi::xml_node& n, const char* local) {
    for (auto a : n.attributes()) {
      std::string_view an = a.name();
      auto c = an.find(':');
      if (c == std::string_view::npos || an.substr(c + 1) != local || an.substr(0, 5) == "xmlns") continue;
      if (ns_at(n, an.substr(0, c)) == kRdf) return a.value();
    }
    return nullptr;
  }
  Term fresh() { return Term{Term::Kind::kBlank, "x" + std::to_string(++blanks_), "", ""}; }
  static Term iri(std::string v) { return Term{Term::Kind::kIri, std::move(v), "", ""}; }
  void add(const Term& s, std::string p, Term o) { g_.triples.push_back({s, std::move(p), std::move(o)}); }

  Term subject_of(const pugi::xml_node& e) {
    if (const char* a = rdf_attr(e, "about")) return iri(a);
    if (const char* a = rdf_attr(e, "nodeID")) return Term{Term::Kind::kBlank, std::string("n") + a, "", ""};
    if (const char* a = rdf_attr(e, "ID")) return iri(std::string("#") + a);
    return fresh();
  }

  // Attributes that are properties (not rdf:about/… syntax, not xmlns or xml:*).
  bool property_attr(const pugi::xml_node& e, const pugi::xml_attribute& a, std::string& p) const {
    std::string_view an = a.name();
    if (an == "xmlns" || an.substr(0, 6) == "xmlns:") return false;
    p = expand(e, an, true);
    if (p.empty() || p.compare(0, std::strlen(kXml), kXml) == 0) return false;
    if (p.compare(0, std::strlen(kRdf), kRdf) == 0) {
      std::string_view local = std::string_view(p).substr(std::strlen(kRdf));
      return local == "type" || local == "value";
    }
    return true;
  }

  void describe(const pugi::xml_node& e, const Term& s, int depth) {
    if (depth > kMaxDepth) {
      too_deep_ = true;
      return;
    }
    std::string t = uri(e);
    if (t != cat(kRdf, "Description")) add(s, cat(kRdf, "type"), iri(t));
    std::string p;
    for (auto a : e.attributes())
      if (property_attr(e, a, p))
        add(s, p, p == cat(kRdf, "type") ? iri(a.value()) : Term{Term::Kind::kLiteral, a.value(), "", ""});
    for (auto c : e.children())
      if (c.type() == pugi::node_element) property(c, s, depth + 1);
  }

  void property(const pugi::xml_node& pe, const Term& s, int depth) {
    if (depth > kMaxDepth) {
      too_deep_ = true;
      return;
    }
    std::string p = uri(pe);
    const char* parse_type = rdf_attr(pe, "parseType");
    pugi::xml_node child;
    for (auto c : pe.children())
      if (c.type() == pugi::node_element) {
        child = c;
        break;
      }
    if (parse_type && std::strcmp(parse_type, "Resource") == 0) {
      Term b = fresh();
      add(s, p, b);
      for (auto c : pe.children())
        if (c.type() == pugi::node_element) property(c, b, depth + 1);
      return;
    }
    if (parse_type && std::strcmp(parse_type, "Literal") == 0) {
      add(s, p, Term{Term::Kind::kLiteral, pe.text().get(), cat(kRdf, "XMLLiteral"), ""});
      return;
    }
    if (child) {  // nested node element(s); a Collection gives each member as a value
      for (auto c = child; c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        Term o = subject_of(c);
        add(s, p, o);
        describe(c, o, depth + 1);
        if (!parse_type) break;
      }
      return;
    }
    Term o;
    if (const char* r = rdf_attr(pe, "resource"))
      o = iri(r);
    else if (const char* n = rdf_attr(pe, "nodeID"))
      o = Term{Term::Kind::kBlank, std::string("n") + n, "", ""};
    std::string ap;
    bool attrs = false;
    for (auto a : pe.attributes()) attrs = attrs || property_attr(pe, a, ap);
    if (o.resource() || attrs) {  // a resource, possibly described by property attributes
      if (!o.resource()) o = fresh();
      add(s, p, o);
      for (auto a : pe.attributes())
        if (property_attr(pe, a, ap))
          add(o, ap,
              ap == cat(kRdf, "type") ? iri(a.value()) : Term{Term::Kind::kLiteral, a.value(), "", ""});
      return;
    }
    Term lit{Term::Kind::kLiteral, pe.text().get(), "", ""};
    if (const char* dt = rdf_attr(pe, "datatype")) lit.datatype = dt;
    if (auto lang = pe.attribute("xml:lang")) lit.lang = lang.value();
    add(s, p, std::move(lit));
  }
};

}  // namespace

bool parse_rdfxml(std::string_view text, Graph& out, std::string* error) {
  pugi::xml_document x;
  auto res = x.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!res) {
    if (error)
      *error = std::string("bad XML: ") + res.description() + " at byte " + std::to_string(res.offset);
    return false;
  }
  return XmlReader(out).read(x, error);
}

// ---- Turtle (Serd) -------------------------------------------------------------------------

namespace {

struct TurtleState {
  Graph* g = nullptr;
  SerdEnv* env = nullptr;
  std::string source;
  std::string error;  // first error
  size_t depth = 0;   // open [ … ] / ( … ) nodes (Serd's end sink closes them)
};

std::string node_str(const SerdNode* n) {
  return n && n->buf ? std::string(reinterpret_cast<const char*>(n->buf), n->n_bytes) : std::string();
}

// URI or CURIE → absolute IRI when the environment can expand it, else as written.
std::string expand_node(const SerdEnv* env, const SerdNode* n) {
  SerdNode full = serd_env_expand_node(env, n);
  if (!full.buf) return node_str(n);
  std::string s = node_str(&full);
  serd_node_free(&full);
  return s;
}

// A CURIE whose prefix the document never declared is an error in Turtle (Serd passes it on).
std::string expand_checked(TurtleState& st, const SerdNode* n) {
  SerdNode full = serd_env_expand_node(st.env, n);
  if (!full.buf) {
    if (n->type == SERD_CURIE && st.error.empty())
      st.error = st.source + ": undefined prefix in '" + node_str(n) + "'";
    return node_str(n);
  }
  std::string s = node_str(&full);
  serd_node_free(&full);
  return s;
}

Term to_term(TurtleState& st, const SerdNode* n) {
  switch (n->type) {
    case SERD_BLANK:
      return Term{Term::Kind::kBlank, node_str(n), "", ""};
    case SERD_URI:
    case SERD_CURIE:
      return Term{Term::Kind::kIri, expand_checked(st, n), "", ""};
    default:
      return Term{Term::Kind::kLiteral, node_str(n), "", ""};
  }
}

SerdStatus on_base(void* h, const SerdNode* uri) {
  auto* st = static_cast<TurtleState*>(h);
  return serd_env_set_base_uri(st->env, uri);
}

SerdStatus on_prefix(void* h, const SerdNode* name, const SerdNode* uri) {
  auto* st = static_cast<TurtleState*>(h);
  SerdStatus s = serd_env_set_prefix(st->env, name, uri);
  st->g->prefixes.emplace(node_str(name), expand_node(st->env, uri));
  return s;
}

SerdStatus on_statement(void* h, SerdStatementFlags flags, const SerdNode*, const SerdNode* subject,
                        const SerdNode* predicate, const SerdNode* object, const SerdNode* datatype,
                        const SerdNode* lang) {
  auto* st = static_cast<TurtleState*>(h);
  if (flags & (SERD_ANON_S_BEGIN | SERD_ANON_O_BEGIN | SERD_LIST_S_BEGIN | SERD_LIST_O_BEGIN)) ++st->depth;
  if (st->depth > static_cast<size_t>(kMaxDepth)) {
    if (st->error.empty())
      st->error = st->source + ": nested deeper than " + std::to_string(kMaxDepth) + " levels";
    return SERD_ERR_BAD_SYNTAX;
  }
  Triple t{to_term(*st, subject), expand_checked(*st, predicate), to_term(*st, object)};
  if (t.object.kind == Term::Kind::kLiteral) {
    if (datatype && datatype->buf) t.object.datatype = expand_checked(*st, datatype);
    if (lang && lang->buf) t.object.lang = node_str(lang);
  }
  st->g->triples.push_back(std::move(t));
  return SERD_SUCCESS;
}

SerdStatus on_end(void* h, const SerdNode*) {
  auto* st = static_cast<TurtleState*>(h);
  if (st->depth) --st->depth;
  return SERD_SUCCESS;
}

SerdStatus on_error(void* h, const SerdError* e) {
  auto* st = static_cast<TurtleState*>(h);
  if (!st->error.empty()) return SERD_SUCCESS;
  char msg[512];
  va_list args;
  va_copy(args, *e->args);
  std::vsnprintf(msg, sizeof msg, e->fmt, args);
  va_end(args);
  std::string m = trim(msg);
  st->error = st->source + ":" + std::to_string(e->line) + ":" + std::to_string(e->col) + ": " + m;
  return SERD_SUCCESS;
}

struct MemSource {
  std::string_view text;
  size_t pos = 0;
};

size_t mem_read(void* buf, size_t size, size_t nmemb, void* stream) {
  auto* m = static_cast<MemSource*>(stream);
  size_t want = size * nmemb;
  size_t n = std::min(want, m->text.size() - m->pos);
  std::memcpy(buf, m->text.data() + m->pos, n);
  m->pos += n;
  return size ? n / size : 0;
}

int mem_error(void*) { return 0; }

}  // namespace

bool parse_turtle(std::string_view text, const std::string& source, Graph& out, std::string* error) {
  TurtleState st;
  st.g = &out;
  st.source = source.empty() ? "turtle" : source;
  SerdNode base = SERD_NODE_NULL;
  if (source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0)
    base = serd_node_from_string(SERD_URI, reinterpret_cast<const uint8_t*>(source.c_str()));
  st.env = serd_env_new(base.buf ? &base : nullptr);
  SerdReader* reader = serd_reader_new(SERD_TURTLE, &st, nullptr, on_base, on_prefix, on_statement, on_end);
  serd_reader_set_error_sink(reader, on_error, &st);
  MemSource src{text, 0};
  SerdStatus status = serd_reader_read_source(reader, mem_read, mem_error, &src,
                                              reinterpret_cast<const uint8_t*>(st.source.c_str()), 4096);
  serd_reader_free(reader);
  serd_env_free(st.env);
  // SERD_FAILURE is "nothing (more) to read", e.g. an empty document.
  if (status != SERD_SUCCESS && status != SERD_FAILURE && st.error.empty())
    st.error = st.source + ": " + reinterpret_cast<const char*>(serd_strerror(status));
  if (!st.error.empty()) {
    if (error) *error = st.error;
    return false;
  }
  return true;
}

// ---- DCAT records from a graph ---------------------------------------------------------------

namespace {

class GraphView {
 public:
  explicit GraphView(const Graph& g) : g_(g) {
    for (size_t i = 0; i < g.triples.size(); ++i) {
      auto [it, fresh] = by_subject_.try_emplace(key(g.triples[i].subject));
      if (fresh) order_.push_back(&g.triples[i].subject);
      it->second.push_back(i);
    }
  }
  // Subjects in order of first description.
  const std::vector<const Term*>& subjects() const { return order_; }
  const std::vector<size_t>& about(const Term& t) const {
    static const std::vector<size_t> none;
    if (!t.resource()) return none;
    auto it = by_subject_.find(key(t));
    return it == by_subject_.end() ? none : it->second;
  }
  const Triple& at(size_t i) const { return g_.triples[i]; }
  bool has_type(const Term& s, const std::string& type) const {
    for (size_t i : about(s))
      if (at(i).predicate == cat(kRdf, "type") && at(i).object.resource() && at(i).object.value == type)
        return true;
    return false;
  }
  const Term* first(const Term& s, const std::string& p) const {
    for (size_t i : about(s))
      if (at(i).predicate == p) return &at(i).object;
    return nullptr;
  }

  // "R/P1Y" for a time:DurationDescription (directly, or as the rdf:value of a dct:Frequency).
  std::string duration(const Term& t, int depth = 0) const {
    if (!t.resource() || depth > 2) return "";
    static const std::pair<const char*, const char*> units[] = {
        {"years", "Y"}, {"months", "M"}, {"weeks", "W"}, {"days", "D"}, {"hours", "H"}, {"minutes", "M"}};
    for (auto [local, unit] : units)
      if (const Term* n = first(t, cat(kTime, local)); n && !n->resource()) {
        std::string v = trim(n->value);
        if (auto dot = v.find('.');
            dot != std::string::npos && v.find_first_not_of('0', dot + 1) == std::string::npos)
          v.erase(dot);
        bool time = std::strcmp(local, "hours") == 0 || std::strcmp(local, "minutes") == 0;
        return std::string("R/P") + (time ? "T" : "") + v + unit;
      }
    if (const Term* v = first(t, cat(kRdf, "value")); v && v->resource()) return duration(*v, depth + 1);
    return "";
  }

  // A human value for an object: a literal's text, a described resource's name, else its IRI.
  std::string value(const Term& t) const {
    if (!t.resource()) return trim(t.value);
    static const std::string names[] = {"http://xmlns.com/foaf/0.1/name",
                                        "http://www.w3.org/2006/vcard/ns#fn",
                                        "http://www.w3.org/2000/01/rdf-schema#label",
                                        "http://www.w3.org/2004/02/skos/core#prefLabel",
                                        cat(kRdf, "value"),
                                        cat(kDct, "title"),
                                        "http://www.w3.org/2006/vcard/ns#organization-name"};
    const auto& props = about(t);
    for (const auto& n : names)
      for (size_t i : props)
        if (at(i).predicate == n && !at(i).object.resource()) return trim(at(i).object.value);
    if (std::string d = duration(t); !d.empty()) return d;
    return t.kind == Term::Kind::kIri ? t.value : "";
  }

 private:
  static std::string key(const Term& t) { return (t.kind == Term::Kind::kBlank ? "_:" : "<") + t.value; }
  const Graph& g_;
  std::unordered_map<std::string, std::vector<size_t>> by_subject_;
  std::vector<const Term*> order_;
};

DistributionRow distribution(const GraphView& v, const Term& d) {
  DistributionRow row;
  std::string media;
  for (size_t i : v.about(d)) {
    const Triple& t = v.at(i);
    if (t.predicate == cat(kDcat, "downloadURL") ||
        (t.predicate == cat(kDcat, "accessURL") && row.url.empty()))
      row.url = v.value(t.object);
    else if (t.predicate == cat(kDct, "format"))
      row.format_raw = v.value(t.object);
    else if (t.predicate == cat(kDcat, "mediaType"))
      media = v.value(t.object);
    else if (t.predicate == cat(kDcat, "byteSize"))
      row.byte_size = parse_count(v.value(t.object));
  }
  if (row.format_raw.empty()) row.format_raw = media;
  row.format = normalize_format(row.format_raw);
  if (row.format.empty()) row.format = normalize_format(media);
  if (row.format.empty()) row.format = format_from_name(row.url);
  return row;
}

}  // namespace

std::vector<RawRecord> dcat_records(const Graph& g) {
  GraphView v(g);
  std::vector<RawRecord> out;
  const std::string dataset = cat(kDcat, "Dataset"), type = cat(kRdf, "type");
  for (const Term* s : v.subjects()) {
    if (!v.has_type(*s, dataset)) continue;
    RawRecord r;
    if (s->kind == Term::Kind::kIri) r.url = s->value;
    for (size_t i : v.about(*s)) {
      const Triple& t = v.at(i);
      if (t.predicate == type) continue;
      if (t.predicate == cat(kDcat, "distribution")) {
        if (!v.about(t.object).empty()) r.files.push_back(distribution(v, t.object));
        continue;
      }
      std::string val = v.value(t.object);
      if (t.predicate == cat(kDct, "title") && r.title.empty()) r.title = val;
      if (t.predicate == cat(kDct, "identifier") && r.source_id.empty()) r.source_id = val;
      if (t.predicate == cat(kDcat, "landingPage") && !val.empty()) r.url = val;
      if (!val.empty()) r.pairs.emplace_back(label_of(g, t.predicate), val);
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string hydra_next(const Graph& g) {
  const std::string next = cat(kHydra, "nextPage");
  for (const auto& t : g.triples)
    if (t.predicate == next) return trim(t.object.value);
  return "";
}

}  // namespace odh::rdf
