// odh regress — the snapshot regression (docs/regress.md):
//   odh regress [--dir tests/snapshots] [--group G]... [--update]
// Replays every snapshot group (a directory DIR/G of WARC files beside its golden file DIR/G.golden)
// through the family spiders into a fresh store, computes the indicators, and compares the store's
// records (StoreReader::record_fields) and the indicator rows with the golden file. Any difference is
// printed as "group: kind portal «key» field: old → new" and the command exits 1; --update rewrites the
// golden files' bodies instead (their header — sites file, sites, run date — stays).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

#include "cli/command.h"
#include "core/core.h"
#include "harvest/harvest.h"
#include "metrics/metrics.h"
#include "registry/registry.h"
#include "store/store.h"

namespace fs = std::filesystem;

namespace odh::cli {
namespace {

struct RegressArgs {
  std::string dir, root;
  std::vector<std::string> groups;
  bool update = false;
  int threads = 2;
  std::size_t max_lines = 200;
};

// (kind, portal or scope, key, field) → value: one golden line each.
using Golden = std::map<std::vector<std::string>, std::string>;

std::string escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    if (c == '\\') o += "\\\\";
    else if (c == '\t') o += "\\t";
    else if (c == '\n') o += "\\n";
    else if (c == '\r') o += "\\r";
    else o += c;
  }
  return o;
}

std::string unescape(const std::string& s) {
  std::string o;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      o += s[i];
      continue;
    }
    char c = s[++i];
    o += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
  }
  return o;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t a = 0;
  for (;;) {
    auto b = line.find('\t', a);
    out.push_back(line.substr(a, b == std::string::npos ? std::string::npos : b - a));
    if (b == std::string::npos) return out;
    a = b + 1;
  }
}

struct GoldenFile {
  std::string sites_file, run_date;
  std::vector<std::string> sites;
  std::vector<std::string> header;  // the lines before "---", kept by --update
  Golden body;
};

GoldenFile read_golden(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw Failure("regress: cannot read " + path.string());
  GoldenFile g;
  std::string line;
  int n = 0;
  bool body = false;
  while (std::getline(in, line)) {
    ++n;
    if (!body) {
      g.header.push_back(line);
      if (line == "---") body = true;
      if (line.empty() || line[0] == '#' || body) continue;
      auto f = split_tabs(line);
      if (f[0] == "sites_file" && f.size() == 2) g.sites_file = f[1];
      else if (f[0] == "run_date" && f.size() == 2) g.run_date = f[1];
      else if (f[0] == "sites" && f.size() >= 2) g.sites.assign(f.begin() + 1, f.end());
      else throw InputError(path.string(), n, f[0], "unknown header line (sites_file, sites, run_date, ---)");
      continue;
    }
    auto f = split_tabs(line);
    if (f.size() != 5) throw InputError(path.string(), n, "line", "expected 5 tab-separated columns");
    g.body[{unescape(f[0]), unescape(f[1]), unescape(f[2]), unescape(f[3])}] = unescape(f[4]);
  }
  if (g.sites_file.empty()) throw InputError(path.string(), 0, "sites_file", "missing from the header");
  if (g.sites.empty()) throw InputError(path.string(), 0, "sites", "missing from the header");
  if (g.run_date.empty()) throw InputError(path.string(), 0, "run_date", "missing from the header");
  if (!body) throw InputError(path.string(), n, "---", "missing header end");
  return g;
}

std::string number(std::optional<double> v) {
  if (!v) return "NULL";
  char b[64];
  std::snprintf(b, sizeof b, "%.9g", *v);
  return b;
}

// Replays one group into a temporary store and reads it back in the golden form.
Golden measure(const RegressArgs& a, const fs::path& warc_dir, const GoldenFile& g) {
  const fs::path root = a.root.empty() ? home_dir() : fs::path(a.root);
  Registry reg = load_registry((root / g.sites_file).string());
  std::vector<Site> sites;
  for (auto& id : g.sites) {
    const Site* s = reg.find(id);
    if (!s) throw Failure("regress: site " + id + " is not in " + (root / g.sites_file).string());
    sites.push_back(*s);
  }
  warc::WarcSnapshot snap(warc_dir.string());
  for (auto& p : snap.problems) std::cerr << "odh regress: " << warc_dir.string() << ": " << p << "\n";
  auto db = fs::temp_directory_path() /
            ("odh-regress-" + warc_dir.filename().string() + "-" + std::to_string(::getpid()) + ".sqlite");
  auto cleanup = [&] {
    for (const char* ext : {"", "-wal", "-shm"}) fs::remove(db.string() + ext);
  };
  cleanup();
  Golden out;
  try {
    std::int64_t run = 0;
    {
      auto store = Store::open(db.string());
      auto sum = replay_snapshot(sites, snap, *store, "regress", g.sites_file, a.threads);
      run = sum.run_id;
      store->set_run_started_at(run, g.run_date);
      store->finish_run(run);
      auto ref = metrics::load_reference(data_dir());
      metrics::compute_and_write(*store, static_cast<int>(run), ref);
    }
    auto reader = StoreReader::open(db.string());
    // Records with equal keys are told apart by their content (#1, #2, … in sorted order).
    std::map<std::vector<std::string>, std::vector<std::vector<std::pair<std::string, std::string>>>> recs;
    std::vector<std::string> last;
    reader->record_fields(run, [&](const std::string& portal, const char* kind, const std::string& key,
                                   const char* field, const std::string& value) {
      // A record's fields arrive together, each once: a field the current record already has starts
      // the next record with the same key.
      std::vector<std::string> id{kind, portal, key};
      auto& list = recs[id];
      bool seen = false;
      if (!list.empty())
        for (auto& fv : list.back()) seen |= fv.first == field;
      if (id != last || list.empty() || seen) list.emplace_back();
      last = id;
      list.back().emplace_back(field, value);
    });
    for (auto& [id, list] : recs) {
      std::sort(list.begin(), list.end());
      for (std::size_t i = 0; i < list.size(); ++i) {
        std::string key = list.size() == 1 ? id[2] : id[2] + " #" + std::to_string(i + 1);
        for (auto& [field, value] : list[i]) out[{id[0], id[1], key, field}] = value;
      }
    }
    reader->indicators(run, [&](const sql::Row& r) {
      std::string scope = r.text(0) + (r.text(1).empty() ? "" : "/" + r.text(1));
      std::string v = number(r.opt_f64(3));
      if (!r.text(5).empty()) v += " " + r.text(5);
      if (!r.text(4).empty()) v += " [" + r.text(4) + "]";
      v += " n=" + r.text(6);
      out[{"indicator", scope, r.text(2), "value"}] = v;
    });
  } catch (...) {
    cleanup();
    throw;
  }
  cleanup();
  return out;
}

std::string describe(const std::vector<std::string>& k) {
  return k[0] + " " + k[1] + " «" + k[2] + "» " + k[3];
}

std::string shown(const std::string& v) {
  constexpr std::size_t kMax = 160;
  std::string e = escape(v);
  if (e.size() > kMax) {
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(e[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
    e = e.substr(0, cut) + "…";
  }
  return "\"" + e + "\"";
}

void write_golden(const fs::path& path, const GoldenFile& g, const Golden& body) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    for (auto& h : g.header) out << h << "\n";
    for (auto& [k, v] : body)
      out << escape(k[0]) << '\t' << escape(k[1]) << '\t' << escape(k[2]) << '\t' << escape(k[3]) << '\t'
          << escape(v) << "\n";
    out.flush();
    if (!out) throw Failure("regress: cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

void run_regress(const RegressArgs& a) {
  const fs::path dir = a.dir.empty() ? home_dir() / "tests" / "snapshots" : fs::path(a.dir);
  std::vector<std::string> groups = a.groups;
  if (groups.empty()) {
    for (auto& e : fs::directory_iterator(dir))
      if (e.is_directory() && fs::exists(dir / (e.path().filename().string() + ".golden")))
        groups.push_back(e.path().filename().string());
    std::sort(groups.begin(), groups.end());
  }
  if (groups.empty()) throw Failure("regress: no snapshot group (DIR/G/ beside DIR/G.golden) in " + dir.string());
  std::size_t total = 0;
  for (auto& group : groups) {
    const fs::path golden = dir / (group + ".golden");
    GoldenFile g = read_golden(golden);
    Golden now = measure(a, dir / group, g);
    if (a.update) {
      write_golden(golden, g, now);
      std::cout << group << ": " << now.size() << " lines written to " << golden.string() << "\n";
      continue;
    }
    std::size_t diffs = 0;
    auto say = [&](const std::string& line) {
      if (++diffs <= a.max_lines) std::cout << group << ": " << line << "\n";
    };
    auto o = g.body.begin(), n = now.begin();
    while (o != g.body.end() || n != now.end()) {
      if (n == now.end() || (o != g.body.end() && o->first < n->first)) {
        say(describe(o->first) + ": " + shown(o->second) + " → (absent)");
        ++o;
      } else if (o == g.body.end() || n->first < o->first) {
        say(describe(n->first) + ": (absent) → " + shown(n->second));
        ++n;
      } else {
        if (o->second != n->second) say(describe(o->first) + ": " + shown(o->second) + " → " + shown(n->second));
        ++o, ++n;
      }
    }
    if (diffs > a.max_lines) std::cout << group << ": … " << diffs - a.max_lines << " more differences\n";
    std::cout << group << ": " << now.size() << " lines, " << diffs << " differences\n";
    total += diffs;
  }
  if (total)
    throw Failure("regress: " + std::to_string(total) +
                  " differences from the golden files (explain them and run odh regress --update)");
}

CommandRegistrar reg(95, [](CLI::App& app) {
  auto a = std::make_shared<RegressArgs>();
  auto* c = app.add_subcommand("regress",
                               "Replay the committed WARC snapshots, rebuild store and indicators, and compare them "
                               "with the golden files (exit 1 on any difference)");
  c->add_option("--dir", a->dir, "snapshot directory (default: <repo>/tests/snapshots)");
  c->add_option("--root", a->root, "directory the golden files' sites_file is relative to (default: the repo)");
  c->add_option("--group", a->groups, "only this group (repeatable; default: every DIR/G with DIR/G.golden)");
  c->add_flag("--update", a->update, "rewrite the golden files from this replay instead of comparing");
  c->add_option("--threads", a->threads, "replay workers")->capture_default_str();
  c->add_option("--max-lines", a->max_lines, "differences printed per group")->capture_default_str();
  c->callback([a] { run_regress(*a); });
});

}  // namespace
}  // namespace odh::cli
