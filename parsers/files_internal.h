// parsers/files_internal.h — the pieces of inspect_file (parsers/files*.cpp), private to the room.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/parsers.h"

namespace odh::files {

// Rows × columns of one table, or why not.
struct Count {
  std::int64_t rows = -1, columns = -1;
  bool lower_bound = false;  // truncated input or a work cap: rows counted so far
  std::string note;
};

// --- text (files_text.cpp); every `utf8` argument is valid-ish UTF-8 without BOM -----------------------

// Delimited text: the delimiter ('\0' when no delimiter gives a consistent table) and the count
// (records after the first non-blank one, the header; blank lines skipped; quoted fields may hold
// newlines). `truncated`: the last unterminated record is not counted.
struct CsvResult {
  char delimiter = 0;
  bool consistent = false;  // the sampled records agree on their field count (≥ 2 fields)
  Count count;
};
CsvResult count_csv(std::string_view utf8, bool truncated);

// JSON through nlohmann's SAX parser (no DOM). well_formed is false when it does not parse (for a
// truncated body: when it fails before the end). The record array is the largest array of objects
// within limits.max_json_depth: a top-level array, or one wrapped ({"data":[…]}, {"result":{"records":[…]}}).
struct JsonResult {
  bool well_formed = false;
  bool jsonld = false;  // a top-level object with "@context"
  std::string error;
  Count count;
};
JsonResult count_json(std::string_view utf8, bool truncated, const InspectLimits& limits);

// XML through expat (streaming). rows = count of the most repeated element (siblings per parent),
// columns = its distinct child elements (or attributes when it has none).
struct XmlResult {
  bool well_formed = false;
  std::string root;      // local name of the root element
  bool rdf = false;      // root is rdf:RDF (namespace http://www.w3.org/1999/02/22-rdf-syntax-ns#)
  std::string error;
  Count count;
};
XmlResult count_xml(std::string_view utf8, bool truncated);

// --- containers (files_office.cpp) ---------------------------------------------------------------------

// A zip archive: what its members make it (xlsx docx pptx ods odt odp, else zip) and, for xlsx and ods,
// the first sheet's rows × columns by streaming its XML.
struct ZipResult {
  std::string format;
  Count count;
};
ZipResult inspect_zip(std::string_view body, bool truncated, const InspectLimits& limits);

// An OLE2 compound file: xls (Workbook/Book stream), doc (WordDocument), ppt (PowerPoint Document), or "".
std::string ole2_kind(std::string_view body);
// A BIFF workbook's first sheet through FreeXL (via a private temporary file).
Count count_xls(std::string_view body, bool truncated, const InspectLimits& limits);

// Does the column reference ("AB12") start with letters? Returns the 1-based column, 0 if none.
std::int64_t column_of_ref(std::string_view ref);

}  // namespace odh::files
