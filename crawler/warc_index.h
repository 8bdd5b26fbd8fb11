// crawler/warc_index.h — one index entry per WARC record (URL, time, status, digest, mime,
// file, offset, length, type): into SQLite (table warc_record) and out as CDXJ, the sorted
// text index pywb and other replay tools read ("com,example)/path 20240101000000 {json}").
#pragma once
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "crawler/warc.h"

struct sqlite3;

namespace odh::warc {

struct IndexEntry {
  std::string url;        // WARC-Target-URI
  std::string surt;       // SURT key of url (see surt())
  std::string timestamp;  // 14 digits, from WARC-Date
  std::string date;       // WARC-Date as stored
  int status = 0;         // HTTP status; 0 when the record has none
  std::string digest;     // payload digest without "sha1:" ("" when absent)
  std::string mime;       // HTTP Content-Type (no parameters); "warc/revisit" for revisits;
                          // the record's Content-Type for resource/metadata
  std::string file;       // path as given to index_file()
  std::uint64_t offset = 0, length = 0;
  std::string record_type, record_id;
  std::string refers_to_uri, refers_to_date;  // revisits
  std::string site, kind;                     // WARC-Odh-Site / WARC-Odh-Kind when present
};

// Sort-friendly URL key: scheme and "www." dropped, host labels reversed, lower case, query
// arguments sorted, fragment dropped. "https://www.Example.com:8443/a/B?y=1&x=2#f" →
// "com,example:8443)/a/b?x=2&y=1". Non-HTTP URLs: "metadata://x/y" → "metadata)/x/y".
std::string surt(std::string_view url);

// The entry for one record (file as given).
IndexEntry index_entry(const Record& record, const std::string& file);

struct IndexOptions {
  bool all_records = false;  // false: skip warcinfo and request records (as CDX indexes do)
};
// Indexes every record of a file. Throws WarcError at the first malformed record (entries
// read before it are lost; use WarcReader directly to keep them).
std::vector<IndexEntry> index_file(const std::filesystem::path& path, const IndexOptions& options = {});

// "surt timestamp {json}" (json: url, mime, status, digest, length, offset, filename, type).
std::string cdxj_line(const IndexEntry& e);
// Sorts entries (by key, then timestamp) and writes them as CDXJ lines.
void write_cdxj(std::vector<IndexEntry> entries, std::ostream& out);

// Creates table warc_record (and its indexes) when absent. Throws Failure on SQL errors.
void create_index_table(sqlite3* db);
// Inserts (or replaces, keyed by file + offset) entries in one transaction.
void insert_index(sqlite3* db, const std::vector<IndexEntry>& entries);

}  // namespace odh::warc
