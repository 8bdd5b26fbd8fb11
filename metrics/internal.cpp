#include "metrics/internal.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/core.h"

namespace odh::metrics::detail {

Stmt::Stmt(sqlite3* db, const std::string& sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st_, nullptr) != SQLITE_OK)
    throw Failure(std::string("sqlite: ") + sqlite3_errmsg(db) + " in: " + sql.substr(0, 200));
}
Stmt::~Stmt() { sqlite3_finalize(st_); }
Stmt& Stmt::bind(int i, long long v) {
  sqlite3_bind_int64(st_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, const std::string& v) {
  sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind(int i, std::optional<double> v) {
  if (v && std::isfinite(*v))
    sqlite3_bind_double(st_, i, *v);
  else
    sqlite3_bind_null(st_, i);
  return *this;
}
bool Stmt::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw Failure(std::string("sqlite: ") + sqlite3_errmsg(db_));
}
void Stmt::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}
bool Stmt::null(int c) const { return sqlite3_column_type(st_, c) == SQLITE_NULL; }
long long Stmt::i64(int c) const { return sqlite3_column_int64(st_, c); }
double Stmt::f64(int c) const { return sqlite3_column_double(st_, c); }
std::string Stmt::text(int c) const {
  auto p = sqlite3_column_text(st_, c);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(st_, c)) : std::string();
}
std::optional<double> Stmt::opt(int c) const {
  if (null(c)) return std::nullopt;
  return f64(c);
}

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "?";
    sqlite3_free(err);
    throw Failure("sqlite: " + m);
  }
}

bool has_table(sqlite3* db, const std::string& name) {
  Stmt s(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
  s.bind(1, name);
  return s.step();
}

std::string tier_of(const Portal& p, const Reference& ref) {
  // County-level portals do not make their city "have a portal"; a municipality's provincial portal does.
  if (p.level == "县区级") return "";
  const std::string& key = p.city.empty() ? p.province : p.city;
  auto it = ref.city_tier.find(key);
  return it == ref.city_tier.end() ? "" : it->second;
}

std::vector<Portal> portals(sqlite3* db, int run, const Reference& ref) {
  std::vector<Portal> v;
  Stmt s(db,
         "SELECT portal_id, level, region, kind, coalesce(province,''), coalesce(city,''), name FROM portal "
         "WHERE run_id=? ORDER BY portal_id");
  s.bind(1, (long long)run);
  while (s.step()) {
    Portal p{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6), ""};
    p.tier = tier_of(p, ref);
    v.push_back(std::move(p));
  }
  return v;
}

IndicatorRow row(std::string scope, std::string key, std::string id, std::optional<double> v,
                 std::string unit, long long n, std::string text) {
  if (v && !std::isfinite(*v)) v.reset();
  return IndicatorRow{
      std::move(scope), std::move(key), std::move(id), v, std::move(text), std::move(unit), n};
}

namespace {
struct GroupAcc {
  double sum = 0, num = 0, den = 0;
  long long n = 0, computable = 0, members = 0;
};
}  // namespace

std::vector<std::pair<std::string, std::string>> groups_of(const Portal& p) {
  std::vector<std::pair<std::string, std::string>> g{
      {"national", ""}, {"level", p.level}, {"region", p.region}};
  if (!p.tier.empty()) g.emplace_back("tier", p.tier);
  return g;
}

void emit_stats(std::vector<IndicatorRow>& out, const std::vector<Portal>& ps, const std::string& prefix,
                const std::string& unit, const std::map<std::string, double>& values) {
  std::map<std::pair<std::string, std::string>, std::vector<double>> g;
  g[{"national", ""}];
  for (auto& p : ps) {
    auto it = values.find(p.id);
    for (auto& k : groups_of(p)) {
      auto& v = g[k];
      if (it != values.end()) v.push_back(it->second);
    }
  }
  for (auto& [k, v] : g) {
    std::optional<double> mean, median, above;
    if (!v.empty()) {
      double s = 0;
      for (double x : v) s += x;
      mean = s / v.size();
      std::sort(v.begin(), v.end());
      median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
      above = 0;
      for (double x : v)
        if (x > *mean) *above += 1;
    }
    long long n = static_cast<long long>(v.size());
    out.push_back(row(k.first, k.second, prefix + "_mean", mean, unit, n));
    out.push_back(row(k.first, k.second, prefix + "_median", median, unit, n));
    out.push_back(row(k.first, k.second, prefix + "_above_mean", above, "portals", n));
  }
}

void emit(std::vector<IndicatorRow>& out, const std::vector<Portal>& ps, const std::string& id,
          const std::string& unit, Agg agg, const std::map<std::string, Obs>& obs) {
  std::map<std::pair<std::string, std::string>, GroupAcc> acc;
  acc[{"national", ""}];  // national row always exists, even with no portals
  for (const auto& p : ps) {
    auto it = obs.find(p.id);
    std::optional<double> v;
    const Obs* o = it == obs.end() ? nullptr : &it->second;
    if (o && o->num) {
      if (agg == Agg::Ratio) {
        if (o->den > 0) v = *o->num / o->den;
      } else {
        v = o->num;
      }
    }
    out.push_back(row("portal", p.id, id, v, unit, o ? o->n : 0, o ? o->text : ""));
    for (auto& g : groups_of(p)) {
      auto& a = acc[g];
      a.members++;
      if (!o || !o->num) continue;
      a.n += o->n;
      if (agg == Agg::Ratio) {
        a.num += *o->num;
        a.den += o->den;
        if (o->den > 0) a.computable++;
      } else if (v) {
        a.sum += *v;
        a.computable++;
      }
    }
  }
  for (auto& [g, a] : acc) {
    std::optional<double> v;
    long long n = a.computable;
    switch (agg) {
      case Agg::Sum:
        if (a.computable) v = a.sum;
        break;
      case Agg::Mean:
        if (a.computable) v = a.sum / a.computable;
        break;
      case Agg::Ratio:
        if (a.den > 0) v = a.num / a.den;
        n = a.n;
        break;
    }
    out.push_back(row(g.first, g.second, id, v, unit, n));
  }
}

void emit_count(std::vector<IndicatorRow>& out, const std::vector<Portal>& ps, const std::string& id,
                const std::map<std::string, std::optional<bool>>& flag, bool share) {
  std::map<std::pair<std::string, std::string>, GroupAcc> acc;
  acc[{"national", ""}];
  for (const auto& p : ps) {
    auto it = flag.find(p.id);
    std::optional<bool> f = it == flag.end() ? std::nullopt : it->second;
    for (auto& g : groups_of(p)) {
      auto& a = acc[g];
      if (!f) continue;
      a.computable++;
      if (*f) a.sum += 1;
    }
  }
  for (auto& [g, a] : acc) {
    std::optional<double> v;
    if (share) {
      if (a.computable) v = a.sum / a.computable;
    } else {
      v = a.sum;
    }
    out.push_back(row(g.first, g.second, id, v, share ? "share" : "portals", a.computable));
  }
}

std::string distribution_text(const std::map<std::string, long long>& counts, size_t limit) {
  std::vector<std::pair<std::string, long long>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
  if (limit && v.size() > limit) v.resize(limit);
  std::string s;
  for (auto& [k, c] : v) {
    if (!s.empty()) s += ';';
    s += k + "=" + std::to_string(c);
  }
  return s;
}

std::string norm_format(const std::string& declared, const std::string& sniffed) {
  std::string f = sniffed.empty() ? declared : sniffed;
  f.erase(0, f.find_first_not_of(" .\t"));
  while (!f.empty() && (f.back() == ' ' || f.back() == '\t')) f.pop_back();
  std::transform(f.begin(), f.end(), f.begin(), [](unsigned char c) { return std::tolower(c); });
  return f;
}

std::string crawl_date(sqlite3* db, int run) {
  Stmt s(db, "SELECT substr(started_at,1,10) FROM run WHERE run_id=?");
  s.bind(1, (long long)run);
  return s.step() ? s.text(0) : std::string();
}

std::optional<long long> days_between(const std::string& a, const std::string& b) {
  auto parse = [](const std::string& s) -> std::optional<std::chrono::sys_days> {
    int y, m, d;
    if (s.size() < 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days(ymd);
  };
  auto x = parse(a), y = parse(b);
  if (!x || !y) return std::nullopt;
  return (*y - *x).count();
}

std::map<std::string, double> by_portal(sqlite3* db, const std::string& sql, int run) {
  std::map<std::string, double> m;
  Stmt s(db, sql);
  s.bind(1, (long long)run);
  while (s.step())
    if (!s.null(1)) m[s.text(0)] = s.f64(1);
  return m;
}

std::optional<int> previous_run(sqlite3* db, int run) {
  Stmt s(db, "SELECT max(run_id) FROM run WHERE run_id<?");
  s.bind(1, (long long)run);
  if (s.step() && !s.null(0)) return static_cast<int>(s.i64(0));
  return std::nullopt;
}

}  // namespace odh::metrics::detail
