#include "warc/warc.h"

#include <sqlite3.h>

#include <memory>

#include "core/sql.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

namespace odh::warc {

static std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

static bool is_ip(std::string_view host) {
  if (!host.empty() && host.front() == '[') return true;  // IPv6 literal
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
}

std::string surt(std::string_view url) {
  if (auto hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  auto colon = url.find(':');
  if (colon == std::string_view::npos) return lower(url);
  std::string scheme = lower(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 1);
  if (scheme != "http" && scheme != "https") {
    if (rest.substr(0, 2) == "//") rest.remove_prefix(1);
    return scheme + ")" + lower(rest);
  }
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  std::size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view path_query = end == std::string_view::npos ? "" : rest.substr(end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority, port;
  if (auto c = authority.rfind(':');
      c != std::string_view::npos && authority.find(']', c) == std::string_view::npos) {
    host = authority.substr(0, c);
    port = authority.substr(c + 1);
  }
  std::string h = lower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  std::string key;
  if (is_ip(h)) {
    key = h;
  } else {
    std::vector<std::string> labels;
    std::size_t s = 0;
    while (s <= h.size()) {
      std::size_t d = h.find('.', s);
      if (d == std::string::npos) d = h.size();
      labels.push_back(h.substr(s, d - s));
      s = d + 1;
    }
    // "www", "www2"… is dropped, as replay tools do, so both forms share one key.
    if (labels.size() > 2 && labels[0].rfind("www", 0) == 0 &&
        std::all_of(labels[0].begin() + 3, labels[0].end(),
                    [](char c) { return std::isdigit((unsigned char)c); }))
      labels.erase(labels.begin());
    for (auto it = labels.rbegin(); it != labels.rend(); ++it) key += (key.empty() ? "" : ",") + *it;
  }
  bool default_port =
      port.empty() || (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  if (!default_port) key += ":" + std::string(port);
  key += ")";
  std::string_view path = path_query, query;
  bool has_query = false;
  if (auto q = path_query.find('?'); q != std::string_view::npos) {
    path = path_query.substr(0, q);
    query = path_query.substr(q + 1);
    has_query = true;
  }
  key += path.empty() ? "/" : lower(path);
  if (has_query && !query.empty()) {
    std::vector<std::string> args;
    std::size_t s = 0;
    while (s <= query.size()) {
      std::size_t a = query.find('&', s);
      if (a == std::string_view::npos) a = query.size();
      if (a > s) args.push_back(lower(query.substr(s, a - s)));
      s = a + 1;
    }
    std::sort(args.begin(), args.end());
    std::string q;
    for (const auto& a : args) q += (q.empty() ? "" : "&") + a;
    key += "?" + q;
  }
  return key;
}

static std::string mime_only(std::string_view ct) {
  if (auto semi = ct.find(';'); semi != std::string_view::npos) ct = ct.substr(0, semi);
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) ct.remove_suffix(1);
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) ct.remove_prefix(1);
  return lower(ct);
}

IndexEntry index_entry(const Record& r, const std::string& file) {
  IndexEntry e;
  e.url = std::string(r.target_uri());
  e.surt = surt(e.url);
  e.date = std::string(r.date());
  for (char c : e.date)
    if (std::isdigit(static_cast<unsigned char>(c)) && e.timestamp.size() < 14) e.timestamp += c;
  while (e.timestamp.size() < 14)
    e.timestamp += e.timestamp.size() < 8 ? (e.timestamp.size() % 2 ? '1' : '0') : '0';
  e.file = file;
  e.offset = r.offset;
  e.length = r.length;
  e.record_type = std::string(r.type());
  e.record_id = std::string(r.record_id());
  std::string_view d = find_field(r.headers, "WARC-Payload-Digest");
  if (d.substr(0, 5) == "sha1:") d.remove_prefix(5);
  e.digest = std::string(d);
  e.refers_to_uri = std::string(find_field(r.headers, "WARC-Refers-To-Target-URI"));
  e.refers_to_date = std::string(find_field(r.headers, "WARC-Refers-To-Date"));
  e.site = std::string(find_field(r.headers, "WARC-Odh-Site"));
  e.kind = std::string(find_field(r.headers, "WARC-Odh-Kind"));
  if (r.is_http() && e.record_type != "request") {
    HttpMessage m = r.http();
    if (!m.is_request) {
      e.status = m.status;
      e.mime = mime_only(find_field(m.headers, "Content-Type"));
    }
  } else {
    e.mime = mime_only(r.content_type());
  }
  if (e.record_type == "revisit") e.mime = "warc/revisit";
  if (e.digest.empty() && e.record_type != "revisit" && e.record_type != "warcinfo") {
    // Some writers leave it out: compute it, as CDX indexers do.
    std::string computed = sha1_digest(r.is_http() ? r.http().body : r.block);
    e.digest = computed.substr(5);
  }
  return e;
}

std::vector<IndexEntry> index_file(const std::filesystem::path& path, const IndexOptions& options) {
  std::vector<IndexEntry> v;
  WarcReader reader(path);
  Record r;
  while (reader.next(&r)) {
    if (!options.all_records && (r.type() == "warcinfo" || r.type() == "request")) continue;
    v.push_back(index_entry(r, path.string()));
  }
  return v;
}

std::string cdxj_line(const IndexEntry& e) {
  nlohmann::ordered_json j;
  j["url"] = e.url;
  if (!e.mime.empty()) j["mime"] = e.mime;
  if (e.status) j["status"] = std::to_string(e.status);
  if (!e.digest.empty()) j["digest"] = e.digest;
  j["length"] = std::to_string(e.length);
  j["offset"] = std::to_string(e.offset);
  j["filename"] = std::filesystem::path(e.file).filename().string();
  if (e.record_type != "response") j["type"] = e.record_type;
  // Invalid UTF-8 in a URL must not abort the export: replace it.
  return e.surt + " " + e.timestamp + " " + j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write_cdxj(std::vector<IndexEntry> entries, std::ostream& out) {
  std::stable_sort(entries.begin(), entries.end(), [](const IndexEntry& a, const IndexEntry& b) {
    if (a.surt != b.surt) return a.surt < b.surt;
    return a.timestamp < b.timestamp;
  });
  for (const auto& e : entries) out << cdxj_line(e) << "\n";
}

void create_index_table(sqlite3* db) {
  sql::exec(db,
       "CREATE TABLE IF NOT EXISTS warc_record (\n"
       "  id INTEGER PRIMARY KEY,\n"
       "  file TEXT NOT NULL,          -- WARC file path\n"
       "  offset INTEGER NOT NULL,     -- byte offset of the record (its gzip member)\n"
       "  length INTEGER NOT NULL,     -- stored bytes (0 when not seekable)\n"
       "  record_type TEXT NOT NULL,   -- response, revisit, request, resource, metadata, warcinfo\n"
       "  record_id TEXT,\n"
       "  url TEXT, surt TEXT, date TEXT, timestamp TEXT,\n"
       "  status INTEGER, mime TEXT, digest TEXT,\n"
       "  refers_to_uri TEXT, refers_to_date TEXT,\n"
       "  site TEXT, kind TEXT,        -- WARC-Odh-Site / WARC-Odh-Kind\n"
       "  UNIQUE (file, offset)\n"
       ");\n"
       "CREATE INDEX IF NOT EXISTS warc_record_surt ON warc_record (surt, timestamp);\n"
       "CREATE INDEX IF NOT EXISTS warc_record_digest ON warc_record (digest);\n");
}

void insert_index(sqlite3* db, const std::vector<IndexEntry>& entries) {
  sql::exec(db, "SAVEPOINT warc_index");
  try {
    sql::Statement st(db,
                      "INSERT OR REPLACE INTO warc_record (file, offset, length, record_type, record_id, url, surt, "
                      "date, timestamp, status, mime, digest, refers_to_uri, refers_to_date, site, kind) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& e : entries) {
      st.arg_text(e.file)
          .arg(std::optional<std::int64_t>(e.offset))
          .arg(std::optional<std::int64_t>(e.length))
          .arg_text(e.record_type)
          .arg_text(e.record_id)
          .arg_text(e.url)
          .arg_text(e.surt)
          .arg_text(e.date)
          .arg_text(e.timestamp)
          .arg(e.status ? std::optional<std::int64_t>(e.status) : std::nullopt)
          .arg_text(e.mime)
          .arg_text(e.digest)
          .arg_text(e.refers_to_uri)
          .arg_text(e.refers_to_date)
          .arg_text(e.site)
          .arg_text(e.kind)
          .run();
    }
  } catch (...) {
    sql::exec(db, "ROLLBACK TO warc_index; RELEASE warc_index");
    throw;
  }
  sql::exec(db, "RELEASE warc_index");
}

void index_into(const std::string& db_path, const std::vector<IndexEntry>& entries) {
  sql::configure_process();
  sqlite3* db = nullptr;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw Failure("cannot open " + db_path + ": " + msg);
  }
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, sqlite3_close);
  sqlite3_busy_timeout(db, 5000);
  create_index_table(db);
  insert_index(db, entries);
}

}  // namespace odh::warc
