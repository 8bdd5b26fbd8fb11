// Rows × columns of text files: delimited text (a bounded RFC 4180 reader), JSON (nlohmann's SAX
// parser, no DOM) and XML (expat, streaming). None of them materializes the table: memory is a few
// counters per distinct column/element name, capped.
#include <expat.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "parsers/files_internal.h"

namespace odh::files {

// ---------------------------------------------------------------------------------------------------
// Delimited text

namespace {

// Calls on_record(fields, blank) for each record; stops when it returns false. A record is ended by an
// unquoted CR, LF or CRLF; "" inside quotes is a quote; quotes may span newlines. The last record without
// a newline counts unless `truncated` (then it was cut). Returns false when the input ended in a quote.
template <class F>
bool scan_records(std::string_view s, char delim, bool truncated, F&& on_record) {
  bool in_quotes = false, content = false;
  std::int64_t fields = 1;
  const size_t n = s.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = s[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < n && s[i + 1] == '"')
          ++i;
        else
          in_quotes = false;
      }
      continue;
    }
    if (c == '"') {
      in_quotes = true;
      content = true;
    } else if (c == delim) {
      ++fields;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < n && s[i + 1] == '\n') ++i;
      const bool go_on = on_record(fields, fields == 1 && !content);
      fields = 1;
      content = false;
      if (!go_on) return true;
    } else if (c != ' ') {
      content = true;
    }
  }
  if (in_quotes) return false;
  if (!truncated && (content || fields > 1)) on_record(fields, false);
  return true;
}

constexpr std::array<char, 4> kDelimiters = {',', '\t', ';', '|'};

}  // namespace

CsvResult count_csv(std::string_view s, bool truncated) {
  CsvResult out;
  // Delimiter: the candidate whose sampled records (first 200 non-blank, first 256 KB) agree best on a
  // field count ≥ 2; ties go to the earlier candidate (, \t ; |).
  const std::string_view sample = s.substr(0, 256 << 10);
  const bool sample_cut = truncated || sample.size() < s.size();
  double best_share = 0;
  std::int64_t best_mode = 1;
  for (char d : kDelimiters) {
    std::map<std::int64_t, int> counts;
    int n = 0;
    scan_records(sample, d, sample_cut, [&](std::int64_t fields, bool blank) {
      if (!blank) {
        ++counts[fields];
        ++n;
      }
      return n < 200;
    });
    if (n == 0) continue;
    auto mode = std::max_element(counts.begin(), counts.end(),
                                 [](auto& a, auto& b) { return a.second < b.second; });
    const double share = double(mode->second) / n;
    if (mode->first >= 2 && share > best_share + 1e-9) {
      best_share = share;
      best_mode = mode->first;
      out.delimiter = d;
    }
  }
  out.consistent = out.delimiter != 0 && best_share >= 0.9;
  const char d = out.delimiter;  // none ('\0', never in text): one field per line
  std::int64_t records = 0, header_fields = 0, odd = 0;
  const bool closed = scan_records(s, d, truncated, [&](std::int64_t fields, bool blank) {
    if (blank) return true;
    if (records == 0) header_fields = fields;
    else if (fields != header_fields) ++odd;
    ++records;
    return true;
  });
  if (records == 0) {
    out.count.note = "no records";
    return out;
  }
  out.count.rows = records - 1;
  out.count.columns = out.delimiter ? header_fields : 1;
  out.count.lower_bound = truncated;
  if (!closed && !truncated)
    out.count.note = "a quoted field is not closed at the end of the file";
  else if (odd > 0)
    out.count.note = std::to_string(odd) + " rows have a different number of fields than the header (" +
                     std::to_string(best_mode) + " is the most common)";
  else if (!out.delimiter)
    out.count.note = "no delimiter found: one column per line";
  return out;
}

// ---------------------------------------------------------------------------------------------------
// JSON

namespace {

constexpr size_t kMaxCandidates = 64;
constexpr size_t kMaxKeys = 4096;
constexpr size_t kMaxKeyBytes = 256;

struct JsonSax : nlohmann::json_sax<nlohmann::json> {
  struct Candidate {
    int depth = 0;
    std::int64_t elements = 0, objects = 0, arrays = 0, first_array_len = -1;
    std::set<std::string> keys;
  };
  struct Frame {
    bool array = false;
    int candidate = -1;  // array: its candidate; object: the candidate it is a direct element of
    std::int64_t elements = 0;
  };
  explicit JsonSax(int max_depth) : max_depth(max_depth) {}

  int max_depth;
  int depth = 0;  // open containers
  std::vector<Frame> frames;  // the open containers up to max_depth + 1
  std::vector<Candidate> candidates;
  bool top_object = false, jsonld = false;

  Frame* top() { return !frames.empty() && depth == int(frames.size()) ? &frames.back() : nullptr; }
  void element() {  // a value starts inside the current container
    if (Frame* f = top(); f && f->array) {
      ++f->elements;
      if (f->candidate >= 0) ++candidates[size_t(f->candidate)].elements;
    }
  }
  bool open(bool array) {
    element();
    Frame* parent = top();
    ++depth;
    if (depth > max_depth + 1) return true;
    Frame fr;
    fr.array = array;
    if (array && depth <= max_depth + 1 && candidates.size() < kMaxCandidates) {
      fr.candidate = int(candidates.size());
      candidates.push_back(Candidate{depth, 0, 0, 0, -1, {}});
    } else if (!array && parent && parent->array) {
      fr.candidate = parent->candidate;
    }
    if (depth == 1 && !array) top_object = true;
    frames.push_back(std::move(fr));
    return true;
  }
  bool close() {
    if (depth <= max_depth + 1 && !frames.empty()) {
      Frame fr = frames.back();
      frames.pop_back();
      Frame* parent = top_after_pop();
      if (parent && parent->array && parent->candidate >= 0) {
        Candidate& c = candidates[size_t(parent->candidate)];
        if (fr.array) {
          ++c.arrays;
          if (c.first_array_len < 0) c.first_array_len = fr.elements;
        } else {
          ++c.objects;  // counted when complete: a truncated last record is not counted
        }
      }
    }
    --depth;
    return true;
  }
  Frame* top_after_pop() {
    return !frames.empty() && depth - 1 == int(frames.size()) ? &frames.back() : nullptr;
  }

  bool null() override { element(); return true; }
  bool boolean(bool) override { element(); return true; }
  bool number_integer(number_integer_t) override { element(); return true; }
  bool number_unsigned(number_unsigned_t) override { element(); return true; }
  bool number_float(number_float_t, const string_t&) override { element(); return true; }
  bool string(string_t&) override { element(); return true; }
  bool binary(binary_t&) override { element(); return true; }
  bool start_object(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (depth == 1 && top_object && k == "@context") jsonld = true;
    Frame* f = top();
    if (f && !f->array && f->candidate >= 0) {
      auto& keys = candidates[size_t(f->candidate)].keys;
      if (keys.size() < kMaxKeys) keys.insert(k.substr(0, kMaxKeyBytes));
    }
    return true;
  }
  std::string error;
  std::size_t error_pos = 0;
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& ex) override {
    error = ex.what();
    error_pos = pos;
    return false;
  }
};

}  // namespace

JsonResult count_json(std::string_view s, bool truncated, const InspectLimits& limits) {
  JsonResult out;
  JsonSax sax(std::max(1, limits.max_json_depth));
  bool ok = false;
  try {
    ok = nlohmann::json::sax_parse(s.begin(), s.end(), &sax, nlohmann::json::input_format_t::json, true);
  } catch (const std::exception& e) {  // never expected (the SAX reports errors), but never let one out
    sax.error = e.what();
  }
  // A truncated body fails at its end (unexpected end of input): that is as far as it could go.
  const bool cut_at_end = !ok && truncated && sax.error_pos + 1 >= s.size();
  out.well_formed = ok || cut_at_end;
  out.jsonld = sax.jsonld;
  if (!out.well_formed) {
    out.error = sax.error.substr(0, 200);
    out.count.note = "not well-formed JSON";
    return out;
  }
  // The record array: most complete objects, then shallower, then first.
  const JsonSax::Candidate* best = nullptr;
  for (const auto& c : sax.candidates)
    if (c.objects > 0 && (!best || c.objects > best->objects)) best = &c;
  out.count.lower_bound = cut_at_end;
  if (best) {
    out.count.rows = best->objects;
    out.count.columns = std::int64_t(best->keys.size());
    if (best->depth > 1) out.count.note = "records in an array at depth " + std::to_string(best->depth);
    if (best->keys.size() >= kMaxKeys) out.count.note = "more than 4096 distinct keys; columns capped";
    return out;
  }
  // An array of arrays (a header row, then data rows), or of scalars (one column).
  for (const auto& c : sax.candidates)
    if (c.depth == 1 && c.arrays > 0 && c.arrays == c.elements) {
      out.count.rows = c.arrays - 1;
      out.count.columns = c.first_array_len;
      out.count.note = "array of arrays: the first is taken as the header";
      return out;
    }
  for (const auto& c : sax.candidates)
    if (c.depth == 1 && c.arrays == 0 && c.objects == 0) {
      out.count.rows = c.elements;
      out.count.columns = 1;
      out.count.note = "array of scalars: one column";
      return out;
    }
  out.count.lower_bound = false;
  out.count.note = "no array of records within depth " + std::to_string(limits.max_json_depth);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// XML

namespace {

constexpr size_t kMaxPaths = 4096;
constexpr int kMaxPathDepth = 8;
constexpr size_t kMaxAttrs = 256;

struct XmlCounter {
  XML_Parser parser = nullptr;
  int depth = 0;
  std::vector<int> stack;  // path ids of the open elements up to kMaxPathDepth (-1 = not tracked)
  struct Path {
    int parent = -1;
    int depth = 0;
    std::int64_t count = 0;  // elements of this path that ended
    std::set<std::string> attrs;
    // Values of a naming attribute (name, key, field, column): `<field name="地址">…</field>` rows name
    // their fields by attribute, not by element.
    std::set<std::string> names;
  };
  std::vector<Path> paths;
  std::map<std::pair<int, std::string>, int> ids;  // (parent path, local name) → path id
  std::string root;
  bool rdf = false;

  static std::string_view local(const char* name, std::string_view* ns = nullptr) {
    std::string_view n(name);
    auto sep = n.rfind('\x01');
    if (sep == std::string_view::npos) return n;
    if (ns) *ns = n.substr(0, sep);
    return n.substr(sep + 1);
  }
  void start(const char* name, const char** atts) {
    std::string_view ns;
    const std::string_view l = local(name, &ns);
    ++depth;
    if (depth == 1) {
      root = std::string(l.substr(0, 128));
      rdf = l == "RDF" && ns == "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    }
    int id = -1;
    if (depth <= kMaxPathDepth) {
      const int parent = stack.empty() ? -1 : stack.back();
      if (depth == 1 || parent >= 0) {
        auto key = std::make_pair(parent, std::string(l.substr(0, 128)));
        if (auto it = ids.find(key); it != ids.end()) {
          id = it->second;
        } else if (paths.size() < kMaxPaths) {
          id = int(paths.size());
          ids.emplace(std::move(key), id);
          paths.push_back(Path{parent, depth, 0, {}});
        }
      }
      if (id >= 0)
        for (int i = 0; atts[i] && atts[i + 1]; i += 2) {
          auto& pth = paths[size_t(id)];
          const std::string_view a = local(atts[i]);
          if (pth.attrs.size() < kMaxAttrs) pth.attrs.insert(std::string(a));
          if ((a == "name" || a == "key" || a == "field" || a == "column") && pth.names.size() < kMaxAttrs)
            pth.names.insert(std::string(std::string_view(atts[i + 1]).substr(0, 128)));
        }
      stack.push_back(id);
    }
  }
  void end() {
    if (depth <= kMaxPathDepth && !stack.empty()) {
      if (stack.back() >= 0) ++paths[size_t(stack.back())].count;
      stack.pop_back();
    }
    --depth;
  }
};

}  // namespace

XmlResult count_xml(std::string_view s, bool truncated) {
  XmlResult out;
  XmlCounter c;
  // The caller decoded the body to UTF-8: the declared encoding is overridden.
  XML_Parser p = XML_ParserCreateNS("UTF-8", '\x01');
  if (!p) {
    out.count.note = "expat: out of memory";
    return out;
  }
  c.parser = p;
  XML_SetUserData(p, &c);
  XML_SetElementHandler(
      p, [](void* u, const XML_Char* n, const XML_Char** a) { static_cast<XmlCounter*>(u)->start(n, a); },
      [](void* u, const XML_Char*) { static_cast<XmlCounter*>(u)->end(); });
  // Fed in slices so that a huge body never becomes one int-sized call.
  bool ok = true;
  constexpr size_t kSlice = 1 << 20;
  for (size_t off = 0; ok && off < s.size(); off += kSlice) {
    const auto piece = s.substr(off, kSlice);
    ok = XML_Parse(p, piece.data(), int(piece.size()), 0) == XML_STATUS_OK;
  }
  if (ok && !truncated) ok = XML_Parse(p, "", 0, 1) == XML_STATUS_OK;
  if (!ok) {
    out.error = std::string(XML_ErrorString(XML_GetErrorCode(p))) + " at line " +
                std::to_string(XML_GetCurrentLineNumber(p));
  }
  XML_ParserFree(p);
  out.root = c.root;
  out.rdf = c.rdf;
  out.well_formed = ok && !c.root.empty();
  if (!out.well_formed) {
    out.count.note = out.error.empty() ? "no root element" : "not well-formed XML: " + out.error;
    return out;
  }
  // The record element: an element with fields (child elements) before a leaf — three rows of seven
  // fields are three records, not seven —, then most siblings per parent, then most elements, then
  // shallower. A leaf counts as a record when it carries its fields as attributes, or when no element
  // below the root has children.
  std::vector<char> has_children(c.paths.size(), 0);
  bool any_inner = false;
  for (const auto& pth : c.paths)
    if (pth.parent >= 0) {
      has_children[size_t(pth.parent)] = 1;
      any_inner = any_inner || c.paths[size_t(pth.parent)].depth >= 2;
    }
  int best = -1;
  double best_ratio = 0;
  for (size_t i = 0; i < c.paths.size(); ++i) {
    const auto& pth = c.paths[i];
    if (pth.depth < 2 || pth.count == 0) continue;
    if (any_inner && !has_children[i] && pth.attrs.size() < 2) continue;  // attributes may be its fields
    const std::int64_t parents = std::max<std::int64_t>(1, c.paths[size_t(pth.parent)].count);
    const double ratio = double(pth.count) / double(parents);
    const auto& b = best >= 0 ? c.paths[size_t(best)] : pth;
    if (best < 0 || ratio > best_ratio + 1e-9 ||
        (ratio > best_ratio - 1e-9 && (pth.count > b.count || (pth.count == b.count && pth.depth < b.depth)))) {
      best = int(i);
      best_ratio = ratio;
    }
  }
  out.count.lower_bound = truncated;
  if (best < 0) {
    out.count.rows = 0;
    out.count.columns = 0;
    out.count.note = "the root element has no children";
    return out;
  }
  std::int64_t children = 0;
  int only_child = -1;
  for (size_t i = 0; i < c.paths.size(); ++i)
    if (c.paths[i].parent == best) ++children, only_child = int(i);
  out.count.rows = c.paths[size_t(best)].count;
  out.count.columns = children > 0 ? children : std::int64_t(c.paths[size_t(best)].attrs.size());
  if (children == 1 && c.paths[size_t(only_child)].names.size() > 1) {
    out.count.columns = std::int64_t(c.paths[size_t(only_child)].names.size());
    out.count.note = "fields named by an attribute";
  }
  if (children == 0 && !c.paths[size_t(best)].attrs.empty()) out.count.note = "fields are attributes";
  if (c.paths.size() >= kMaxPaths) out.count.note = "more than 4096 element paths; counts may be low";
  return out;
}

}  // namespace odh::files
