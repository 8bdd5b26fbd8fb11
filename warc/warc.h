// warc/warc.h — WARC 1.1 snapshots, everything odh does with them: the writer the crawler records
// every fetch with, the reader, the index (SQLite table and CDXJ), the tail repair run on --resume,
// and the snapshot fetcher replay drives spiders with.
//
// Layout (docs/warc.md): each file starts with a warcinfo record; every fetch becomes a
// response (or revisit) record plus a request record linked by WARC-Concurrent-To; each record
// is one gzip member, so (file, offset, length) of a record can be read on its own.
//
// Threads: a WarcWriter or WarcReader is used by one thread at a time; a WarcSnapshot answers from
// any number of threads once built. Errors are exceptions: WarcError (malformed input, names file +
// offset + reason) and odh::Failure (I/O).
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/core.h"
#include "web/fetch.h"

struct sqlite3;

namespace odh::warc {

using Fields = std::vector<std::pair<std::string, std::string>>;
using Clock = std::chrono::system_clock;

// Malformed WARC input. what() is "FILE: offset N: REASON".
struct WarcError : Failure {
  std::string file;
  std::uint64_t offset = 0;
  std::string reason;
  WarcError(std::string file, std::uint64_t offset, std::string reason);
};

// ---------------------------------------------------------------------------------------------
// Small helpers (also used by the index and tests)

// "sha1:" + RFC 4648 base32 of the SHA-1 of data (the WARC digest convention).
std::string sha1_digest(std::string_view data);
// "2024-01-02T03:04:05.123456Z" (precision 6 = microseconds, 0 = seconds).
std::string format_warc_date(Clock::time_point t, int precision = 6);
// Parses a WARC-Date (any precision); returns false when malformed.
bool parse_warc_date(std::string_view s, Clock::time_point* out);
// "<urn:uuid:...>" with a random (v4) UUID.
std::string new_record_id();
// Case-insensitive lookup; "" when absent. First match wins.
std::string_view find_field(const Fields& fields, std::string_view name);

// ---------------------------------------------------------------------------------------------
// HTTP messages inside request/response/revisit blocks

struct HttpMessage {
  bool is_request = false;
  std::string start_line;      // "HTTP/1.1 200 OK" or "GET /x HTTP/1.1"
  std::string protocol;        // "HTTP/1.1"
  int status = 0;              // responses
  std::string method;          // requests
  std::string target;          // requests
  Fields headers;              // as stored (names keep their case)
  std::size_t head_bytes = 0;  // start line + headers + blank line
  std::string body;            // entity body: chunked framing removed, Content-Encoding kept
  bool chunked = false;        // Transfer-Encoding: chunked was stored raw and removed here
  std::string error;           // "" or why the message is malformed (body holds what was there)
};

// Parses an HTTP/1.x (or "HTTP/2") message. Never throws; problems go to HttpMessage::error.
// headers_only: the block is a revisit's head without its payload (no Content-Length check).
HttpMessage parse_http(std::string_view block, bool headers_only = false);

// ---------------------------------------------------------------------------------------------
// Writer

struct WriterOptions {
  std::filesystem::path dir = ".";               // created when missing
  std::string prefix = "odh";                    // file names: <prefix>-<YYYYMMDDhhmmss>-<serial>.warc.gz
  std::uint64_t max_file_bytes = 1'000'000'000;  // rotate before a capture would pass this
  int gzip_level = 6;                            // 1..9; 0 writes uncompressed .warc files
  Fields info;                           // extra warcinfo fields: operator, contact, isPartOf, robots…
  bool dedup_identical_payloads = true;  // identical payload → revisit record
  std::uint64_t dedup_min_bytes = 1;     // smaller payloads are always stored in full
};

// One fetch as it went over the wire.
struct Capture {
  std::string url;                        // WARC-Target-URI (the real URL, even when mapped to loopback)
  std::string ip;                         // WARC-IP-Address; "" when unknown
  Clock::time_point time = Clock::now();  // when the request was sent
  std::string request;                    // request line + headers + CRLF + body, as sent
  std::string response;                   // status line + headers + CRLF + body as received
  // The body was de-chunked by the transport (curl does this). When the headers still say
  // Transfer-Encoding: chunked, the writer re-frames the body as one chunk so the stored
  // message stays valid HTTP; digests are over the de-chunked body either way.
  bool body_transfer_decoded = true;
  Fields extra;  // extension fields on both records (WARC-Odh-Site, …)
  // For a 304: the capture the server confirmed, when the crawler knows it.
  std::string refers_to_uri, refers_to_date, refers_to_record_id;
  // The response's body was cut short on purpose (a size limit): WARC-Truncated: length (WARC 1.1 §5.13).
  bool truncated = false;
};

// Where one record went. offset/length are of the stored bytes (the gzip member).
struct WrittenRecord {
  std::string file;  // full path
  std::uint64_t offset = 0, length = 0;
  std::string type, record_id, target_uri, date, payload_digest, profile;
};

struct CaptureRecords {
  WrittenRecord response;  // type "response" or "revisit"
  WrittenRecord request;
};

// A record other than a capture (metadata, resource…).
struct RecordSpec {
  std::string type = "metadata";
  std::string target_uri;
  Clock::time_point time = Clock::now();
  std::string content_type = "application/warc-fields";
  std::string block;
  Fields extra;  // more header fields (WARC-Concurrent-To, WARC-Refers-To, extension fields)
};

class WarcWriter {
 public:
  // Opens the first file lazily (on the first record). Throws Failure on I/O errors.
  explicit WarcWriter(WriterOptions options);
  ~WarcWriter();  // flush()es and closes; errors are swallowed (call close() to see them)
  WarcWriter(const WarcWriter&) = delete;
  WarcWriter& operator=(const WarcWriter&) = delete;

  // Writes the response (or revisit) and request records of one fetch, in one file.
  // 304 → revisit/server-not-modified; a payload seen before → revisit/identical-payload-digest.
  // Not durable until flush().
  CaptureRecords write_capture(const Capture& capture);
  WrittenRecord write_record(const RecordSpec& spec);

  // fsync()s the current file; returns every record written since the previous flush(), in
  // order. After it returns, those records survive a crash (kill -9, power loss).
  std::vector<WrittenRecord> flush();
  // flush() + close the file. The writer can be used again (it opens a new file).
  std::vector<WrittenRecord> close();

  // Teach the writer a payload stored earlier (e.g. a previous run) for revisit records.
  void remember_payload(const std::string& payload_digest, const std::string& uri, const std::string& date);

  const std::string& current_file() const { return path_; }
  std::vector<std::string> files() const { return files_; }  // every file opened, in order

 private:
  struct Earlier {
    std::string uri, date, record_id;
  };
  void open_new_file(std::uint64_t next_bytes);
  bool ensure_room(std::uint64_t bytes);  // true when it opened a new file
  void close_file();
  void sync_dir();
  WrittenRecord append(const std::string& stored, WrittenRecord rec);
  std::string encode(const std::string& raw);
  struct Deflater;                  // one zlib stream reused for every record (warc.cpp)
  std::unique_ptr<Deflater> zlib_;

  WriterOptions opt_;
  int fd_ = -1;
  std::string path_;
  std::string warcinfo_id_;
  std::uint64_t size_ = 0;
  int records_in_file_ = 0;
  bool dir_synced_ = false;
  int serial_ = 0;
  std::vector<std::string> files_;
  std::vector<WrittenRecord> pending_;
  std::map<std::string, Earlier> seen_payloads_;
};

// ---------------------------------------------------------------------------------------------
// Reader

struct ReaderOptions {
  std::uint64_t max_block_bytes = 512ull << 20;  // larger blocks → WarcError (bounded memory)
  std::uint64_t max_header_bytes = 1 << 20;
};

struct Record {
  std::string version;       // "WARC/1.0" / "WARC/1.1"
  Fields headers;            // WARC header fields, in order
  std::string block;         // Content-Length bytes
  std::uint64_t offset = 0;  // where the record starts in the file (gzip: its member's start)
  std::uint64_t length = 0;  // stored bytes up to the next record (0 when unknown)
  // gzip only: false when the record does not start its own gzip member (single-stream or
  // wrongly chunked .warc.gz) — then offset is not a seekable entry point.
  bool member_aligned = true;
  std::vector<std::string> warnings;  // non-fatal problems (missing terminator, alignment…)

  std::string_view type() const { return find_field(headers, "WARC-Type"); }
  std::string_view target_uri() const;  // without <> some writers add
  std::string_view date() const { return find_field(headers, "WARC-Date"); }
  std::string_view record_id() const { return find_field(headers, "WARC-Record-ID"); }
  std::string_view content_type() const { return find_field(headers, "Content-Type"); }
  // True for application/http blocks (request, response, revisit with HTTP headers).
  bool is_http() const;
  HttpMessage http() const { return parse_http(block, type() == "revisit"); }
};

struct DigestCheck {
  // "ok", "mismatch", "absent" or "unsupported" (an algorithm other than sha1/sha256/md5).
  std::string block = "absent", payload = "absent";
  std::string detail;  // what was expected and computed, when not ok
  bool ok() const { return block != "mismatch" && payload != "mismatch"; }
};
// Recomputes WARC-Block-Digest and WARC-Payload-Digest (payload of HTTP records = entity body
// after removing chunked framing; of other records = the block; revisits: not checked).
DigestCheck verify_digests(const Record& record);

class WarcReader {
 public:
  // Opens a .warc or .warc.gz (detected from the content, not the name). Throws Failure.
  explicit WarcReader(const std::filesystem::path& path, ReaderOptions options = {});
  ~WarcReader();
  WarcReader(const WarcReader&) = delete;
  WarcReader& operator=(const WarcReader&) = delete;

  // Reads the next record into *out; false at a clean end of file. Throws WarcError on
  // malformed input (after that, next() keeps throwing the same error).
  bool next(Record* out);
  bool compressed() const;
  const std::string& path() const { return path_; }

  struct Impl;  // implementation detail (warc_reader.cpp)

 private:
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

// Reads the one record at (offset) — e.g. from an index or FetchResult::warc_offset.
Record read_record_at(const std::filesystem::path& path, std::uint64_t offset, ReaderOptions options = {});

// ---------------------------------------------------------------------------------------------
// Repair

struct RepairResult {
  std::uint64_t old_size = 0, new_size = 0;
  std::uint64_t records = 0;  // complete records (gzip members for .warc.gz) kept
  std::string reason;         // why bytes were cut ("" when the file was already whole)
};
// Cuts a WARC file after its last complete record (a .warc.gz: after its last complete gzip
// member that holds whole records), so a crawl killed mid-write can append a new file and
// every kept record is readable. Truncates in place and fsyncs. Throws Failure on I/O errors.
RepairResult repair_tail(const std::filesystem::path& path);

// ---------------------------------------------------------------------------------------------
// Index: one entry per WARC record (URL, time, status, digest, mime, file, offset, length, type),
// into SQLite (table warc_record) and out as CDXJ, the sorted text index pywb and other replay tools
// read ("com,example)/path 20240101000000 {json}").

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
// The same on the database file at `db_path` (created when missing): table, then entries.
void index_into(const std::string& db_path, const std::vector<IndexEntry>& entries);

// ---------------------------------------------------------------------------------------------
// Snapshot fetcher (replay)

// Every archived exchange of a snapshot directory (*.warc, *.warc.gz, recursively), looked up by
// method + URL + body. The last 2xx/3xx capture of a request wins over failed attempts.
class WarcSnapshot {
 public:
  // Indexes the directory (record offsets only; bodies are read on demand). Throws Failure when
  // `dir` has no WARC file. Malformed files are skipped from the first bad record on (`problems`).
  explicit WarcSnapshot(const std::string& dir);
  ~WarcSnapshot();
  WarcSnapshot(const WarcSnapshot&) = delete;
  WarcSnapshot& operator=(const WarcSnapshot&) = delete;
  // The archived answer to `req`, by the fetcher rules of web/fetch.h: redirects followed within the
  // scope of `site_urls` (the site the request belongs to) as the crawler follows them, Content-Encoding
  // removed, text decoded, the status's error class. Status 0 with error_class "not-in-snapshot" when
  // the archive has no answer; "snapshot-unreadable" when its record cannot be read. Thread-safe.
  FetchResult fetch(const FetchRequest& req, const std::vector<std::string>& site_urls) const;
  // Whether the archive holds an answer to `req` (its first hop), without reading it. Thread-safe.
  bool contains(const FetchRequest& req) const;
  size_t responses() const;
  std::vector<std::string> problems;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace odh::warc
