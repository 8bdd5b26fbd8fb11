#include "parsers/intl_spiders.h"

#include <pugixml.hpp>

#include "parsers/json_util.h"
#include "parsers/rdf.h"

namespace odh {
namespace {

constexpr const char* kHydra = "http://www.w3.org/ns/hydra/core#";

// The namespace URI bound to `prefix` at element n (nearest xmlns declaration up the tree).
std::string ns_uri(pugi::xml_node n, const std::string& prefix) {
  const std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
  for (; n; n = n.parent())
    if (auto a = n.attribute(attr.c_str())) return a.value();
  return "";
}

std::string trim_ws(std::string s) {
  size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::string rdf_next(const std::string& body) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8)) return "";
  // Iterative walk (no recursion on hostile depth).
  std::vector<pugi::xml_node> stack{doc.document_element()};
  size_t visited = 0;
  while (!stack.empty() && ++visited < 1000000) {
    pugi::xml_node n = stack.back();
    stack.pop_back();
    if (!n) continue;
    std::string name = n.name();
    auto c = name.find(':');
    std::string local = c == std::string::npos ? name : name.substr(c + 1);
    if (local == "nextPage" && ns_uri(n, c == std::string::npos ? "" : name.substr(0, c)) == kHydra) {
      for (auto a : n.attributes()) {
        std::string an = a.name();
        if (an == "rdf:resource" || (an.size() > 9 && an.compare(an.size() - 9, 9, ":resource") == 0))
          return a.value();
      }
      return trim_ws(n.text().get());
    }
    for (auto ch = n.last_child(); ch; ch = ch.previous_sibling())
      if (ch.type() == pugi::node_element) stack.push_back(ch);
  }
  return "";
}

std::string jsonld_next(const std::string& body) {
  detail::json doc;
  if (!detail::parse_json(body, doc, nullptr)) return "";
  std::string hydra_prefix;  // the context's prefix for the Hydra namespace
  if (doc.is_object() && doc.contains("@context") && doc["@context"].is_object())
    for (auto it = doc["@context"].begin(); it != doc["@context"].end(); ++it)
      if (it.value().is_string() && it.value().get<std::string>() == kHydra) hydra_prefix = it.key();
  std::vector<const detail::json*> nodes;
  if (doc.is_object() && doc.contains("@graph") && doc["@graph"].is_array())
    for (auto& n : doc["@graph"]) nodes.push_back(&n);
  else if (doc.is_array())
    for (auto& n : doc) nodes.push_back(&n);
  else
    nodes.push_back(&doc);
  for (const auto* n : nodes) {
    if (!n->is_object()) continue;
    for (auto it = n->begin(); it != n->end(); ++it) {
      const std::string& k = it.key();
      bool next =
          k == std::string(kHydra) + "nextPage" || (!hydra_prefix.empty() && k == hydra_prefix + ":nextPage");
      if (!next) continue;
      const auto& v = it.value();
      if (v.is_string()) return v.get<std::string>();
      if (v.is_object() && v.contains("@id") && v["@id"].is_string()) return v["@id"].get<std::string>();
    }
  }
  return "";
}

}  // namespace

std::string hydra_next_page(const std::string& format, const std::string& body) {
  try {
    if (format == "rdf") return rdf_next(body);
    if (format == "jsonld") return jsonld_next(body);
    if (format == "turtle") {
      rdf::Graph g;
      return rdf::parse_turtle(body, "", g, nullptr) ? rdf::hydra_next(g) : "";
    }
  } catch (const std::exception&) {
  }
  return "";
}

}  // namespace odh
