// SVG charts for the report (reports/chart.h).
#include "reports/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <sstream>

#include "reports/reports.h"
#include "reports/util.h"

namespace odh::reports {
namespace {

const char* const kPalette[] = {"#2f6db5", "#e07b39", "#3a9e6f", "#c9463d", "#8a63b8",
                                "#b58a2f", "#4fa3c7", "#d166a4", "#7a7a7a", "#9bbb3b"};
const char* color(size_t i) { return kPalette[i % 10]; }

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

// A value for a label on the chart.
std::string value_label(double v, bool percent) {
  if (std::isnan(v)) return "—";
  if (percent) return fmt_pct(v, 1);
  if (std::fabs(v) >= 100 || v == std::floor(v)) return fmt_int(v);
  return fmt_dec(v, 2);
}

struct Svg {
  std::ostringstream o;
  Svg(int w, int h) {
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 " << w << ' ' << h
      << "\" width=\"" << w << "\" height=\"" << h << "\" role=\"img\" font-family=\"'Noto Sans CJK SC','Noto Sans SC',"
      << "'Source Han Sans SC',sans-serif\" font-size=\"11\">";
  }
  void text(double x, double y, const std::string& t, const char* anchor = "start", const char* extra = "",
            std::size_t max_chars = 40) {
    o << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" text-anchor=\"" << anchor << "\"" << extra << '>'
      << html_escape(t, max_chars) << "</text>";
  }
  void rect(double x, double y, double w, double h, const char* fill, const std::string& title) {
    o << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(std::max(0.0, w)) << "\" height=\""
      << num(std::max(0.0, h)) << "\" fill=\"" << fill << "\"><title>" << html_escape(title, 80) << "</title></rect>";
  }
  std::string done() {
    o << "</svg>";
    return o.str();
  }
};

double value_at(const Chart::Series& s, size_t i) { return i < s.values.size() ? s.values[i] : NAN; }

void legend(Svg& svg, const Chart& c, double x, double y) {
  if (c.series.size() < 2) return;
  for (size_t k = 0; k < c.series.size(); ++k) {
    svg.rect(x, y - 9, 10, 10, color(k), c.series[k].name);
    svg.text(x + 14, y, c.series[k].name);
    x += 24 + 12.0 * std::min<size_t>(c.series[k].name.size() / 2 + 2, 16);
  }
}

// The largest bar (stacked: the largest sum of positive values of a label).
double max_value(const Chart& c, bool stacked) {
  double vmax = 0;
  for (size_t i = 0; i < c.labels.size(); ++i) {
    double sum = 0;
    for (auto& s : c.series) {
      double v = value_at(s, i);
      if (std::isnan(v)) continue;
      if (stacked) sum += std::max(0.0, v);
      else vmax = std::max(vmax, v);
    }
    vmax = std::max(vmax, sum);
  }
  return vmax;
}

// A value axis in round steps: the smallest step of 1, 2 or 5 x 10^k that covers the largest value
// in at most five intervals, so every gridline reads as a round number (0, 50, 100 ... not 62.5).
struct Axis {
  double step = 0.25;
  int intervals = 4;
  double max() const { return step * intervals; }
};
Axis value_axis(double v) {
  if (!(v > 0)) return {};
  double p = std::pow(10, std::floor(std::log10(v / 5)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    double step = m * p;
    int n = static_cast<int>(std::ceil(v / step - 1e-9));
    if (n <= 5) return {step, std::max(n, 1)};
  }
  return {10 * p, 5};
}

// A bar's tooltip: "label · series: value" (the series name only when there are several).
std::string bar_title(const Chart& c, size_t i, size_t k, double v) {
  return c.labels[i] + (c.series.size() > 1 ? " · " + c.series[k].name : "") + ": " + value_label(v, c.percent);
}

std::string vertical_bars(const Chart& c, int width, bool stacked, bool histogram) {
  const size_t n = c.labels.size();
  const bool rotate = n > 8 && !histogram;
  const int h = 320, top = 28, bottom = rotate ? 96 : 40, left = 64, right = 16;
  Svg svg(width, h);
  const Axis axis = value_axis(max_value(c, stacked));
  const double vmax = axis.max();
  const double plot_h = h - top - bottom, plot_w = width - left - right;
  // Axis and grid.
  for (int g = 0; g <= axis.intervals; ++g) {
    double y = top + plot_h - plot_h * g / axis.intervals;
    svg.o << "<line x1=\"" << left << "\" x2=\"" << width - right << "\" y1=\"" << num(y) << "\" y2=\"" << num(y)
          << "\" stroke=\"#ddd\"/>";
    svg.text(left - 4, y + 4, value_label(axis.step * g, c.percent), "end");
  }
  if (!c.unit.empty()) svg.text(4, 14, c.unit);
  legend(svg, c, left + 40, 14);
  if (n == 0) return svg.done();
  const double slot = plot_w / n;
  const size_t groups = stacked ? 1 : c.series.size();
  const double gap = histogram ? 1 : std::max(2.0, slot * 0.2);
  const double bw = (slot - gap) / std::max<size_t>(groups, 1);
  for (size_t i = 0; i < n; ++i) {
    double x0 = left + slot * i + gap / 2, acc = 0;
    for (size_t k = 0; k < c.series.size(); ++k) {
      double v = value_at(c.series[k], i);
      if (std::isnan(v)) continue;
      double bh = plot_h * std::max(0.0, v) / vmax;
      std::string title = bar_title(c, i, k, v);
      if (stacked) {
        svg.rect(x0, top + plot_h - acc - bh, slot - gap, bh, color(k), title);
        acc += bh;
      } else {
        svg.rect(x0 + bw * k, top + plot_h - bh, bw, bh, color(k), title);
        if (c.series.size() == 1 && n <= 16)
          svg.text(x0 + bw * k + bw / 2, top + plot_h - bh - 3, value_label(v, c.percent), "middle",
                   " font-size=\"9\"");
      }
    }
    double lx = left + slot * i + slot / 2, ly = top + plot_h + 14;
    if (rotate) {
      svg.o << "<text transform=\"translate(" << num(lx) << ',' << num(ly - 6) << ") rotate(-50)\" text-anchor=\"end\">"
            << html_escape(c.labels[i], 14) << "</text>";
    } else {
      svg.text(lx, ly, c.labels[i], "middle");
    }
  }
  svg.o << "<line x1=\"" << left << "\" x2=\"" << width - right << "\" y1=\"" << num(top + plot_h) << "\" y2=\""
        << num(top + plot_h) << "\" stroke=\"#333\"/>";
  return svg.done();
}

std::string horizontal_bars(const Chart& c, int width, bool stacked) {
  const size_t n = c.labels.size();
  const int row = c.series.size() > 1 && !stacked ? 12 * static_cast<int>(c.series.size()) + 6 : 20;
  const int top = c.series.size() > 1 ? 26 : 10, left = 150, right = 80;
  const int h = top + row * static_cast<int>(n) + 10;
  Svg svg(width, h);
  double vmax = max_value(c, stacked);
  if (!(vmax > 0)) vmax = 1;
  legend(svg, c, left, 14);
  const double plot_w = width - left - right;
  for (size_t i = 0; i < n; ++i) {
    const double y = top + row * i;
    svg.text(left - 6, y + row / 2.0 + 4, c.labels[i], "end");
    double acc = 0, total = 0;
    for (size_t k = 0; k < c.series.size(); ++k) {
      double v = value_at(c.series[k], i);
      if (std::isnan(v)) continue;
      double bw = plot_w * std::max(0.0, v) / vmax;
      std::string title = bar_title(c, i, k, v);
      if (stacked) {
        svg.rect(left + acc, y + 3, bw, row - 6, color(k), title);
        acc += bw;
        total += v;
      } else {
        double bh = (row - 6.0) / c.series.size();
        svg.rect(left, y + 3 + bh * k, bw, bh, color(k), title);
        svg.text(left + bw + 4, y + 3 + bh * k + bh - 1, value_label(v, c.percent), "start", " font-size=\"9\"");
      }
    }
    if (stacked) svg.text(left + acc + 4, y + row / 2.0 + 4, value_label(total, c.percent));
  }
  return svg.done();
}

std::string pie(const Chart& c, int width, bool donut) {
  const int h = 260;
  Svg svg(width, h);
  const double cx = 130, cy = 130, r = 110, r0 = donut ? 60 : 0;
  double total = 0;
  const auto& s = c.series.empty() ? Chart::Series{} : c.series[0];
  for (size_t i = 0; i < c.labels.size(); ++i)
    if (double v = value_at(s, i); !std::isnan(v) && v > 0) total += v;
  double a = -std::numbers::pi / 2;
  for (size_t i = 0; i < c.labels.size(); ++i) {
    double v = value_at(s, i);
    const std::string share = total > 0 && !std::isnan(v) ? fmt_pct(v / total, 1) : "—";
    // Legend.
    double ly = 24 + 20 * i;
    svg.rect(280, ly - 10, 12, 12, color(i), c.labels[i]);
    svg.text(298, ly, c.labels[i] + "  " + value_label(v, c.percent) + " (" + share + ")");
    if (std::isnan(v) || v <= 0 || total <= 0) continue;
    double b = a + 2 * std::numbers::pi * v / total;
    std::string title = c.labels[i] + ": " + value_label(v, c.percent) + " (" + share + ")";
    if (v >= total * 0.9999) {
      svg.o << "<circle cx=\"" << cx << "\" cy=\"" << cy << "\" r=\"" << r << "\" fill=\"" << color(i) << "\"><title>"
            << html_escape(title) << "</title></circle>";
    } else {
      auto px = [&](double ang, double rr) { return num(cx + rr * std::cos(ang)) + "," + num(cy + rr * std::sin(ang)); };
      int large = (b - a) > std::numbers::pi ? 1 : 0;
      svg.o << "<path d=\"M" << px(a, r0) << " L" << px(a, r) << " A" << r << ',' << r << " 0 " << large << " 1 "
            << px(b, r);
      if (donut) svg.o << " L" << px(b, r0) << " A" << r0 << ',' << r0 << " 0 " << large << " 0 " << px(a, r0);
      svg.o << " Z\" fill=\"" << color(i) << "\" stroke=\"#fff\"><title>" << html_escape(title) << "</title></path>";
    }
    a = b;
  }
  if (donut) {
    svg.o << "<circle cx=\"" << cx << "\" cy=\"" << cy << "\" r=\"" << r0 << "\" fill=\"#fff\"/>";
    svg.text(cx, cy + 5, value_label(total, c.percent), "middle", " font-size=\"14\"");
  }
  return svg.done();
}

std::string choropleth(const Chart& c, int width, const MapData* map) {
  if (!map || map->shapes.empty()) {
    Svg svg(width, 40);
    svg.text(10, 24, "(no boundary data)");
    return svg.done();
  }
  const double scale = width / map->width;
  const int h = static_cast<int>(map->height * scale) + 40;
  Svg svg(width, h);
  const auto& s = c.series.empty() ? Chart::Series{} : c.series[0];
  double vmax = 0;
  for (double v : s.values)
    if (!std::isnan(v)) vmax = std::max(vmax, v);
  // Sequential blues in 6 classes; 0 / no value is light grey.
  const char* const ramp[] = {"#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"};
  svg.o << "<g transform=\"scale(" << scale << ")\" stroke=\"#fff\" stroke-width=\"" << num(0.8 / scale) << "\">";
  for (auto& shape : map->shapes) {
    double v = NAN;
    for (size_t i = 0; i < c.labels.size(); ++i)
      if (c.labels[i].rfind(shape.name, 0) == 0 || shape.name.rfind(c.labels[i], 0) == 0) v = value_at(s, i);
    const char* fill = "#eeeeee";
    if (!std::isnan(v) && v > 0 && vmax > 0) fill = ramp[std::min(5, static_cast<int>(6 * v / (vmax + 1e-9)))];
    svg.o << "<path d=\"" << shape.path << "\" fill=\"" << fill << "\" fill-rule=\"evenodd\"><title>"
          << html_escape(shape.name + ": " + value_label(v, c.percent)) << "</title></path>";
  }
  svg.o << "</g>";
  // Legend.
  for (int k = 0; k < 6; ++k) {
    svg.rect(10 + 60 * k, h - 30, 60, 10, ramp[k], "");
    double lo = vmax * k / 6;
    svg.text(10 + 60 * k, h - 8, c.percent ? value_label(lo, true) : "≥" + fmt_int(std::ceil(lo)));
  }
  svg.text(width - 8, h - 8, map->source, "end", " font-size=\"8\" fill=\"#666\"", 120);
  return svg.done();
}

}  // namespace

std::string render_svg(const Chart& c, int width, const MapData* map) {
  bool any = false;
  for (auto& s : c.series)
    for (double v : s.values) any = any || !std::isnan(v);
  if (!any && c.kind != Chart::Kind::kChoropleth) {
    Svg svg(width, 40);
    svg.text(10, 24, "— 无数据 / no data —", "start", " fill=\"#888\"");
    return svg.done();
  }
  switch (c.kind) {
    case Chart::Kind::kBar: return vertical_bars(c, width, false, false);
    case Chart::Kind::kStacked: return vertical_bars(c, width, true, false);
    case Chart::Kind::kHistogram: return vertical_bars(c, width, false, true);
    case Chart::Kind::kHBar: return horizontal_bars(c, width, false);
    case Chart::Kind::kHStacked: return horizontal_bars(c, width, true);
    case Chart::Kind::kPie: return pie(c, width, false);
    case Chart::Kind::kDonut: return pie(c, width, true);
    case Chart::Kind::kChoropleth: return choropleth(c, width, map);
  }
  return "";
}

}  // namespace odh::reports
