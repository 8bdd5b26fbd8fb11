// sim/family.h — how one software family answers HTTP requests (internal to sim/).
// A family is one file sim/family_<name>.cpp defining a Family subclass plus a line in
// families.cpp. Families see plain Req/Resp structs, never cpp-httplib.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sim.h"

namespace odh::sim {

struct Req {
  std::string method;  // GET | POST | HEAD
  std::string path;    // without query
  std::string host;    // lower case, with :port when non-default
  std::multimap<std::string, std::string> params;  // query + form body fields
  std::map<std::string, std::string> headers;      // keys lower case
  std::string body;
  std::string param(const std::string& k, const std::string& def = "") const;
  std::string header(const std::string& k) const;  // k lower case
  // Body parsed as JSON (also a JSON text sent with a form content type); null when not JSON.
  nlohmann::json json() const;
  // A field from the JSON body, else from query/form params.
  std::string field(const std::string& k, const std::string& def = "") const;
};

struct Resp {
  int status = 200;
  std::string content_type = "text/html; charset=UTF-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int hold_s = 0;  // > 0: hold the request this long without an answer, then drop the connection
  void html(std::string b) { content_type = "text/html; charset=UTF-8"; body = std::move(b); }
  void json(const nlohmann::json& j) {
    content_type = "application/json;charset=UTF-8";
    body = j.dump();
  }
  void not_found();
  void redirect(const std::string& location, int code = 302);
};

// All portals sharing one Host (e.g. the 11 Guizhou portals on data.guizhou.gov.cn).
struct HostCtx {
  std::string host;
  std::vector<const Portal*> portals;
  int session_requests = 0;  // fault file: sessions expire after this many answered requests (0 = 3600 s)
  const Portal& first() const { return *portals.front(); }
};

class Family {
 public:
  virtual ~Family() = default;
  virtual std::string name() const = 0;
  // Handle one request; return false when the path is not this family's (→ common pages / 404).
  virtual bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const = 0;
  // Links a home page shows for this portal (path → label); default: the registry entry.
  virtual std::vector<std::pair<std::string, std::string>> home_links(const Portal& p) const;
  // Id scheme used for dataset ids of this family.
  virtual std::string dataset_id(const Portal& p, std::int64_t i) const;
  virtual std::string api_id(const Portal& p, std::int64_t i) const;
  virtual std::optional<std::int64_t> dataset_index(const Portal& p, const std::string& id) const;
  virtual std::optional<std::int64_t> api_index(const Portal& p, const std::string& id) const;
  // URL path of a dataset's k-th file; the family must serve it (default: /file/download/…,
  // served by common code).
  virtual std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string& ext) const;
  // Bring a generated record into the family's vocabulary (e.g. frequencies its code table
  // can express), so World's records equal what the family serves.
  virtual void normalize(const Portal& p, Dataset& d) const {}
};

// The portal of ctx whose divisionId (the twin's fact, from the notes) is div; "" picks the provincial
// one (first portal without a city and without a divisionId).
const Portal* pick_division(const HostCtx& ctx, const std::string& div);

const Family* find_family(const std::string& name);  // nullptr when unknown
std::vector<std::string> family_names();

// ---- helpers shared by families (sim/util.cpp) ----
std::uint64_t mix(std::uint64_t a, std::uint64_t b);  // splitmix-style hash combine
std::uint64_t hash_str(const std::string& s);
std::string hex32(std::uint64_t key, std::int64_t i);  // 32 lower-hex, index recoverable
std::string uuid_id(std::uint64_t key, std::int64_t i);
std::optional<std::int64_t> hex32_index(std::uint64_t key, const std::string& id);  // hex32 or uuid
std::string esc(const std::string& s);  // HTML escape
std::string url_encode(const std::string& s);
std::string to_gbk(const std::string& utf8);  // GBK bytes (unmappable characters become '?')
std::string url_decode(const std::string& s);
std::string commas(std::int64_t n);              // 1299 → "1,299"
std::string date_part(const std::string& dt);    // "YYYY-MM-DD HH:MM:SS" → "YYYY-MM-DD"
std::int64_t epoch_ms(const std::string& dt);    // as if in UTC+8
std::string compact_date(const std::string& dt); // → "yyyyMMddHHmmss"
std::string join(const std::vector<std::string>& v, const std::string& sep);
std::int64_t to_int(const std::string& s, std::int64_t def);
// Integer member of a JSON object, accepting numbers and numeric strings.
std::int64_t jint(const nlohmann::json& j, const char* key, std::int64_t def);
std::string jstr(const nlohmann::json& j, const char* key, const std::string& def = "");
std::int64_t pages(std::int64_t total, std::int64_t size);
// Items [first, last) of page `page` (page_base = 0 or 1); empty range past the end.
std::pair<std::int64_t, std::int64_t> page_range(std::int64_t total, std::int64_t page, std::int64_t size,
                                                 int page_base);
std::string html_page(const std::string& title, const std::string& body, const std::string& charset = "UTF-8");
std::string freq_code(const std::string& freq, const std::vector<std::string>& table, int base,
                      const std::string& def);

// Answer a download of file k of dataset i (sim/files.cpp): real bytes, or the file's fault
// (dead → 404, login → 302 to a login page, mislabelled → other format's bytes).
void serve_dataset_file(const Portal& p, std::int64_t i, std::size_t k, Resp& resp);
// Generated table for a dataset: header + rows (bounded to 200 rows).
std::vector<std::vector<std::string>> dataset_table(const Portal& p, const Dataset& d);

}  // namespace odh::sim
