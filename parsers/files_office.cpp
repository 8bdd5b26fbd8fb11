// Containers: zip-based office files through libzip (reading from memory; members streamed, each capped)
// with the first sheet's XML streamed through expat; OLE2 compound files told apart by their stream
// names; BIFF workbooks (XLS) counted by FreeXL.
#include <expat.h>
#include <fcntl.h>
#include <freexl.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "parsers/files_internal.h"

namespace odh::files {

std::int64_t column_of_ref(std::string_view ref) {
  std::int64_t col = 0;
  size_t i = 0;
  for (; i < ref.size() && i < 4; ++i) {
    char c = ref[i];
    if (c >= 'a' && c <= 'z') c = char(c - 32);
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + (c - 'A' + 1);
  }
  return i > 0 ? col : 0;
}

namespace {

// ---------------------------------------------------------------------------------------------------
// Zip archives

struct Zip {
  zip_t* za = nullptr;
  explicit Zip(std::string_view body) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(body.data(), body.size(), 0, &err);
    if (src) {
      za = zip_open_from_source(src, ZIP_RDONLY, &err);
      if (!za) zip_source_free(src);
    }
    zip_error_fini(&err);
  }
  ~Zip() {
    if (za) zip_discard(za);
  }
  std::int64_t find(const char* name) const { return za ? zip_name_locate(za, name, 0) : -1; }
  // Streams member `index` to sink(data, n) (false stops) until `cap` bytes; *capped set when the cap cut it.
  // Returns false on a read error (corrupt, encrypted, CRC).
  template <class F>
  bool stream(std::int64_t index, std::int64_t cap, bool* capped, F&& sink) const {
    if (capped) *capped = false;
    zip_file_t* f = zip_fopen_index(za, zip_uint64_t(index), 0);
    if (!f) return false;
    std::vector<char> buf(64 << 10);
    std::int64_t total = 0;
    bool ok = true;
    while (true) {
      const zip_int64_t n = zip_fread(f, buf.data(), buf.size());
      if (n < 0) {
        ok = false;
        break;
      }
      if (n == 0) break;
      std::int64_t take = std::min<std::int64_t>(n, cap - total);
      total += take;
      if (take > 0 && !sink(buf.data(), size_t(take))) break;
      if (total >= cap) {
        if (capped) *capped = true;
        break;
      }
    }
    zip_fclose(f);
    return ok;
  }
  std::string read_small(std::int64_t index, std::int64_t cap) const {
    std::string out;
    stream(index, cap, nullptr, [&](const char* d, size_t n) {
      out.append(d, n);
      return true;
    });
    return out;
  }
};

std::string_view local_name(const char* name) {
  std::string_view n(name);
  auto sep = n.rfind('\x01');
  return sep == std::string_view::npos ? n : n.substr(sep + 1);
}
const char* attr(const char** atts, std::string_view want) {
  for (int i = 0; atts[i] && atts[i + 1]; i += 2)
    if (local_name(atts[i]) == want) return atts[i + 1];
  return nullptr;
}
std::int64_t to_count(const char* s, std::int64_t fallback) {
  if (!s) return fallback;
  char* end = nullptr;
  long long v = std::strtoll(s, &end, 10);
  if (end == s || v < 1) return fallback;
  return std::min<long long>(v, 1ll << 40);
}

// Counts one sheet's non-empty rows and the extent of its non-empty columns, for SpreadsheetML
// (xlsx: row, c with v/is) and OpenDocument (ods: the first table:table, repeated rows and cells).
struct SheetCounter {
  bool ods = false;
  XML_Parser parser = nullptr;
  // xlsx
  std::int64_t col = 0, cell_col = 0;
  bool in_cell = false;
  // ods
  int table_depth = 0;  // >0 inside the first table
  bool table_done = false;
  std::int64_t row_repeat = 1, cell_repeat = 1;
  bool cell_valued = false;
  // both
  int depth = 0;
  bool row_nonempty = false;
  std::int64_t row_min_col = 0, row_max_col = 0;
  std::int64_t rows = 0, min_col = 0, max_col = 0;

  void mark_cell(std::int64_t first, std::int64_t last) {
    row_nonempty = true;
    row_min_col = row_min_col ? std::min(row_min_col, first) : first;
    row_max_col = std::max(row_max_col, last);
  }
  void start(const char* name, const char** atts) {
    ++depth;
    const auto l = local_name(name);
    if (!ods) {
      if (l == "row") {
        row_nonempty = false;
        row_min_col = row_max_col = 0;
        col = 0;
      } else if (l == "c") {
        const char* r = attr(atts, "r");
        const std::int64_t c = r ? column_of_ref(r) : 0;
        col = c > 0 ? c : col + 1;
        cell_col = col;
        in_cell = true;
      } else if (in_cell && (l == "v" || l == "is")) {
        mark_cell(cell_col, cell_col);
      }
      return;
    }
    if (table_done) return;
    if (l == "table" && table_depth == 0) {
      table_depth = depth;
      return;
    }
    if (table_depth == 0) return;
    if (l == "table-row") {
      row_repeat = to_count(attr(atts, "number-rows-repeated"), 1);
      row_nonempty = false;
      row_min_col = row_max_col = 0;
      col = 0;
    } else if (l == "table-cell" || l == "covered-table-cell") {
      cell_repeat = to_count(attr(atts, "number-columns-repeated"), 1);
      cell_col = col + 1;
      col += cell_repeat;
      in_cell = true;
      cell_valued = attr(atts, "value-type") != nullptr;
    } else if (in_cell && l == "p") {
      cell_valued = true;
    }
  }
  void end(const char* name) {
    const auto l = local_name(name);
    if (!ods) {
      if (l == "c") in_cell = false;
      else if (l == "row") close_row(1);
    } else if (!table_done && table_depth > 0) {
      if (l == "table-cell" || l == "covered-table-cell") {
        if (cell_valued) mark_cell(cell_col, cell_col + cell_repeat - 1);
        in_cell = false;
      } else if (l == "table-row") {
        close_row(row_repeat);
      } else if (l == "table" && depth == table_depth) {
        table_done = true;
        XML_StopParser(parser, XML_FALSE);  // only the first sheet
      }
    }
    --depth;
  }
  void close_row(std::int64_t repeat) {
    if (!row_nonempty) return;
    rows += repeat;
    min_col = min_col ? std::min(min_col, row_min_col) : row_min_col;
    max_col = std::max(max_col, row_max_col);
  }
};

// A sheet's XML as pieces: feed(sink, &capped) calls sink(data, n) until the end, the cap (capped set) or
// sink returning false; returns false on a read error.
using Sink = std::function<bool(const char*, size_t)>;
using Feed = std::function<bool(const Sink&, bool*)>;

// `partial`: the member was cut with the body (a truncated download): no end of document is expected,
// and the rows are a lower bound.
Count count_sheet(const Feed& feed, bool ods, bool partial, const InspectLimits& limits) {
  Count out;
  SheetCounter sc;
  sc.ods = ods;
  XML_Parser p = XML_ParserCreateNS(nullptr, '\x01');
  if (!p) {
    out.note = "expat: out of memory";
    return out;
  }
  sc.parser = p;
  XML_SetUserData(p, &sc);
  XML_SetElementHandler(
      p, [](void* u, const XML_Char* n, const XML_Char** a) { static_cast<SheetCounter*>(u)->start(n, a); },
      [](void* u, const XML_Char* n) { static_cast<SheetCounter*>(u)->end(n); });
  bool xml_ok = true, capped = false;
  const bool read_ok = feed([&](const char* d, size_t n) {
    if (XML_Parse(p, d, int(n), 0) != XML_STATUS_OK) {
      xml_ok = sc.table_done;  // stopped on purpose after the first ODS table
      return false;
    }
    return true;
  }, &capped);
  if (xml_ok && read_ok && !capped && !partial && !sc.table_done) xml_ok = XML_Parse(p, "", 0, 1) == XML_STATUS_OK;
  std::string xml_error;
  if (!xml_ok)
    xml_error = std::string(XML_ErrorString(XML_GetErrorCode(p))) + " at line " +
                std::to_string(XML_GetCurrentLineNumber(p));
  XML_ParserFree(p);
  if (!read_ok && !capped && !partial) {
    out.note = "the sheet could not be inflated (corrupt, encrypted or truncated member)";
    return out;
  }
  if (!xml_ok) {
    out.note = "the sheet's XML is not well-formed: " + xml_error;
    return out;
  }
  out.rows = sc.rows > 0 ? sc.rows - 1 : 0;
  out.columns = sc.max_col > 0 ? sc.max_col - sc.min_col + 1 : 0;
  if (capped) {
    out.lower_bound = true;
    out.note = "the sheet inflates to more than " + std::to_string(limits.max_inflated_bytes >> 20) +
               " MB; rows counted so far";
  } else if (partial && !sc.table_done) {
    out.lower_bound = true;
    out.note = "truncated: rows of the sheet's first part";
  }
  return out;
}

Count count_member(const Zip& z, std::int64_t index, bool ods, const InspectLimits& limits) {
  return count_sheet([&](const Sink& sink, bool* capped) { return z.stream(index, limits.max_inflated_bytes, capped, sink); },
                     ods, false, limits);
}

// Raw deflate (zip method 8) from `in` to sink, at most `cap` bytes out. *consumed: input bytes used;
// returns false on corrupt data. The end of input before the end of the stream is not an error (a cut body).
bool inflate_raw(std::string_view in, std::int64_t cap, bool* capped, size_t* consumed, const Sink& sink) {
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return false;
  std::vector<char> buf(64 << 10);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(std::min<size_t>(in.size(), 1u << 30));
  std::int64_t total = 0;
  bool ok = true;
  *capped = false;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = uInt(buf.size());
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const size_t got = buf.size() - zs.avail_out;
    const std::int64_t take = std::min<std::int64_t>(std::int64_t(got), cap - total);
    total += take;
    if (take > 0 && !sink(buf.data(), size_t(take))) break;
    if (total >= cap) {
      *capped = true;
      break;
    }
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      ok = false;
      break;
    }
  }
  *consumed = in.size() - zs.avail_in;
  inflateEnd(&zs);
  return ok;
}

// A truncated zip has no central directory: its local headers are walked from the start. visit(name,
// method, flags, compressed size, data from its start to the body's end) returns false to stop. Members
// whose size is deferred to a data descriptor are inflated (to nowhere, capped) to find their end.
template <class V>
void walk_local_headers(std::string_view b, const InspectLimits& limits, V&& visit) {
  auto u16 = [&](size_t o) { return unsigned(std::uint8_t(b[o]) | std::uint8_t(b[o + 1]) << 8); };
  auto u32 = [&](size_t o) { return std::uint32_t(u16(o) | std::uint32_t(u16(o + 2)) << 16); };
  size_t pos = 0;
  for (int members = 0; members < 10000 && pos + 30 <= b.size() && b.substr(pos, 4) == "PK\x03\x04"; ++members) {
    const unsigned flags = u16(pos + 6), method = u16(pos + 8);
    const size_t name_len = u16(pos + 26), data = pos + 30 + name_len + u16(pos + 28);
    if (data > b.size()) break;
    size_t skip = u32(pos + 18);
    if (!visit(b.substr(pos + 30, name_len), method, flags, skip, b.substr(data))) return;
    if (flags & 8) {
      if (method != 8) return;
      bool capped = false;
      if (!inflate_raw(b.substr(data), limits.max_inflated_bytes, &capped, &skip,
                       [](const char*, size_t) { return true; }) || capped)
        return;
      skip += (b.substr(data + skip, 4) == "PK\x07\x08") ? 16 : 12;
    }
    pos = data + skip;
  }
}

// What the members received make a cut zip: ODF's stored mimetype, else xl/ word/ ppt/ names.
std::string kind_of_cut_zip(std::string_view b, const InspectLimits& limits) {
  std::string kind;
  walk_local_headers(b, limits, [&](std::string_view name, unsigned method, unsigned, size_t, std::string_view data) {
    if (name == "mimetype" && method == 0) {
      for (auto [mt, k] : {std::pair{"application/vnd.oasis.opendocument.spreadsheet", "ods"},
                           std::pair{"application/vnd.oasis.opendocument.text", "odt"},
                           std::pair{"application/vnd.oasis.opendocument.presentation", "odp"}})
        if (data.substr(0, std::string_view(mt).size()) == mt) kind = k;
    } else if (name.substr(0, 3) == "xl/") {
      kind = "xlsx";
    } else if (name.substr(0, 5) == "word/") {
      kind = "docx";
    } else if (name.substr(0, 4) == "ppt/") {
      kind = "pptx";
    }
    return kind.empty();
  });
  return kind;
}

// The rows of member `want` of a cut zip, as far as the body holds it (a lower bound).
Count count_cut_member(std::string_view b, std::string_view want, bool ods, const InspectLimits& limits) {
  Count out;
  out.note = "truncated zip: the sheet is not in the part received";
  walk_local_headers(b, limits, [&](std::string_view name, unsigned method, unsigned flags, size_t csize,
                                    std::string_view data) {
    if (name != want) return true;
    if (method != 8 && method != 0) {
      out.note = "truncated zip: the sheet's compression method is not deflate";
      return false;
    }
    out = count_sheet([&](const Sink& sink, bool* capped) {
      if (method == 0) {
        const std::string_view raw = data.substr(0, (flags & 8) ? data.size() : csize);
        *capped = std::int64_t(raw.size()) > limits.max_inflated_bytes;
        sink(raw.data(), size_t(std::min<std::int64_t>(std::int64_t(raw.size()), limits.max_inflated_bytes)));
        return true;
      }
      size_t used = 0;
      return inflate_raw(data, limits.max_inflated_bytes, capped, &used, sink);
    }, ods, true, limits);
    return false;
  });
  return out;
}

// The first sheet's member in an xlsx: workbook.xml's first <sheet r:id>, resolved through
// xl/_rels/workbook.xml.rels; else xl/worksheets/sheet1.xml.
std::int64_t first_xlsx_sheet(const Zip& z, const InspectLimits& limits) {
  struct Acc {
    std::string rid, target;
    std::string want;
  } acc;
  auto parse = [&](std::int64_t idx, XML_StartElementHandler h) {
    if (idx < 0) return;
    const std::string xml = z.read_small(idx, limits.max_zip_member_meta);
    XML_Parser p = XML_ParserCreateNS(nullptr, '\x01');
    if (!p) return;
    XML_SetUserData(p, &acc);
    XML_SetStartElementHandler(p, h);
    XML_Parse(p, xml.data(), int(xml.size()), 1);
    XML_ParserFree(p);
  };
  parse(z.find("xl/workbook.xml"), [](void* u, const XML_Char* n, const XML_Char** a) {
    auto* acc = static_cast<Acc*>(u);
    if (acc->rid.empty() && local_name(n) == "sheet")
      if (const char* id = attr(a, "id")) acc->rid = id;
  });
  if (!acc.rid.empty()) {
    parse(z.find("xl/_rels/workbook.xml.rels"), [](void* u, const XML_Char* n, const XML_Char** a) {
      auto* acc = static_cast<Acc*>(u);
      const char* id = attr(a, "Id");
      const char* t = attr(a, "Target");
      if (acc->target.empty() && local_name(n) == "Relationship" && id && t && acc->rid == id) acc->target = t;
    });
  }
  if (!acc.target.empty()) {
    std::string t = acc.target;
    t = t[0] == '/' ? t.substr(1) : "xl/" + t;
    if (auto i = z.find(t.c_str()); i >= 0) return i;
  }
  return z.find("xl/worksheets/sheet1.xml");
}

}  // namespace

ZipResult inspect_zip(std::string_view body, bool truncated, const InspectLimits& limits) {
  ZipResult out;
  Zip z(body);
  if (!z.za) {
    out.format = kind_of_cut_zip(body, limits);
    if (out.format.empty()) out.format = "zip";
    if (!truncated) out.count.note = "the zip's central directory cannot be read";
    else if (out.format == "xlsx")  // the first sheet in workbook order is unknown (workbook.xml comes last)
      out.count = count_cut_member(body, "xl/worksheets/sheet1.xml", false, limits);
    else if (out.format == "ods")
      out.count = count_cut_member(body, "content.xml", true, limits);
    else
      out.count.note = "truncated zip (no central directory): members not read";
    return out;
  }
  if (std::int64_t m = z.find("mimetype"); m >= 0) {
    const std::string mt = z.read_small(m, 256);
    if (mt.rfind("application/vnd.oasis.opendocument.spreadsheet", 0) == 0) out.format = "ods";
    else if (mt.rfind("application/vnd.oasis.opendocument.text", 0) == 0) out.format = "odt";
    else if (mt.rfind("application/vnd.oasis.opendocument.presentation", 0) == 0) out.format = "odp";
  }
  if (out.format.empty()) {
    if (z.find("xl/workbook.xml") >= 0) out.format = "xlsx";
    else if (z.find("word/document.xml") >= 0) out.format = "docx";
    else if (z.find("ppt/presentation.xml") >= 0) out.format = "pptx";
    else out.format = "zip";
  }
  if (out.format == "xlsx") {
    const std::int64_t sheet = first_xlsx_sheet(z, limits);
    if (sheet < 0) out.count.note = "the workbook has no worksheet";
    else out.count = count_member(z, sheet, false, limits);
  } else if (out.format == "ods") {
    const std::int64_t content = z.find("content.xml");
    if (content < 0) out.count.note = "the ODS has no content.xml";
    else out.count = count_member(z, content, true, limits);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// OLE2 compound files

namespace {
// Is this 128-byte directory entry a stream (type 2) named `name` (UTF-16LE, length with terminator)?
bool stream_entry_named(std::string_view e, std::string_view name) {
  const auto* u = reinterpret_cast<const unsigned char*>(e.data());
  const size_t len = u[64] | (u[65] << 8);
  if (len != (name.size() + 1) * 2 || u[66] != 2) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (u[2 * i] != static_cast<unsigned char>(name[i]) || u[2 * i + 1] != 0) return false;
  return true;
}
}  // namespace

std::string ole2_kind(std::string_view body) {
  // Directory entries are 128-byte records at multiples of 128 (sectors are 512 or 4096 bytes after a
  // 512-byte header): a UTF-16LE name, its byte length (with the terminator) at 64, the type at 66
  // (2 = stream). The chains are not walked: a stream of that name anywhere in the file decides.
  auto entry_is = [&](size_t off, std::string_view name) {
    return off + 128 <= body.size() && stream_entry_named(body.substr(off, 128), name);
  };
  const size_t limit = std::min<size_t>(body.size(), 64u << 20);
  bool workbook = false, word = false, ppt = false;
  for (size_t off = 512; off + 128 <= limit; off += 128) {
    const unsigned char first = static_cast<unsigned char>(body[off]);
    if (first != 'W' && first != 'B' && first != 'P') continue;
    workbook = workbook || entry_is(off, "Workbook") || entry_is(off, "Book");
    word = word || entry_is(off, "WordDocument");
    ppt = ppt || entry_is(off, "PowerPoint Document");
  }
  if (workbook) return "xls";
  if (word) return "doc";
  if (ppt) return "ppt";
  // No directory seen (a truncated body: writers put it last): the first stream usually starts at the
  // first sector, and a BIFF5/8 workbook begins with its BOF record (0809, version 0500/0600, type 0005
  // workbook globals), a Word document with its FIB's wIdent A5EC.
  for (size_t sector : {size_t(512), size_t(4096)}) {
    if (body.size() < sector + 8) break;
    const auto* s = reinterpret_cast<const unsigned char*>(body.data() + sector);
    if (s[0] == 0x09 && s[1] == 0x08 && (s[4] | s[5] << 8) >= 0x0500 && (s[6] | s[7] << 8) == 0x0005) return "xls";
    if (s[0] == 0xEC && s[1] == 0xA5) return "doc";
  }
  return "";
}

// ---------------------------------------------------------------------------------------------------
// XLS through FreeXL (it opens files only: a private temporary file, removed at once after use)

namespace {

struct TempFile {
  std::string path;
  bool ok = false;
  explicit TempFile(std::string_view body) {
    std::error_code ec;
    auto dir = std::filesystem::temp_directory_path(ec);
    if (ec) dir = "/tmp";
    std::string tmpl = (dir / "odh-xls-XXXXXX").string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    const int fd = mkstemp(name.data());  // mode 0600, O_EXCL
    if (fd < 0) return;
    path = name.data();
    ok = true;
    for (size_t off = 0; off < body.size();) {
      const ssize_t w = ::write(fd, body.data() + off, body.size() - off);
      if (w <= 0) {
        ok = false;
        break;
      }
      off += size_t(w);
    }
    if (::close(fd) != 0) ok = false;
  }
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

// The workbook stream of a compound file (MS-CFB: FAT and DIFAT, directory, mini stream), read by us so
// that its BIFF records can be checked before FreeXL allocates what they claim. "" when the structure
// does not hold together (then FreeXL is not asked either).
class Cfb {
 public:
  explicit Cfb(std::string_view b) : b_(b) {}

  std::string workbook() {
    if (b_.size() < 512) return "";
    const unsigned shift = u16(0x1E), mini_shift = u16(0x20);
    if (shift < 7 || shift > 16 || mini_shift > shift) return "";
    sector_ = size_t(1) << shift;
    mini_ = size_t(1) << mini_shift;
    n_sectors_ = b_.size() > sector_ ? (b_.size() - sector_ + sector_ - 1) / sector_ : 0;
    // FAT sector ids: 109 in the header, then the DIFAT chain.
    std::vector<std::uint32_t> fat_sectors;
    for (size_t i = 0; i < 109; ++i) fat_sectors.push_back(u32(0x4C + 4 * i));
    std::uint32_t difat = u32(0x44);
    for (size_t hops = 0; difat < n_sectors_ && hops < n_sectors_; ++hops) {
      const size_t off = sector_offset(difat);
      for (size_t i = 0; i + 1 < sector_ / 4; ++i) fat_sectors.push_back(u32(off + 4 * i));
      difat = u32(off + sector_ - 4);
    }
    for (std::uint32_t s : fat_sectors) {
      if (s >= n_sectors_) continue;
      const size_t off = sector_offset(s);
      for (size_t i = 0; i < sector_ / 4 && fat_.size() < n_sectors_; ++i) fat_.push_back(u32(off + 4 * i));
    }
    const std::string dir = chain(fat_, u32(0x30), b_.size(), [&](std::uint32_t s) { return sector_at(s); });
    std::uint32_t start = 0, size = 0;
    bool found = false;
    for (size_t off = 0; off + 128 <= dir.size() && !found; off += 128) {
      const std::string_view e(dir.data() + off, 128);
      if (stream_entry_named(e, "Workbook") || stream_entry_named(e, "Book")) {
        found = true;
        start = le32(e.data() + 0x74);
        size = le32(e.data() + 0x78);
      }
    }
    if (!found || dir.size() < 128) return "";
    std::string stream;
    if (size < u32(0x38)) {  // below the cutoff: in the mini stream (the root entry's chain)
      const std::string ministream = chain(fat_, le32(dir.data() + 0x74), b_.size(),
                                           [&](std::uint32_t s) { return sector_at(s); });
      const std::string minifat_bytes =
          chain(fat_, u32(0x3C), b_.size(), [&](std::uint32_t s) { return sector_at(s); });
      std::vector<std::uint32_t> minifat;
      for (size_t i = 0; i + 4 <= minifat_bytes.size(); i += 4) minifat.push_back(le32(minifat_bytes.data() + i));
      stream = chain(minifat, start, size, [&](std::uint32_t s) {
        const size_t off = size_t(s) * mini_;
        return off + mini_ <= ministream.size() ? std::string_view(ministream).substr(off, mini_) : std::string_view();
      });
    } else {
      stream = chain(fat_, start, size, [&](std::uint32_t s) { return sector_at(s); });
    }
    if (stream.size() > size) stream.resize(size);
    return stream;
  }

 private:
  static std::uint32_t le32(const char* p) {
    return std::uint32_t(std::uint8_t(p[0])) | std::uint32_t(std::uint8_t(p[1])) << 8 |
           std::uint32_t(std::uint8_t(p[2])) << 16 | std::uint32_t(std::uint8_t(p[3])) << 24;
  }
  std::uint32_t u32(size_t off) const { return off + 4 <= b_.size() ? le32(b_.data() + off) : 0xFFFFFFFFu; }
  unsigned u16(size_t off) const { return std::uint8_t(b_[off]) | std::uint8_t(b_[off + 1]) << 8; }
  size_t sector_offset(std::uint32_t s) const { return (size_t(s) + 1) * sector_; }
  std::string_view sector_at(std::uint32_t s) const {
    if (s >= n_sectors_) return {};
    return b_.substr(sector_offset(s), sector_);  // the last sector may be short
  }
  // The sectors of a chain, concatenated; stops at its end, a bad id, or after as many hops as ids exist
  // (a loop), so the result is never larger than the table's reach.
  // At most `limit` bytes (a chain that loops through the mini FAT could otherwise repeat itself).
  template <class Get>
  static std::string chain(const std::vector<std::uint32_t>& table, std::uint32_t s, size_t limit, Get get) {
    std::string out;
    for (size_t hops = 0; s < table.size() && hops < table.size() && out.size() < limit; ++hops) {
      const std::string_view piece = get(s);
      if (piece.empty()) break;
      out.append(piece);
      s = table[s];
    }
    return out;
  }

  std::string_view b_;
  size_t sector_ = 512, mini_ = 64, n_sectors_ = 0;
  std::vector<std::uint32_t> fat_;
};

// What FreeXL would allocate for a BIFF5/8 workbook stream: the cells of every DIMENSION record
// (0x0200) and the SST's unique-string table (0x00FC). Records are walked in order as FreeXL does.
void biff_claims(std::string_view s, std::int64_t* cells, std::int64_t* strings) {
  *cells = 0;
  *strings = 0;
  for (size_t pos = 0; pos + 4 <= s.size();) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data() + pos);
    const unsigned type = p[0] | p[1] << 8, len = p[2] | p[3] << 8;
    const unsigned char* d = p + 4;
    if (pos + 4 + len > s.size()) break;
    if (type == 0x0200 && len >= 14) {  // BIFF8: rwMic, rwMac (32-bit), colMic, colMac
      *cells += std::int64_t(d[4] | d[5] << 8 | d[6] << 16 | std::uint32_t(d[7]) << 24) * (d[10] | d[11] << 8);
    } else if (type == 0x0200 && len >= 10) {  // BIFF5: 16-bit rows
      *cells += std::int64_t(d[2] | d[3] << 8) * (d[6] | d[7] << 8);
    } else if (type == 0x00FC && len >= 8) {
      *strings += std::int64_t(d[4] | d[5] << 8 | d[6] << 16 | std::uint32_t(d[7]) << 24);
    }
    pos += 4 + len;
  }
}

struct XlsHandle {
  const void* h = nullptr;
  ~XlsHandle() {
    if (h) freexl_close(h);
  }
};

}  // namespace

Count count_xls(std::string_view body, bool truncated, const InspectLimits& limits) {
  Count out;
  if (std::int64_t(body.size()) > limits.max_xls_bytes) {
    out.note = "XLS larger than the counting limit; not counted";
    return out;
  }
  // FreeXL allocates every cell of every sheet's DIMENSION (16 bytes each) and a slot per SST string,
  // even when only opened for metadata: the claims are read first (our own walk of the compound file) and
  // must fit max_xls_cells and half the body's bytes (min. 1 M cells), else FreeXL is not asked.
  const std::string stream = Cfb(body).workbook();
  if (stream.empty()) {
    out.note = truncated ? "truncated XLS: the workbook stream is incomplete"
                         : "the compound file has no readable Workbook stream";
    return out;
  }
  std::int64_t claimed_cells = 0, claimed_strings = 0;
  biff_claims(stream, &claimed_cells, &claimed_strings);
  const std::int64_t cell_cap =
      std::min<std::int64_t>(limits.max_xls_cells, std::max<std::int64_t>(1 << 20, std::int64_t(body.size()) / 2));
  if (claimed_cells > cell_cap || claimed_strings > std::int64_t(stream.size())) {
    out.note = "the sheets' DIMENSION or SST records claim " + std::to_string(claimed_cells) + " cells / " +
               std::to_string(claimed_strings) + " strings, more than the file can hold: not counted";
    return out;
  }
  TempFile tmp(body);
  if (!tmp.ok) {
    out.note = "no temporary file for FreeXL";
    return out;
  }
  unsigned int rows = 0;
  unsigned short cols = 0;
  XlsHandle full;
  const int rc = freexl_open(tmp.path.c_str(), &full.h);
  if (rc != FREEXL_OK) {
    out.note = truncated ? "truncated XLS: FreeXL cannot open it" : "FreeXL cannot open it (error " + std::to_string(rc) + ")";
    return out;
  }
  if (freexl_select_active_worksheet(full.h, 0) != FREEXL_OK ||
      freexl_worksheet_dimensions(full.h, &rows, &cols) != FREEXL_OK) {
    out.note = "FreeXL cannot read the first sheet";
    return out;
  }
  std::int64_t nonempty_rows = 0, min_col = 0, max_col = 0;
  for (unsigned int r = 0; r < rows; ++r) {
    bool any = false;
    for (unsigned short c = 0; c < cols; ++c) {
      FreeXL_CellValue v;
      if (freexl_get_cell_value(full.h, r, c, &v) != FREEXL_OK) continue;
      if (v.type == FREEXL_CELL_NULL) continue;
      if ((v.type == FREEXL_CELL_TEXT || v.type == FREEXL_CELL_SST_TEXT) &&
          (!v.value.text_value || !*v.value.text_value))
        continue;
      any = true;
      min_col = min_col ? std::min<std::int64_t>(min_col, c + 1) : c + 1;
      max_col = std::max<std::int64_t>(max_col, c + 1);
    }
    nonempty_rows += any;
  }
  out.rows = nonempty_rows > 0 ? nonempty_rows - 1 : 0;
  out.columns = max_col > 0 ? max_col - min_col + 1 : 0;
  return out;
}

}  // namespace odh::files
