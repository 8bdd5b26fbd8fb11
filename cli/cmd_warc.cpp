// odh warc — look into WARC snapshots: list records, export a CDXJ index, index into SQLite,
// print one record, repair a tail cut by a crash.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "web/content_decoding.h"
#include "warc/warc.h"

namespace odh::cli {
namespace {

using nlohmann::ordered_json;
using namespace odh::warc;

const auto kJsonReplace = nlohmann::json::error_handler_t::replace;

struct LsOptions {
  std::vector<std::string> files;
  bool json = false, verify = false;
};

// Returns false when a file had a malformed record (listing stops there).
bool ls_file(const std::string& file, const LsOptions& o, ordered_json* out) {
  ordered_json recs = ordered_json::array();
  std::string error;
  std::size_t bad_digests = 0;
  try {
    WarcReader reader(file);
    Record r;
    while (reader.next(&r)) {
      IndexEntry e = index_entry(r, file);
      std::string http_error;
      if (r.is_http()) http_error = r.http().error;
      DigestCheck d;
      if (o.verify) {
        d = verify_digests(r);
        if (!d.ok()) ++bad_digests;
      }
      if (o.json) {
        ordered_json j;
        j["offset"] = r.offset;
        j["length"] = r.length;
        j["type"] = std::string(r.type());
        j["record_id"] = std::string(r.record_id());
        j["date"] = e.date;
        j["url"] = e.url;
        if (e.status) j["status"] = e.status;
        j["mime"] = e.mime;
        j["digest"] = e.digest;
        j["block_bytes"] = r.block.size();
        if (!http_error.empty()) j["http_error"] = http_error;
        if (!r.warnings.empty()) j["warnings"] = r.warnings;
        if (o.verify) j["digests"] = {{"block", d.block}, {"payload", d.payload}, {"detail", d.detail}};
        recs.push_back(j);
      } else {
        std::cout << r.offset << "\t" << r.length << "\t" << r.type() << "\t"
                  << (e.status ? std::to_string(e.status) : "-") << "\t" << e.date << "\t"
                  << (e.url.empty() ? "-" : e.url);
        if (o.verify) std::cout << "\tblock=" << d.block << " payload=" << d.payload;
        if (!http_error.empty()) std::cout << "\t[http: " << http_error << "]";
        for (const auto& w : r.warnings) std::cout << "\t[" << w << "]";
        std::cout << "\n";
        if (o.verify && !d.ok()) std::cerr << file << ": offset " << r.offset << ": " << d.detail << "\n";
      }
    }
  } catch (const WarcError& e) {
    error = e.what();
    if (!o.json) std::cerr << "odh: " << error << "\n";
  }
  if (o.json) {
    ordered_json j;
    j["file"] = file;
    j["records"] = recs;
    j["error"] = error.empty() ? ordered_json(nullptr) : ordered_json(error);
    if (o.verify) j["digest_mismatches"] = bad_digests;
    out->push_back(j);
  }
  return error.empty() && bad_digests == 0;
}

CommandRegistrar reg(85, [](CLI::App& app) {
  auto* warc = app.add_subcommand("warc", "Inspect WARC snapshots: ls, cdxj, index, cat, repair");
  warc->require_subcommand(1);

  // ls
  auto ls_opt = std::make_shared<LsOptions>();
  auto* ls =
      warc->add_subcommand("ls", "List the records of WARC files (offset, length, type, status, date, URL)");
  ls->add_option("FILE", ls_opt->files, "WARC files (.warc or .warc.gz)")
      ->required()
      ->check(CLI::ExistingFile);
  ls->add_flag("--json", ls_opt->json, "Print JSON: [{file, records: [...], error}]");
  ls->add_flag("--verify", ls_opt->verify, "Recompute block and payload digests; exit 1 on a mismatch");
  ls->callback([ls_opt] {
    ordered_json out = ordered_json::array();
    bool ok = true;
    for (const auto& f : ls_opt->files) ok = ls_file(f, *ls_opt, &out) && ok;
    if (ls_opt->json) std::cout << out.dump(2, ' ', false, kJsonReplace) << "\n";
    if (!ok)
      throw Failure(ls_opt->verify ? "malformed records or digest mismatches (see above)"
                                   : "malformed WARC input");
  });

  // cdxj
  struct CdxjOptions {
    std::vector<std::string> files;
    std::string output;
    bool all = false;
  };
  auto cx = std::make_shared<CdxjOptions>();
  auto* cdxj =
      warc->add_subcommand("cdxj", "Write a sorted CDXJ index (SURT key, timestamp, JSON) of WARC files");
  cdxj->add_option("FILE", cx->files, "WARC files")->required()->check(CLI::ExistingFile);
  cdxj->add_option("-o,--output", cx->output, "Write to this file instead of stdout");
  cdxj->add_flag("--all-records", cx->all, "Also index warcinfo and request records");
  cdxj->callback([cx] {
    std::vector<IndexEntry> all;
    for (const auto& f : cx->files) {
      auto v = index_file(f, IndexOptions{cx->all});
      all.insert(all.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
    }
    if (cx->output.empty()) {
      write_cdxj(std::move(all), std::cout);
    } else {
      std::ofstream out(cx->output, std::ios::binary);
      if (!out) throw Failure("cannot write " + cx->output);
      write_cdxj(std::move(all), out);
      if (!out.flush()) throw Failure("cannot write " + cx->output);
    }
  });

  // index
  struct DbOptions {
    std::vector<std::string> files;
    std::string db;
    bool all = true;
  };
  auto dbo = std::make_shared<DbOptions>();
  auto* index =
      warc->add_subcommand("index", "Index every record of WARC files into SQLite table warc_record");
  index->add_option("FILE", dbo->files, "WARC files")->required()->check(CLI::ExistingFile);
  index->add_option("--db", dbo->db, "SQLite database (created when missing)")->required();
  index->callback([dbo] {
    std::size_t n = 0;
    for (const auto& f : dbo->files) {
      auto v = index_file(f, IndexOptions{true});
      index_into(dbo->db, v);
      n += v.size();
    }
    std::cerr << "odh warc index: " << n << " records from " << dbo->files.size() << " file(s) into "
              << dbo->db << "\n";
  });

  // cat
  struct CatOptions {
    std::string file;
    std::uint64_t offset = 0;
    bool payload = false, decode = false;
  };
  auto co = std::make_shared<CatOptions>();
  auto* cat =
      warc->add_subcommand("cat", "Print the record at an offset (headers + block, or its HTTP payload)");
  cat->add_option("FILE", co->file, "WARC file")->required()->check(CLI::ExistingFile);
  cat->add_option("OFFSET", co->offset, "Record offset (from ls, cdxj or the fetch table)")->required();
  cat->add_flag("--payload", co->payload, "Print only the HTTP entity body (chunked framing removed)");
  cat->add_flag("--decode", co->decode, "With --payload: also undo Content-Encoding (max 256 MiB)");
  cat->callback([co] {
    Record r = read_record_at(co->file, co->offset);
    if (!co->payload) {
      std::cout << r.version << "\r\n";
      for (const auto& [k, v] : r.headers) std::cout << k << ": " << v << "\r\n";
      std::cout << "\r\n" << r.block;
      return;
    }
    std::string body = r.block;
    if (r.is_http()) {
      HttpMessage m = r.http();
      if (!m.error.empty()) std::cerr << "odh: warning: " << m.error << "\n";
      body = m.body;
      std::string_view enc = find_field(m.headers, "Content-Encoding");
      if (co->decode && !enc.empty()) {
        std::string out;
        DecodeStatus st = decode_content(enc, body, 256u << 20, &out);
        if (!st.ok())
          throw Failure("cannot decode Content-Encoding '" + std::string(enc) + "': " + st.message);
        body = out;
      }
    }
    std::cout << body;
  });

  // repair
  struct RepairOptions {
    std::vector<std::string> files;
    bool json = false;
  };
  auto ro = std::make_shared<RepairOptions>();
  auto* repair =
      warc->add_subcommand("repair", "Cut WARC files after their last complete record (after a crash)");
  repair->add_option("FILE", ro->files, "WARC files")->required()->check(CLI::ExistingFile);
  repair->add_flag("--json", ro->json, "Print JSON");
  repair->callback([ro] {
    ordered_json out = ordered_json::array();
    for (const auto& f : ro->files) {
      RepairResult res = repair_tail(f);
      if (ro->json) {
        out.push_back({{"file", f},
                       {"old_size", res.old_size},
                       {"new_size", res.new_size},
                       {"records", res.records},
                       {"reason", res.reason}});
      } else if (res.new_size < res.old_size) {
        std::cout << f << ": cut " << (res.old_size - res.new_size) << " bytes (" << res.reason << "), "
                  << res.records << " records kept\n";
      } else {
        std::cout << f << ": whole, " << res.records << " records\n";
      }
    }
    if (ro->json) std::cout << out.dump(2) << "\n";
  });
});

}  // namespace
}  // namespace odh::cli
