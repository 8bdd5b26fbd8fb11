// The harvested catalogue as DCAT-AP (docs/export.md): one dcat:Catalog per portal, its datasets,
// distributions, publishers, themes, frequencies, licences and the WARC record each dataset came from.
// One graph model (a subject with its properties), three writers: Turtle through Serd, JSON-LD through
// nlohmann::json, RDF/XML by hand. Every IRI the export writes is ASCII (portal URLs percent-encoded,
// odh's own IRIs minted as urn:odh:…), every literal valid UTF-8 without control characters, so the three
// syntaxes carry the same triples.
#include <serd/serd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/core.h"
#include "registry/reference.h"
#include "reports/reports.h"

namespace odh::reports {
namespace {

constexpr std::array<std::pair<const char*, const char*>, 9> kPrefixes{{
    {"dcat", "http://www.w3.org/ns/dcat#"},
    {"dct", "http://purl.org/dc/terms/"},
    {"foaf", "http://xmlns.com/foaf/0.1/"},
    {"prov", "http://www.w3.org/ns/prov#"},
    {"skos", "http://www.w3.org/2004/02/skos/core#"},
    {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
    {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
    {"xsd", "http://www.w3.org/2001/XMLSchema#"},
    {"odh", "urn:odh:"},
}};
constexpr const char* kTheme = "http://publications.europa.eu/resource/authority/data-theme/";
constexpr const char* kFrequency = "http://publications.europa.eu/resource/authority/frequency/";
constexpr const char* kFileType = "http://publications.europa.eu/resource/authority/file-type/";
constexpr std::size_t kMaxIri = 2000;        // bytes of a portal URL, after encoding
constexpr std::size_t kMaxLiteral = 20000;   // code points of a description
constexpr std::size_t kMaxShort = 2000;      // code points of a title, name, keyword

// "dct:title" → its full IRI.
std::string expand(std::string_view qname) {
  auto colon = qname.find(':');
  for (auto& [p, ns] : kPrefixes)
    if (qname.substr(0, colon) == p) return ns + std::string(qname.substr(colon + 1));
  throw Failure("dcat: unknown prefix in " + std::string(qname));
}

struct Object {
  bool iri = false;
  std::string value;     // IRI (ASCII, safe) or literal text (valid UTF-8, no controls but \t \n)
  const char* datatype;  // qname or nullptr
};
struct Node {
  std::string subject;
  std::vector<std::pair<const char*, Object>> props;  // predicate qname → object
  void iri(const char* p, std::string v) { props.push_back({p, {true, std::move(v), nullptr}}); }
  void lit(const char* p, std::string v, const char* dt = nullptr) {
    if (!v.empty()) props.push_back({p, {false, std::move(v), dt}});
  }
};

// ---- Untrusted text ---------------------------------------------------------------------------------

// Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF; each bad byte → U+FFFD), without
// C0 controls other than tab and newline (CR and CRLF become a newline), DEL, U+FFFE/U+FFFF (not
// allowed in XML), cut after max_chars code points with "…".
std::string clean_text(std::string_view s, std::size_t max_chars) {
  std::string out;
  out.reserve(std::min(s.size(), max_chars * 4));
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    char32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (ok) {
      const char32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : len == 4 ? 0x10000 : 0;
      ok = cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (chars == max_chars) return out + "…";
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      ++chars;
      continue;
    }
    i += len;
    if (cp == '\r') {
      if (i < s.size() && s[i] == '\n') continue;  // CRLF: the LF follows
      cp = '\n';
      out += '\n';
    } else if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F || cp == 0xFFFE || cp == 0xFFFF) {
      continue;
    } else {
      out.append(s.substr(i - len, len));
    }
    ++chars;
  }
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

bool hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Every byte but the unreserved ones percent-encoded: a component of an urn:odh: IRI.
std::string pct_component(std::string_view s) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

// A URL published by a portal as an IRI the three syntaxes can carry: http, https or ftp with a host,
// every byte outside RFC 3986's unreserved and reserved sets percent-encoded (non-ASCII, spaces, quotes,
// < > \ ^ ` { | }, controls; a '%' not starting an escape), at most kMaxIri bytes. Empty when unusable.
std::string safe_iri(std::string_view raw) {
  const std::string s = trim(raw);
  std::string lower;
  for (char c : s.substr(0, 8)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t rest = lower.rfind("http://", 0) == 0    ? 7
                     : lower.rfind("https://", 0) == 0 ? 8
                     : lower.rfind("ftp://", 0) == 0   ? 6
                                                       : 0;
  if (!rest || rest >= s.size() || s[rest] == '/' || s[rest] == '?' || s[rest] == '#') return "";
  static const char* digits = "0123456789ABCDEF";
  static const std::string_view allowed = "-._~:/?#[]@!$&'()*+,;=";
  std::string out = lower.substr(0, rest);  // the scheme in lower case
  bool after_authority = false, in_fragment = false;
  for (std::size_t i = rest; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    // '[' ']' only in the authority (IPv6), one '#' only: elsewhere they are encoded.
    const bool misplaced = ((c == '[' || c == ']') && after_authority) || (c == '#' && in_fragment);
    if (c == '/' || c == '?' || c == '#') after_authority = true;
    if (!misplaced && c == '#') in_fragment = true;
    if (!misplaced && (std::isalnum(c) || allowed.find(static_cast<char>(c)) != std::string_view::npos ||
                       (c == '%' && i + 2 < s.size() && hex(s[i + 1]) && hex(s[i + 2])))) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
    if (out.size() > kMaxIri) return "";
  }
  return out;
}

bool iso_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  const int m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

// FNV-1a 64 as 16 hex digits: short, stable IRIs for agents and licences named by free text.
std::string hash_id(std::string_view a, std::string_view b = {}) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  };
  mix(a);
  mix(std::string_view("\x1F", 1));
  mix(b);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// ---- Mapping tables (data/export/*.csv) -----------------------------------------------------------

std::map<std::string, std::string> load_map(const std::filesystem::path& file, std::size_t key_col,
                                             std::size_t value_col) {
  std::ifstream in(file);
  if (!in) throw Failure(file.string() + ": cannot read");
  std::map<std::string, std::string> out;
  std::string line;
  int n = 0;
  bool header = true;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    auto cells = split_csv_line(line);
    if (cells.size() <= std::max(key_col, value_col) || cells[key_col].empty())
      throw InputError(file.string(), n, "row", "needs at least " + std::to_string(std::max(key_col, value_col) + 1) +
                                                    " cells and a key");
    for (char c : cells[value_col])
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ' ')
        throw InputError(file.string(), n, "code", "not an EU authority code: " + cells[value_col]);
    out[cells[key_col]] = cells[value_col];
  }
  return out;
}

// ---- Writers -----------------------------------------------------------------------------------

class Writer {
 public:
  virtual ~Writer() = default;
  virtual void node(const Node& n) = 0;
  virtual void finish() = 0;
};

size_t serd_sink(const void* buf, size_t len, void* stream) {
  static_cast<std::ostream*>(stream)->write(static_cast<const char*>(buf), static_cast<std::streamsize>(len));
  return len;
}

class TurtleWriter : public Writer {
 public:
  explicit TurtleWriter(std::ostream& out) {
    env_ = serd_env_new(nullptr);
    writer_ = serd_writer_new(SERD_TURTLE, static_cast<SerdStyle>(SERD_STYLE_ABBREVIATED | SERD_STYLE_CURIED),
                              env_, nullptr, serd_sink, &out);
    for (auto& [p, ns] : kPrefixes) {
      if (std::string_view(p) == "odh") continue;  // urn:odh: IRIs stay whole (their parts are %-encoded)
      SerdNode name = serd_node_from_string(SERD_LITERAL, reinterpret_cast<const uint8_t*>(p));
      SerdNode uri = serd_node_from_string(SERD_URI, reinterpret_cast<const uint8_t*>(ns));
      serd_env_set_prefix(env_, &name, &uri);
      serd_writer_set_prefix(writer_, &name, &uri);
    }
  }
  ~TurtleWriter() override {
    serd_writer_free(writer_);
    serd_env_free(env_);
  }
  void node(const Node& n) override {
    SerdNode s = uri(n.subject);
    for (auto& [pred, obj] : n.props) {
      const std::string p_iri = expand(pred);
      SerdNode p = uri(p_iri);
      std::string dt_iri = obj.datatype ? expand(obj.datatype) : "";
      SerdNode dt = obj.datatype ? uri(dt_iri) : SERD_NODE_NULL;
      SerdNode o = obj.iri ? uri(obj.value)
                           : serd_node_from_substring(SERD_LITERAL, reinterpret_cast<const uint8_t*>(obj.value.data()),
                                                      obj.value.size());
      if (serd_writer_write_statement(writer_, 0, nullptr, &s, &p, &o, obj.datatype ? &dt : nullptr, nullptr))
        throw Failure("dcat: Serd refused a statement about " + n.subject);
    }
  }
  void finish() override { serd_writer_finish(writer_); }

 private:
  static SerdNode uri(const std::string& s) {
    return serd_node_from_substring(SERD_URI, reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  SerdEnv* env_ = nullptr;
  SerdWriter* writer_ = nullptr;
};

class JsonLdWriter : public Writer {
 public:
  explicit JsonLdWriter(std::ostream& out) : out_(out) {
    nlohmann::json ctx = nlohmann::json::object();
    for (auto& [p, ns] : kPrefixes)
      if (std::string_view(p) != "odh") ctx[p] = ns;
    out_ << "{\n\"@context\": " << ctx.dump() << ",\n\"@graph\": [";
  }
  void node(const Node& n) override {
    nlohmann::json j = nlohmann::json::object();
    j["@id"] = n.subject;
    for (auto& [pred, obj] : n.props) {
      if (std::string_view(pred) == "rdf:type") {
        j["@type"].push_back(obj.value);  // full IRIs: never read as a term
        continue;
      }
      nlohmann::json v = nlohmann::json::object();
      if (obj.iri) {
        v["@id"] = obj.value;
      } else {
        v["@value"] = obj.value;
        if (obj.datatype) v["@type"] = expand(obj.datatype);
      }
      j[expand(pred)].push_back(std::move(v));
    }
    out_ << (first_ ? "\n" : ",\n") << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    first_ = false;
  }
  void finish() override { out_ << "\n]\n}\n"; }

 private:
  std::ostream& out_;
  bool first_ = true;
};

// XML 1.0 text or attribute value: the text is already free of characters XML cannot carry.
std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\n': out += "&#10;"; break;  // kept as is in text too, but explicit survives any reader
      case '\t': out += "&#9;"; break;
      default: out += c;
    }
  }
  return out;
}

class RdfXmlWriter : public Writer {
 public:
  explicit RdfXmlWriter(std::ostream& out) : out_(out) {
    out_ << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF";
    for (auto& [p, ns] : kPrefixes)
      if (std::string_view(p) != "odh") out_ << "\n    xmlns:" << p << "=\"" << ns << '"';
    out_ << ">\n";
  }
  void node(const Node& n) override {
    out_ << "  <rdf:Description rdf:about=\"" << xml_escape(n.subject) << "\">\n";
    for (auto& [pred, obj] : n.props) {
      out_ << "    <" << pred;
      if (obj.iri) {
        out_ << " rdf:resource=\"" << xml_escape(obj.value) << "\"/>\n";
        continue;
      }
      if (obj.datatype) out_ << " rdf:datatype=\"" << expand(obj.datatype) << '"';
      out_ << '>' << xml_escape(obj.value) << "</" << pred << ">\n";
    }
    out_ << "  </rdf:Description>\n";
  }
  void finish() override { out_ << "</rdf:RDF>\n"; }

 private:
  std::ostream& out_;
};

// ---- The graph -----------------------------------------------------------------------------------

struct Maps {
  std::map<std::string, std::string> themes, frequencies, formats;
};

class Exporter {
 public:
  Exporter(Writer& w, const Maps& maps, std::int64_t run, DcatStats& st) : w_(w), maps_(maps), run_(run), st_(st) {}

  void catalog(const sql::Row& r) {  // a portal_details row
    const std::string pid = r.text(0);
    Node n{catalog_iri(pid), {}};
    n.iri("rdf:type", expand("dcat:Catalog"));
    n.lit("dct:title", clean_text(r.text(1), kMaxShort));
    n.lit("dct:identifier", clean_text(pid, kMaxShort));
    if (auto url = iri(r.text(9)); !url.empty()) n.iri("foaf:homepage", url);
    const std::string agent = "urn:odh:agent:portal:" + pct_component(pid);
    n.iri("dct:publisher", agent);
    emit(n);
    Node a{agent, {}};
    a.iri("rdf:type", expand("foaf:Agent"));
    a.lit("foaf:name", clean_text(r.text(1), kMaxShort));
    emit(a);
    ++st_.catalogs;
    portals_.insert(pid);
  }

  // One dcat_rows row: a dataset (first row of its pk) and its distribution, if any.
  void row(const sql::Row& r) {
    const std::int64_t pk = r.i64(0);
    if (pk != current_) {
      flush();
      current_ = pk;
      dataset(r);
    }
    if (!r.is_null(16)) distribution(r);
  }

  void flush() {
    if (current_ < 0) return;
    emit(ds_);
    for (auto& d : dists_) emit(d);
    for (auto& x : extra_) emit(x);
    ds_ = {};
    dists_.clear();
    extra_.clear();
    current_ = -1;
  }

 private:
  std::string catalog_iri(const std::string& pid) const {
    return "urn:odh:run:" + std::to_string(run_) + ":catalog:" + pct_component(pid);
  }
  std::string iri(const std::string& raw) {
    if (trim(raw).empty()) return "";
    std::string s = safe_iri(raw);
    if (s.empty()) ++st_.dropped_iris;
    return s;
  }
  void emit(const Node& n) {
    if (n.props.empty()) return;
    st_.triples += static_cast<long long>(n.props.size());
    w_.node(n);
  }

  void dataset(const sql::Row& r) {
    const std::string pid = r.text(1);
    const std::string ds = "urn:odh:run:" + std::to_string(run_) + ":dataset:" + std::to_string(r.i64(0));
    ++st_.datasets;
    if (portals_.count(pid)) {
      Node c{catalog_iri(pid), {}};
      c.iri("dcat:dataset", ds);
      extra_.push_back(std::move(c));
    }
    ds_ = Node{ds, {}};
    ds_.iri("rdf:type", expand("dcat:Dataset"));
    ds_.lit("dct:title", clean_text(r.text(4), kMaxShort));
    ds_.lit("dct:description", clean_text(r.text(5), kMaxLiteral));
    ds_.lit("dct:identifier", clean_text(r.text(2), kMaxShort));
    for (int c : {9, 10})
      if (iso_date(r.text(c))) ds_.lit(c == 9 ? "dct:issued" : "dct:modified", r.text(c), "xsd:date");
    if (const std::string pub = clean_text(trim(r.text(6)), kMaxShort); !pub.empty()) {
      const std::string agent = "urn:odh:agent:" + hash_id(pid, pub);
      ds_.iri("dct:publisher", agent);
      if (agents_.insert(agent).second) {
        Node a{agent, {}};
        a.iri("rdf:type", expand("foaf:Agent"));
        a.lit("foaf:name", pub);
        extra_.push_back(std::move(a));
      }
    }
    std::string tags = r.text(12);
    for (std::size_t b = 0; b <= tags.size();) {
      std::size_t e = tags.find(';', b);
      if (e == std::string::npos) e = tags.size();
      if (auto k = clean_text(trim(std::string_view(tags).substr(b, e - b)), kMaxShort); !k.empty())
        ds_.lit("dcat:keyword", k);
      b = e + 1;
    }
    if (const std::string theme = r.text(7); !theme.empty()) {
      auto it = maps_.themes.find(theme);
      if (it != maps_.themes.end() && !it->second.empty()) {
        std::istringstream codes(it->second);
        for (std::string code; codes >> code;) ds_.iri("dcat:theme", kTheme + code);
      } else {
        ++st_.unmapped_themes;
        const std::string concept_iri = "urn:odh:theme:" + pct_component(theme);
        ds_.iri("dcat:theme", concept_iri);
        if (concepts_.insert(concept_iri).second) {
          Node t{concept_iri, {}};
          t.iri("rdf:type", expand("skos:Concept"));
          t.lit("skos:prefLabel", clean_text(theme, kMaxShort));
          extra_.push_back(std::move(t));
        }
      }
    }
    if (const std::string f = r.text(11); !f.empty()) {
      if (auto it = maps_.frequencies.find(f); it != maps_.frequencies.end())
        ds_.iri("dct:accrualPeriodicity", kFrequency + it->second);
    }
    if (const std::string lic = trim(r.text(13)); !lic.empty()) {
      std::string lic_iri = safe_iri(lic);
      if (lic_iri.empty()) {  // a licence named in words: an odh LicenseDocument labelled with it
        lic_iri = "urn:odh:license:" + hash_id(lic);
        if (licences_.insert(lic_iri).second) {
          Node l{lic_iri, {}};
          l.iri("rdf:type", expand("dct:LicenseDocument"));
          l.lit("rdfs:label", clean_text(lic, kMaxShort));
          extra_.push_back(std::move(l));
        }
      }
      ds_.iri("dct:license", lic_iri);
    }
    if (auto page = iri(r.text(3)); !page.empty()) ds_.iri("dcat:landingPage", page);
    if (const std::string file = r.text(14); !file.empty() && !r.is_null(15))
      ds_.iri("prov:wasDerivedFrom", warc_record_iri(file, r.i64(15)));
  }

  void distribution(const sql::Row& r) {
    ++st_.distributions;
    const std::string d = "urn:odh:run:" + std::to_string(run_) + ":distribution:" + std::to_string(r.i64(16));
    ds_.iri("dcat:distribution", d);
    Node n{d, {}};
    n.iri("rdf:type", expand("dcat:Distribution"));
    if (auto url = iri(r.text(19)); !url.empty()) {
      n.iri("dcat:accessURL", url);
      n.iri("dcat:downloadURL", url);
    }
    const std::string fmt = r.text(17);
    if (!fmt.empty()) {
      if (auto it = maps_.formats.find(fmt); it != maps_.formats.end()) {
        n.iri("dct:format", kFileType + it->second);
      } else {
        ++st_.unmapped_formats;
        const std::string f = "urn:odh:format:" + pct_component(fmt);
        n.iri("dct:format", f);
        if (concepts_.insert(f).second) {
          Node t{f, {}};
          t.iri("rdf:type", expand("dct:MediaTypeOrExtent"));
          t.lit("rdfs:label", clean_text(fmt, kMaxShort));
          extra_.push_back(std::move(t));
        }
      }
    }
    if (const std::string raw = r.text(18); !raw.empty() && raw != fmt)
      n.lit("rdfs:label", clean_text(raw, kMaxShort));
    dists_.push_back(std::move(n));
  }

  Writer& w_;
  const Maps& maps_;
  std::int64_t run_;
  DcatStats& st_;
  std::set<std::string> portals_, agents_, concepts_, licences_;
  std::int64_t current_ = -1;
  Node ds_;
  std::vector<Node> dists_, extra_;
};

}  // namespace

std::string warc_record_iri(const std::string& warc_file, std::int64_t offset) {
  const auto slash = warc_file.find_last_of('/');
  const std::string name = slash == std::string::npos ? warc_file : warc_file.substr(slash + 1);
  return "urn:odh:warc:" + pct_component(name) + "#" + std::to_string(offset);
}

DcatStats write_dcat(StoreReader& db, const DcatOptions& options, std::ostream& out) {
  if (options.format != "ttl" && options.format != "jsonld" && options.format != "rdfxml")
    throw UsageError("--format must be ttl, jsonld or rdfxml (not " + options.format + ")");
  DcatStats st;
  st.run = options.run ? options.run : db.latest_run(true);
  if (!st.run) st.run = db.latest_run(false);
  if (!st.run || db.run_info(st.run).run_id == 0)
    throw Failure("the store " + db.path() + " has no run " + (options.run ? std::to_string(options.run) : ""));
  const auto dir = (options.data_dir.empty() ? data_dir() : options.data_dir) / "export";
  Maps maps{load_map(dir / "dcat_themes.csv", 0, 1), load_map(dir / "dcat_frequencies.csv", 0, 1),
            load_map(dir / "dcat_formats.csv", 0, 1)};
  std::unique_ptr<Writer> w;
  if (options.format == "ttl") w = std::make_unique<TurtleWriter>(out);
  else if (options.format == "jsonld") w = std::make_unique<JsonLdWriter>(out);
  else w = std::make_unique<RdfXmlWriter>(out);
  Exporter ex(*w, maps, st.run, st);
  db.portal_details(st.run, [&](const sql::Row& r) { ex.catalog(r); });
  db.dcat_rows(st.run, [&](const sql::Row& r) { ex.row(r); });
  ex.flush();
  w->finish();
  out.flush();
  if (!out) throw Failure("dcat: writing the export failed");
  return st;
}

}  // namespace odh::reports
