// WARC write/read throughput (bench/warc_bench.sh builds and runs this against build/).
// Writes N captures of HTML-like pages (compressible, ~20-60 KB, as portal list pages are)
// with odh's WarcWriter, then reads them back with WarcReader, with and without digest checks.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <tuple>

#include "warc/warc.h"

using namespace odh::warc;
namespace fs = std::filesystem;

// CPU time (user + system) of this process: the shared 2-core machine is loaded by other
// builds, so wall time mostly measures waiting; both are reported.
static double cpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}
static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: warc_bench DIR CAPTURES [FLUSH_EVERY=100] [GZIP_LEVEL=6]\n");
    return 2;
  }
  fs::path dir = argv[1];
  int n = std::atoi(argv[2]);
  int flush_every = argc > 3 ? std::atoi(argv[3]) : 100;
  int level = argc > 4 ? std::atoi(argv[4]) : 6;
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
  o.gzip_level = level;
  std::uint64_t raw_bytes = 0;
  double t0 = now(), c0 = cpu();
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
      if (flush_every > 0 && i % flush_every == flush_every - 1) w.flush();  // the crawler flushes in batches
    }
    w.close();
  }
  double t_write = now() - t0, c_write = cpu() - c0;
  std::uint64_t file_bytes = 0;
  std::vector<std::string> files;
  for (auto& e : fs::directory_iterator(dir))
    files.push_back(e.path().string()), file_bytes += fs::file_size(e);
  auto read_all = [&](bool verify) {
    double t = now(), c = cpu();
    std::uint64_t records = 0, ok = 0;
    for (const auto& f : files) {
      WarcReader r(f);
      Record rec;
      while (r.next(&rec)) {
        ++records;
        if (verify) ok += verify_digests(rec).ok();
      }
    }
    return std::make_tuple(now() - t, cpu() - c, records);
  };
  auto [t_read, c_read, recs] = read_all(false);
  auto [t_verify, c_verify, recs2] = read_all(true);
  double mb = raw_bytes / 1e6;
  std::printf("captures %d, uncompressed %.1f MB, on disk %.1f MB (%.1f%%), files %zu, records %llu\n", n, mb,
              file_bytes / 1e6, 100.0 * file_bytes / raw_bytes, files.size(), (unsigned long long)recs);
  auto line = [&](const char* what, double wall, double cpu_s) {
    std::printf("%-44s wall %6.2f s %7.1f MB/s | cpu %6.2f s %7.1f MB/s\n", what, wall, mb / wall, cpu_s,
                mb / cpu_s);
  };
  char w[96];
  std::snprintf(w, sizeof w, "odh write (gzip-%d, fsync every %d captures)", level, flush_every);
  line(w, t_write, c_write);
  line("odh read (inflate + parse records)", t_read, c_read);
  line("odh read + verify block/payload digests", t_verify, c_verify);
  (void)recs2;
  return 0;
}
