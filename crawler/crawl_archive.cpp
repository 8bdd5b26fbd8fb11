// Archive seam over the warc module's WarcWriter (warc/warc.h).
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "crawler/crawl_seams.h"
#include "warc/warc.h"

namespace odh::crawl {
namespace {
class WarcArchive : public Archive {
 public:
  explicit WarcArchive(warc::WriterOptions o) : w_(std::move(o)) {}
  ArchivedAt write(const Exchange& x) override {
    warc::Capture c;
    c.url = x.url;
    c.ip = x.ip;
    c.time = warc::Clock::time_point(
        std::chrono::duration_cast<warc::Clock::duration>(std::chrono::duration<double>(x.date)));
    c.request = x.request;
    c.response = x.response;
    c.refers_to_record_id = x.refers_to_record_id;
    c.refers_to_uri = x.refers_to_uri;
    c.refers_to_date = x.refers_to_date;
    c.truncated = x.truncated;
    auto recs = w_.write_capture(c);
    ArchivedAt at;
    at.file = std::filesystem::path(recs.response.file).filename().string();
    at.offset = static_cast<std::int64_t>(recs.response.offset);
    at.record_id = recs.response.record_id;
    at.payload_digest = recs.response.payload_digest;
    at.end = static_cast<std::int64_t>(
        std::max(recs.response.offset + recs.response.length, recs.request.offset + recs.request.length));
    if (kill_point_hit("mid-record")) {
      // What a kill inside write(2) leaves: the last record of this exchange torn in half.
      if (::truncate(w_.current_file().c_str(), at.end - 40) == 0) std::raise(SIGKILL);
    }
    return at;
  }
  void flush(bool fsync) override {
    (void)fsync;  // WarcWriter::flush always fsyncs; it also releases its list of pending records
    w_.flush();
  }

 private:
  warc::WarcWriter w_;
};
}  // namespace

std::unique_ptr<Archive> open_archive(const std::string& dir, const std::string& prefix,
                                      std::int64_t max_bytes, std::string* error) {
  try {
    warc::WriterOptions o;
    o.dir = dir;
    o.prefix = prefix;
    o.max_file_bytes = static_cast<std::uint64_t>(max_bytes);
    o.info = {{"software", "odh crawler"}, {"format", "WARC File Format 1.1"}};
    return std::make_unique<WarcArchive>(std::move(o));
  } catch (const std::exception& e) {
    *error = e.what();
    return nullptr;
  }
}

bool read_archived_response(const std::string& path, std::int64_t offset, int* status, HeaderList* headers,
                            std::string* body, std::string* refers_to, std::string* error) {
  try {
    warc::Record rec = warc::read_record_at(path, static_cast<std::uint64_t>(offset));
    refers_to->clear();
    if (rec.type() == "revisit" &&
        warc::find_field(rec.headers, "WARC-Profile").find("identical-payload-digest") != std::string_view::npos)
      *refers_to = std::string(warc::find_field(rec.headers, "WARC-Refers-To"));
    if ((rec.type() != "response" && refers_to->empty()) || !rec.is_http()) {
      *error = "not an HTTP response record";
      return false;
    }
    warc::HttpMessage m = rec.http();
    if (!m.error.empty() || m.is_request) {
      *error = m.error.empty() ? "not a response" : m.error;
      return false;
    }
    *status = m.status;
    headers->assign(m.headers.begin(), m.headers.end());
    *body = std::move(m.body);
    return true;
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
  }
}

bool truncate_archive(const std::string& path, std::int64_t bytes, std::string* error) {
  try {
    if (::truncate(path.c_str(), bytes) != 0) {
      *error = std::string("truncate failed: ") + std::strerror(errno);
      return false;
    }
    if (kill_point_hit("repair")) std::raise(SIGKILL);  // a kill during the repair itself: cut, not checked
    auto r = warc::repair_tail(path);
    if (static_cast<std::int64_t>(r.new_size) != bytes) {
      // The committed records themselves are not whole: resuming would build on a damaged archive.
      *error = "the committed part is damaged (" + r.reason + "; " + std::to_string(r.new_size) + " of " +
               std::to_string(bytes) + " bytes kept)";
      return false;
    }
    return true;
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
  }
}
}  // namespace odh::crawl
