// Fuzz entry points for every parser of untrusted input (robots.txt, URLs, charsets, HTML, JSON,
// RDF, WARC, HTTP messages, content decoding, family specs, the registry, terms pages, the family
// engines, downloaded files). Each returns 0 and aborts (via a failed check) only on a broken
// invariant; sanitizers catch the rest. Used by libFuzzer drivers (libfuzzer/*.cc,
// scripts/fuzz.sh) and by the deterministic smoke test in this directory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace odh::fuzz {
// The targets' check: a broken invariant is reported on stderr and aborts (a crash libFuzzer keeps).
inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}

int robots(const std::uint8_t* data, std::size_t size);
int url(const std::uint8_t* data, std::size_t size);
int charset(const std::uint8_t* data, std::size_t size);
// input_fuzz_targets.cpp: the other parsers of untrusted input.
int html(const std::uint8_t* data, std::size_t size);      // bounded_html, HtmlDoc + selectors, page links
int json(const std::uint8_t* data, std::size_t size);      // parse_json, JSON paths, international converters
int rdf(const std::uint8_t* data, std::size_t size);       // Turtle (Serd) and RDF/XML into DCAT records
int warc(const std::uint8_t* data, std::size_t size);      // WarcReader over a whole file, HTTP, digests
int http(const std::uint8_t* data, std::size_t size);      // warc::parse_http on a record block
int decoding(const std::uint8_t* data, std::size_t size);  // Content-Encoding (gzip, deflate, br, lists)
int spec(const std::uint8_t* data, std::size_t size);      // a family spec file, then its spider's start
int registry(const std::uint8_t* data, std::size_t size);  // a sites.yaml
int terms(const std::uint8_t* data, std::size_t size);     // terms classifier, page text, terms links
int engine(const std::uint8_t* data, std::size_t size);    // a family engine fed a hostile response
int files(const std::uint8_t* data, std::size_t size);     // inspect_file: a downloaded file, any label

struct Target {
  const char* name;
  int (*run)(const std::uint8_t*, std::size_t);
};
// Every target, by name (the libFuzzer driver and scripts/fuzz.sh use the names).
inline constexpr Target kTargets[] = {
    {"robots", robots}, {"url", url},           {"charset", charset}, {"html", html},
    {"json", json},     {"rdf", rdf},           {"warc", warc},       {"http", http},
    {"decoding", decoding}, {"spec", spec},     {"registry", registry}, {"terms", terms},
    {"engine", engine}, {"files", files},
};
}  // namespace odh::fuzz
