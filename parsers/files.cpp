// inspect_file: what a downloaded file really is (libmagic's MIME type, then structural checks of our
// own), its star level and machine-readability, whether its label agrees, and its rows × columns.
// docs/files.md is the contract in prose (format table, agreeing labels, stars).
#include <magic.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "parsers/files_internal.h"
#include "parsers/normalize.h"
#include "web/charset.h"

namespace odh {
namespace {

// libmagic: one handle per thread (magic_t is not thread-safe), loaded on first use with the system's
// compiled database. It sees at most the first kMagicBytes of a body.
constexpr size_t kMagicBytes = 1 << 20;

class Magic {
 public:
  Magic() {
    m_ = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF | MAGIC_ERROR);
    if (m_ && magic_load(m_, nullptr) != 0) {
      magic_close(m_);
      m_ = nullptr;
    }
    if (m_) {
      size_t bytes = kMagicBytes;
      magic_setparam(m_, MAGIC_PARAM_BYTES_MAX, &bytes);
    }
  }
  ~Magic() {
    if (m_) magic_close(m_);
  }
  std::string mime(std::string_view body) {
    if (!m_ || body.empty()) return "";
    const char* r = magic_buffer(m_, body.data(), std::min(body.size(), kMagicBytes));
    return r ? std::string(r) : "";
  }

 private:
  magic_t m_ = nullptr;
};

std::string magic_mime(std::string_view body) {
  thread_local Magic magic;
  return magic.mime(body);
}

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = char(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// Binary signatures (the first bytes), before libmagic's word.
std::string by_signature(std::string_view b, std::string_view mime) {
  if (starts(b, "%PDF-")) return "pdf";
  if (starts(b, "\x89PNG\r\n\x1a\n")) return "png";
  if (starts(b, "\xff\xd8\xff")) return "jpg";
  if (starts(b, "GIF87a") || starts(b, "GIF89a")) return "gif";
  if (starts(b, "PK\x03\x04") || starts(b, "PK\x05\x06")) return "zip";
  if (starts(b, std::string_view("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))) return "ole2";
  if (starts(b, "Rar!\x1a\x07")) return "rar";
  if (starts(b, "7z\xbc\xaf\x27\x1c")) return "7z";
  if (starts(b, "\x1f\x8b")) return "gz";
  if (starts(b, "BM") && mime == "image/bmp") return "image";
  if (starts(b, "II*\0") || starts(b, "MM\0*")) return "image";
  return "";
}

std::string from_mime(std::string_view mime) {
  if (mime == "application/vnd.ms-excel") return "xls";
  if (mime == "application/msword") return "doc";
  if (mime == "application/vnd.ms-powerpoint") return "ppt";
  if (starts(mime, "image/")) return "image";
  return "";
}

// The text of a body as UTF-8: a view of the body when it already is (BOM removed), else a decoded copy.
struct Text {
  std::string encoding;
  std::string copy;
  std::string_view utf8;
};

bool looks_binary(std::string_view b) {
  const auto head = b.substr(0, 8192);
  size_t ctl = 0;
  for (unsigned char c : head) {
    if (c == 0) return true;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b) ++ctl;
  }
  return ctl * 20 > head.size();
}

bool text_of(std::string_view b, std::string_view content_type, bool truncated, Text* t) {
  size_t bom = 0;
  if (auto enc = bom_encoding(b, &bom)) {
    t->encoding = *enc;
    if (*enc == "UTF-8") {
      t->utf8 = b.substr(bom);
    } else {
      t->copy = decode_to_utf8(b.substr(bom), *enc);
      t->utf8 = t->copy;
    }
    return true;
  }
  if (looks_binary(b)) return false;
  if (is_valid_utf8(b, truncated)) {
    t->encoding = "UTF-8";
    t->utf8 = b;
    return true;
  }
  // The detector on the first MB, cut at a line end so no character is split.
  std::string_view sample = b.substr(0, 1 << 20);
  if (sample.size() < b.size())
    if (auto nl = sample.rfind('\n'); nl != std::string_view::npos && nl > 0) sample = sample.substr(0, nl);
  std::string enc;
  if (auto declared = charset_from_content_type(content_type)) enc = *declared;
  if (enc.empty() || enc == "UTF-8") enc = detect_encoding(sample).value_or("UTF-8");
  if (enc == "UTF-8") enc = "gb18030";  // not valid UTF-8: Chinese portals' legacy encoding
  t->encoding = enc;
  t->copy = decode_to_utf8(b, enc);
  t->utf8 = t->copy;
  return true;
}

std::string_view skip_space(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return s.substr(i);
}

// A page for sure: it says so at its start.
bool surely_html(std::string_view s) {
  const std::string head = lower(s.substr(0, 64));
  return starts(head, "<!doctype html") || starts(head, "<html");
}
// Markup that is not well-formed XML: a page when it has the tags of one (or libmagic says so).
bool looks_html(std::string_view s, std::string_view mime) {
  if (surely_html(s) || mime == "text/html") return true;
  const std::string head = lower(s.substr(0, 4096));
  for (const char* tag : {"<html", "<head", "<body", "<div", "<script", "<table", "<meta ", "<title"})
    if (head.find(tag) != std::string::npos) return true;
  return false;
}

// Which format labels agree with which sniffed formats (docs/files.md "Labels").
std::string label_family(const std::string& f) {
  if (f == "csv" || f == "tsv" || f == "txt") return "delimited";
  if (f == "xls" || f == "xlsx" || f == "et") return "excel";
  if (f == "doc" || f == "docx" || f == "wps") return "word";
  if (f == "ppt" || f == "pptx" || f == "dps") return "powerpoint";
  if (f == "jpg" || f == "png" || f == "gif" || f == "image" || f == "tif" || f == "tiff" || f == "bmp")
    return "image";
  if (f == "rdf" || f == "ttl" || f == "turtle" || f == "n3" || f == "nt" || f == "owl" || f == "jsonld")
    return "rdf";
  return f;
}

const std::set<std::string>& known_labels() {
  static const std::set<std::string> k = {
      "csv", "tsv", "txt", "xls", "xlsx", "et", "ods", "doc", "docx", "wps", "odt", "ppt", "pptx", "dps",
      "odp", "pdf", "zip", "rar", "7z", "gz", "jpg", "png", "gif", "tif", "tiff", "bmp", "html", "json",
      "geojson", "xml", "kml", "rdf", "ttl", "turtle", "n3", "nt", "owl", "jsonld", "shp"};
  return k;
}

bool agrees(const std::string& label, const FileInspection& r, bool jsonld) {
  const std::string& s = r.sniffed_format;
  if (label == s || label_family(label) == label_family(s)) return true;
  if ((label == "xml" || label == "kml") && (s == "xml" || s == "rdf")) return s == "xml" || !jsonld;
  if ((label == "json" || label == "geojson") && (s == "json" || (s == "rdf" && jsonld))) return true;
  if (label == "zip" || label == "shp")
    return s == "zip" || s == "xlsx" || s == "docx" || s == "pptx" || s == "ods" || s == "odt" || s == "odp";
  return false;
}

int stars_of(const std::string& f, bool machine_readable) {
  if (f.empty() || f == "unknown") return 0;
  if (!machine_readable) return 1;
  if (f == "rdf") return 4;
  if (f == "xls" || f == "xlsx") return 2;
  return 3;  // csv tsv json xml ods
}

bool is_machine_readable(const std::string& f) {
  static const std::set<std::string> mr = {"csv", "tsv", "json", "xml", "rdf", "xls", "xlsx", "ods"};
  return mr.count(f) > 0;
}

void set_count(FileInspection& r, const files::Count& c) {
  r.rows = c.rows;
  r.columns = c.columns;
  r.rows_lower_bound = c.lower_bound;
  if (!c.note.empty()) r.note = c.note;
}

// Text formats: JSON, XML/RDF, HTML, Turtle, delimited text, plain text.
void sniff_text(FileInspection& r, const Text& t, std::string_view declared_label, bool truncated,
                const InspectLimits& limits, bool* jsonld) {
  const std::string_view s = skip_space(t.utf8);
  const char first = s.empty() ? '\0' : s[0];
  if (first == '{' || first == '[') {
    auto j = files::count_json(t.utf8, truncated, limits);
    if (j.well_formed) {
      *jsonld = j.jsonld;
      r.sniffed_format = j.jsonld ? "rdf" : "json";
      set_count(r, j.count);
      if (j.jsonld) r.note = "JSON-LD";
      return;
    }
    if (first == '{') {
      r.sniffed_format = "txt";
      r.note = "looks like JSON but does not parse: " + j.error;
      return;
    }
  }
  if (first == '<') {
    if (surely_html(s)) {
      r.sniffed_format = "html";
      r.note = "an HTML page";
      return;
    }
    // Data XML may well have <table> or <title> elements: well-formedness decides before HTML's tags do.
    auto x = files::count_xml(t.utf8, truncated);
    if (x.well_formed) {
      if (lower(x.root) == "html") {
        r.sniffed_format = "html";
        r.note = "an XHTML page";
        return;
      }
      r.sniffed_format = x.rdf ? "rdf" : "xml";
      set_count(r, x.count);
      return;
    }
    if (looks_html(s, r.mime)) {
      r.sniffed_format = "html";
      r.note = "an HTML page";
      return;
    }
    r.sniffed_format = "txt";
    r.note = "looks like XML but " + x.count.note;
    return;
  }
  if (starts(s, "@prefix") || starts(s, "@base") || starts(s, "PREFIX ")) {
    r.sniffed_format = "rdf";
    r.note = "Turtle";
    return;
  }
  auto c = files::count_csv(t.utf8, truncated);
  const std::string fam = label_family(std::string(declared_label));
  if (c.delimiter && c.consistent) {
    r.sniffed_format = c.delimiter == '\t' ? "tsv" : "csv";
  } else if (fam == "delimited" && declared_label != "txt") {
    r.sniffed_format = declared_label == "tsv" ? "tsv" : "csv";  // a one-column (or ragged) table
  } else {
    r.sniffed_format = "txt";
    return;
  }
  if (c.delimiter) r.delimiter = std::string(1, c.delimiter);
  set_count(r, c.count);
}

}  // namespace

FileInspection inspect_file(std::string_view body, std::string_view declared, std::string_view content_type,
                            bool truncated, const InspectLimits& limits) {
  FileInspection r;
  std::string label = normalize_format(declared);
  if (label == "file" || label == "api" || label == "link") label.clear();
  const bool label_known = label.empty() || known_labels().count(label) > 0;
  if (body.empty()) {
    r.note = truncated ? "no bytes received" : "empty body";
    r.declared_matches = truncated || label.empty();
    return r;
  }
  bool jsonld = false;
  try {
    r.mime = magic_mime(body);
    const std::string sig = by_signature(body, r.mime);
    if (sig == "zip") {
      auto z = files::inspect_zip(body, truncated, limits);
      r.sniffed_format = z.format;
      if (z.format == "xlsx" || z.format == "ods") set_count(r, z.count);
      else if (!z.count.note.empty()) r.note = z.count.note;
    } else if (sig == "ole2") {
      std::string k = files::ole2_kind(body);
      if (k.empty()) k = from_mime(r.mime);
      r.sniffed_format = k.empty() ? "unknown" : k;
      if (k == "xls") set_count(r, files::count_xls(body, truncated, limits));
      else if (k.empty()) r.note = "an OLE2 compound file of unknown kind";
    } else if (!sig.empty()) {
      r.sniffed_format = sig;
    } else {
      Text t;
      if (text_of(body, content_type, truncated, &t)) {
        r.encoding = t.encoding;
        sniff_text(r, t, label, truncated, limits, &jsonld);
      } else {
        const std::string m = from_mime(r.mime);
        r.sniffed_format = m.empty() ? "unknown" : m;
        if (m.empty()) r.note = "binary content of unknown type";
      }
    }
  } catch (const std::exception& e) {  // allocation failure on a hostile body: say so, never throw
    r.sniffed_format = "unknown";
    r.rows = r.columns = -1;
    r.note = std::string("inspection failed: ") + e.what();
  }
  r.machine_readable = is_machine_readable(r.sniffed_format);
  r.stars = stars_of(r.sniffed_format, r.machine_readable);
  if (!r.machine_readable && r.sniffed_format != "txt") {
    r.rows = r.columns = -1;
    r.rows_lower_bound = false;
  }
  if (!label.empty() && label_known) r.declared_matches = agrees(label, r, jsonld);
  else if (!label.empty() && r.note.empty()) r.note = "label '" + label + "' is not a file format compared";
  if (!r.declared_matches && r.note.empty())
    r.note = "declared " + label + " but the content is " + r.sniffed_format;
  return r;
}

}  // namespace odh
