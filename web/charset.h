// web/charset.h — which encoding a response body is in, and decoding it to UTF-8.
//
//   DecodedBody d = decode_body(body, "text/html; charset=gb2312");
//   d.text      // valid UTF-8, always (U+FFFD for undecodable bytes)
//   d.charset   // WHATWG encoding name: "UTF-8", "GBK", "gb18030", "windows-1252", …
//   d.source    // "bom" | "header" | "meta" | "detector" | "default"
//
// Sniffing order (WHATWG HTML "encoding sniffing", simplified for a crawler):
//   1. byte order mark;  2. charset parameter of the HTTP Content-Type;
//   3. for HTML, the <meta> prescan of the first 1024 bytes (for XML, the XML
//      declaration);  4. a detector: valid UTF-8 -> UTF-8, else GB18030 when the bytes
//      decode as GB18030 (Chinese government pages), else ICU's charset detector over a
//      short list;  5. UTF-8.
// Labels map to encodings through the WHATWG label table (so "gb2312", "GBK", "x-gbk"
// all mean GBK, which decodes with the gb18030 decoder; "iso-8859-1" means windows-1252).
// All functions are pure and thread-safe.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace odh {

struct FetchResult;

struct DecodedBody {
  std::string text;     // UTF-8, BOM removed
  std::string charset;  // WHATWG encoding name used for `text`
  std::string source;   // how `charset` was found (see above)
};

struct CharsetOptions {
  // Chinese portals often mislabel: a UTF-8 header on a GBK body, or a gb2312 <meta> on a
  // page that was re-saved as UTF-8. When on, a declared (header/meta) UTF-8 that does not
  // decode but decodes as GB18030, or a declared GBK/gb18030 on a body that is valid UTF-8
  // with at least 16 non-ASCII bytes, is overridden (source "detector"). Off = a
  // declared label is always obeyed, as browsers do.
  bool correct_mislabels = true;
};

// Determines the encoding of `body` (given its Content-Type header value, may be empty)
// and decodes it.
DecodedBody decode_body(std::string_view body, std::string_view content_type,
                        const CharsetOptions& options = {});

// decode_fetch_result (web/fetch.h) fills a FetchResult's text / charset / charset_source from its
// body and Content-Type when the type is textual (HTML, XML, JSON, CSV, JavaScript, text/*, or no
// type); binary types leave them empty.
bool is_text_content_type(std::string_view content_type);

// --- the steps, exposed for tests and for callers with other needs -------------------

// WHATWG "get an encoding": trims ASCII whitespace, matches the label case-insensitively
// and returns the encoding's name ("GBK" for "gb2312"), or nullopt for an unknown label.
std::optional<std::string> encoding_for_label(std::string_view label);

// The encoding named by a BOM at the start of `bytes` ("UTF-8", "UTF-16BE", "UTF-16LE"),
// with its length in *bom_len.
std::optional<std::string> bom_encoding(std::string_view bytes, std::size_t* bom_len = nullptr);

// The encoding named by the charset parameter of a Content-Type value, if valid.
std::optional<std::string> charset_from_content_type(std::string_view content_type);

// WHATWG "prescan a byte stream to determine its encoding" over the first `max_bytes`
// bytes (the standard encourages 1024, which decode_body uses): <meta charset> or
// <meta http-equiv=content-type content="…charset=…">. UTF-16 answers become UTF-8 and
// x-user-defined becomes windows-1252, as the standard says.
inline constexpr std::size_t kPrescanBytes = 1024;
std::optional<std::string> prescan_meta_charset(std::string_view bytes,
                                                std::size_t max_bytes = kPrescanBytes);

// The encoding in an XML declaration (<?xml version="1.0" encoding="GBK"?>), if any.
std::optional<std::string> xml_declared_encoding(std::string_view bytes);

// Step 4: a guess from the bytes alone (nullopt for pure ASCII: nothing to decide).
std::optional<std::string> detect_encoding(std::string_view bytes);

// Decodes `bytes` in encoding `encoding` (a WHATWG name or label) to valid UTF-8, with
// U+FFFD for errors as the Encoding Standard's decoders do. Unknown encodings decode as
// UTF-8. UTF-8, UTF-16, gb18030/GBK, windows-1252 and x-user-defined follow the standard
// exactly; the other legacy encodings use ICU converters.
std::string decode_to_utf8(std::string_view bytes, std::string_view encoding);

// Encodes one code point in `encoding` (a WHATWG name or label), appending the bytes
// to *out; false when the encoding cannot represent it (URL query encoding then writes
// "&#cp;"). gb18030/GBK and windows-1252 use the Encoding Standard's tables; UTF-16 and
// "replacement" count as UTF-8 (the standard's "get an output encoding"); the other
// legacy encodings go through ICU.
bool encode_code_point(std::uint32_t cp, std::string_view encoding, std::string* out);

// Is `bytes` valid UTF-8? With allow_truncated, an incomplete sequence at the very end
// (a body cut at a size limit) is accepted.
bool is_valid_utf8(std::string_view bytes, bool allow_truncated = false);

// Appends code point `cp` (< 0x110000) to `out` as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace odh
