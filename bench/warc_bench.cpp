// WARC write/read throughput (bench/warc_bench.sh builds and runs this against build/).
// Writes N captures of HTML-like pages (compressible, ~20-60 KB, as portal list pages are)
// with odh's WarcWriter, then reads them back with WarcReader, with and without digest checks.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "crawler/warc.h"

using namespace odh::warc;
namespace fs = std::filesystem;

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: warc_bench DIR CAPTURES\n");
    return 2;
  }
  fs::path dir = argv[1];
  int n = std::atoi(argv[2]);
  fs::remove_all(dir);
  std::mt19937 rng(1);
  const char* words[] = {"<tr><td>",  "数据集",     "开放",
                         "</td><td>", "2024-05-01", "csv",
                         "xlsx",      "交通运输",   "<a href=\"/detail?id=",
                         "\">",       "</a>",       "\n",
                         "财政",      "统计",       "政府"};
  std::vector<std::string> bodies;
  for (int i = 0; i < 64; ++i) {
    std::string b = "<html><body><table>";
    std::size_t target = 20000 + rng() % 40000;
    while (b.size() < target) b += words[rng() % 15] + std::to_string(rng() % 100000);
    bodies.push_back(b + "</table></body></html>");
  }
  WriterOptions o;
  o.dir = dir;
  o.dedup_identical_payloads = false;  // measure full records
  std::uint64_t raw_bytes = 0;
  double t0 = now();
  {
    WarcWriter w(o);
    for (int i = 0; i < n; ++i) {
      Capture c;
      c.url = "http://data.example.gov.cn/list?page=" + std::to_string(i);
      c.ip = "10.0.0.1";
      c.request = "GET /list?page=" + std::to_string(i) + " HTTP/1.1\r\nHost: data.example.gov.cn\r\n\r\n";
      const std::string& b = bodies[i % bodies.size()];
      c.response = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
                   std::to_string(b.size() + 6) + "\r\n\r\n" + b + std::to_string(100000 + i);
      raw_bytes += c.request.size() + c.response.size();
      w.write_capture(c);
      if (i % 100 == 99) w.flush();  // the crawler flushes in batches
    }
    w.close();
  }
  double t_write = now() - t0;
  std::uint64_t file_bytes = 0;
  std::vector<std::string> files;
  for (auto& e : fs::directory_iterator(dir))
    files.push_back(e.path().string()), file_bytes += fs::file_size(e);
  auto read_all = [&](bool verify) {
    double t = now();
    std::uint64_t records = 0, ok = 0;
    for (const auto& f : files) {
      WarcReader r(f);
      Record rec;
      while (r.next(&rec)) {
        ++records;
        if (verify) ok += verify_digests(rec).ok();
      }
    }
    return std::make_pair(now() - t, records);
  };
  auto [t_read, recs] = read_all(false);
  auto [t_verify, recs2] = read_all(true);
  double mb = raw_bytes / 1e6;
  std::printf("captures %d, uncompressed %.1f MB, on disk %.1f MB (%.1f%%), files %zu, records %llu\n", n, mb,
              file_bytes / 1e6, 100.0 * file_bytes / raw_bytes, files.size(), (unsigned long long)recs);
  std::printf("odh write (gzip-6 + sha1 x3 + fsync/100): %.2f s, %.1f MB/s uncompressed\n", t_write,
              mb / t_write);
  std::printf("odh read (inflate + parse):               %.2f s, %.1f MB/s uncompressed\n", t_read,
              mb / t_read);
  std::printf("odh read + verify digests:                %.2f s, %.1f MB/s uncompressed\n", t_verify,
              mb / t_verify);
  (void)recs2;
  return 0;
}
