// crawler/crawl_seams.h — narrow internal seams between the crawl engine and the pieces it borrows:
// URL handling, Content-Encoding decoding, WARC archiving. Each has one small implementation here
// that delegates to the owning module where it exists, so swapping one is a one-file change.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "web/fetch.h"
#include "web/url.h"

namespace odh::crawl {

// ---- URLs ----
struct UrlParts {
  std::string scheme, host;  // lower-case
  int port = 0;              // effective port
  std::string origin;        // "scheme://host:port" — the politeness and robots key
  std::string path_query;    // "/a/b?q" (for robots matching)
};
// Parses an absolute http(s) URL; false when it is not one.
bool parse_url(const std::string& url, UrlParts* out);
// Canonical form used for the seen set: lower-case scheme/host, no default port, no fragment,
// percent-encoding where required. "" if unparseable.
std::string normalize_url(const std::string& url);
// `ref` resolved against `base` (RFC 3986 / WHATWG); "" if that fails.
std::string resolve_url(const std::string& base, const std::string& ref);

// ---- WARC ----
struct ArchivedAt {
  std::string file;  // file name relative to <out>/warc
  std::int64_t offset = -1;
  std::string record_id;       // WARC-Record-ID of the response/revisit record
  std::string payload_digest;  // WARC-Payload-Digest
  std::int64_t end = 0;        // end of the last record of this exchange in `file` (committed length)
};
struct Exchange {
  std::string url;       // target URI (the real portal URL)
  std::string ip;        // WARC-IP-Address
  double date = 0;       // unix seconds of the request
  std::string request;   // request line + headers (+ body), as sent
  std::string response;  // status line + headers + body as received (Content-Encoding kept)
  int status = 0;
  // revisit (304 on a conditional GET): the record the unchanged payload lives in
  std::string refers_to_record_id, refers_to_uri, refers_to_date;
  bool truncated = false;  // a probe's body cut at probe_bytes: WARC-Truncated: length
};
class Archive {
 public:
  virtual ~Archive() = default;
  // Writes request + response (or revisit) records; returns where the response record starts.
  virtual ArchivedAt write(const Exchange& x) = 0;
  // Records are in the kernel (safe against kill -9) once write() returns; flush(true) also
  // makes them survive a power cut (fsync). flush(false) only releases bookkeeping.
  virtual void flush(bool fsync) = 0;
};
// Opens a new WARC file in dir (never appends to an existing one). Rotates at max_bytes.
std::unique_ptr<Archive> open_archive(const std::string& dir, const std::string& prefix,
                                      std::int64_t max_bytes, std::string* error);
// The HTTP response archived in the record at `offset` of the WARC file `path` (a previous crawl's,
// read for a 304 revisit): status, headers and entity body as stored (Content-Encoding kept). A revisit
// record of the writer's payload dedup (identical-payload-digest) has no body: *refers_to is then its
// WARC-Refers-To, the record holding the body ("" otherwise). False, with *error, when the record cannot
// be read or holds no HTTP response.
bool read_archived_response(const std::string& path, std::int64_t offset, int* status, HeaderList* headers,
                            std::string* body, std::string* refers_to, std::string* error);
// Cuts a WARC file back to `bytes` (the last committed record boundary), then lets the warc
// module's repair check that the tail is whole.
bool truncate_archive(const std::string& path, std::int64_t bytes, std::string* error);

// ---- Test seam: kill points ----
// With ODH_CRAWL_KILL_AT="<point>:<n>" in the environment, the n-th pass (1-based) through <point>
// kills the process with SIGKILL — a real kill -9 at an exact boundary, for the resume tests.
// Points: "warc-written" (records written, not flushed, not committed), "flushed" (after a WARC
// flush, before the commit), "in-transaction" (fetch rows inserted, not committed), "committed",
// "mid-record" (the archive cuts its last record in half first: a kill inside write(2)), "repair"
// (resume: a WARC file cut back to its committed length, its tail not yet checked).
// Without the variable a pass costs one branch.
bool kill_point_hit(const char* point);  // true on the pass that must die (caller then dies)
void kill_point(const char* point);      // kill_point_hit(point) → raise(SIGKILL)

}  // namespace odh::crawl
