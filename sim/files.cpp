// Downloadable files: real rows and columns in CSV (UTF-8 or GBK), XLSX (also behind .xls, see below),
// JSON, XML; dead links, server errors, hangs, login walls, application pages, anti-bot gates and
// mislabelled bodies as planned by World (sim.h FileRec::state).
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "core/core.h"
#include "sim/family.h"

namespace odh::sim {

namespace {

std::vector<std::string> split_cols(const std::string& desc) {
  // Many real descriptions list the columns ("单位名称,终端数量,单位地址,…", guizhou fixtures).
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty() && cur.size() <= 30) out.push_back(cur);
    cur.clear();
  };
  for (std::size_t i = 0; i < desc.size();) {
    if (desc[i] == ',') {
      flush();
      ++i;
    } else if (desc.compare(i, 3, "，") == 0 || desc.compare(i, 3, "、") == 0) {
      flush();
      i += 3;
    } else {
      cur += desc[i++];
    }
  }
  flush();
  return out;
}

const char* kDistricts[] = {"城关区", "高新区", "经开区", "新城区", "老城区", "滨江区", "东区", "西区"};
const char* kStreets[] = {"人民路", "解放路", "建设路", "中山路", "和平路", "文化路", "新华路", "长江路"};

std::string cell(const std::string& col, std::uint64_t h, std::int64_t row, const Portal& p) {
  std::string place = p.site.city.empty() ? p.site.province : p.site.city;
  if (col == "序号") return std::to_string(row + 1);
  if (col.find("日期") != std::string::npos || col.find("时间") != std::string::npos) {
    char b[16];
    std::snprintf(b, sizeof b, "%04d-%02d-%02d", 2018 + static_cast<int>(h % 4), 1 + static_cast<int>((h >> 4) % 12),
                  1 + static_cast<int>((h >> 8) % 28));
    return b;
  }
  if (col.find("地址") != std::string::npos)
    return place + kDistricts[h % 8] + kStreets[(h >> 3) % 8] + std::to_string(1 + (h >> 6) % 300) + "号";
  if (col.find("电话") != std::string::npos) return "0" + std::to_string(100 + h % 900) + "-" + std::to_string(6000000 + (h >> 10) % 3999999);
  if (col.find("区") != std::string::npos || col.find("县") != std::string::npos) return kDistricts[h % 8];
  if (col.find("数") != std::string::npos || col.find("量") != std::string::npos ||
      col.find("额") != std::string::npos || col.find("率") != std::string::npos)
    return std::to_string(h % 10000);
  if (col.find("名称") != std::string::npos || col.find("单位") != std::string::npos)
    return place + kStreets[h % 8] + std::vector<std::string>{"服务中心", "管理站", "卫生院", "学校", "有限公司"}[(h >> 5) % 5];
  return col + std::to_string(1 + h % 500);
}

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

std::string to_csv(const std::vector<std::vector<std::string>>& t) {
  std::string o = "\xEF\xBB\xBF";  // Excel-friendly BOM, as many portals emit
  for (const auto& r : t) {
    for (std::size_t i = 0; i < r.size(); ++i) o += (i ? "," : "") + csv_quote(r[i]);
    o += "\r\n";
  }
  return o;
}

std::string to_json(const std::vector<std::vector<std::string>>& t) {
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t r = 1; r < t.size(); ++r) {
    nlohmann::json o = nlohmann::json::object();
    for (std::size_t c = 0; c < t[0].size(); ++c) o[t[0][c]] = t[r][c];
    rows.push_back(o);
  }
  return nlohmann::json{{"code", 200}, {"total", rows.size()}, {"data", rows}}.dump();
}

std::string to_xml(const std::vector<std::vector<std::string>>& t) {
  std::string o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root>\n";
  for (std::size_t r = 1; r < t.size(); ++r) {
    o += "  <row>\n";
    for (std::size_t c = 0; c < t[0].size(); ++c)
      o += "    <field name=\"" + esc(t[0][c]) + "\">" + esc(t[r][c]) + "</field>\n";
    o += "  </row>\n";
  }
  return o + "</root>\n";
}

std::string to_xlsx(const std::vector<std::vector<std::string>>& t) {
  // libxlsxwriter 1.1.4 writes only to files: use a private temp file.
  char path[] = "/tmp/odh-sim-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) throw Failure("sim: cannot create temp file for XLSX");
  close(fd);
  std::string file = std::string(path) + ".xlsx";
  std::rename(path, file.c_str());
  lxw_workbook* wb = workbook_new(file.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Sheet1");
  for (std::size_t r = 0; r < t.size(); ++r)
    for (std::size_t c = 0; c < t[r].size(); ++c)
      worksheet_write_string(ws, static_cast<lxw_row_t>(r), static_cast<lxw_col_t>(c), t[r][c].c_str(), nullptr);
  workbook_close(wb);
  std::string bytes;
  try {
    bytes = read_file(file);
  } catch (...) {
  }
  std::remove(file.c_str());
  return bytes;
}

}  // namespace

std::vector<std::vector<std::string>> dataset_table(const Portal& p, const Dataset& d) {
  auto cols = split_cols(d.desc);
  if (cols.size() < 3) cols = {"序号", "名称", "地址", "所属区县", "联系电话", "数量", "更新日期"};
  else if (cols.size() > 12) cols.resize(12);
  std::vector<std::vector<std::string>> t{cols};
  std::int64_t n = std::min<std::int64_t>(d.volume, 200);
  for (std::int64_t r = 0; r < n; ++r) {
    std::vector<std::string> row;
    for (std::size_t c = 0; c < cols.size(); ++c)
      row.push_back(cell(cols[c], mix(mix(p.key, static_cast<std::uint64_t>(d.index)), r * 31 + c), r, p));
    t.push_back(std::move(row));
  }
  return t;
}

void serve_dataset_file(const Portal& p, std::int64_t i, std::size_t k, Resp& resp) {
  if (i < 0 || i >= p.n_datasets) return resp.not_found();
  Dataset d = p.dataset(i);
  if (k >= d.files.size()) return resp.not_found();
  const FileRec& f = d.files[k];
  if (f.state == "dead") return resp.not_found();
  if (f.state == "login") return resp.redirect("/login?redirect=" + url_encode(f.path));
  if (f.state == "error") {
    resp.status = 500;
    return resp.html(html_page("500", "<h1>500 Internal Server Error</h1>"));
  }
  if (f.state == "timeout") {
    resp.hold_s = 30;
    return;
  }
  if (f.state == "approval") {  // as 有条件开放 downloads answer (inferred from the report's §5.2)
    return resp.html(html_page("数据申请", "<div class=\"apply-tip\">该数据为有条件开放数据，请先提交申请，"
                                           "审核通过后方可下载。</div><a href=\"/apply\">申请使用</a>"));
  }
  if (f.state == "challenge") {  // the JS-cookie gate of open-data-web.md (HTTP 521 + script)
    resp.status = 521;
    return resp.html("<html><script>document.cookie='__jsl_clearance=" + std::to_string(i) +
                     "';location.href=location.pathname+location.search</script></html>");
  }
  auto t = dataset_table(p, d);
  std::string disp = "attachment; filename*=UTF-8''" + url_encode(f.name);
  resp.headers.emplace_back("Content-Disposition", disp);
  if (f.served == "csv") {
    if (f.charset == "GBK") {  // GBK bytes and a header that names no charset
      resp.content_type = f.format == "csv" ? "text/csv" : "application/vnd.ms-excel";
      resp.body = to_gbk(to_csv(t).substr(3));  // no BOM: GBK has none
    } else {
      resp.content_type = f.format == "csv" ? "text/csv; charset=UTF-8" : "application/vnd.ms-excel";
      resp.body = to_csv(t);
    }
  } else if (f.served == "json") {
    resp.content_type = "application/json;charset=UTF-8";
    resp.body = to_json(t);
  } else if (f.served == "xml") {
    resp.content_type = "application/xml;charset=UTF-8";
    resp.body = to_xml(t);
  } else if (f.served == "xls" || f.served == "xlsx") {
    // .xls downloads carry XLSX bytes (OOXML zip) under the old MIME type — common in the
    // wild and what the available writer produces; parsers must sniff the magic bytes.
    resp.content_type = f.served == "xls" ? "application/vnd.ms-excel"
                                          : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    resp.body = to_xlsx(t);
  } else if (f.served == "pdf") {
    // A minimal valid PDF (one page, Latin text: the base-14 fonts carry no CJK glyphs).
    std::string text = "Dataset " + d.id + " rows " + std::to_string(t.size() - 1);
    std::string content = "BT /F1 12 Tf 72 720 Td (" + text + ") Tj ET";
    std::vector<std::string> objs = {
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
    std::string pdf = "%PDF-1.4\n";
    std::vector<std::size_t> off;
    for (std::size_t n = 0; n < objs.size(); ++n) {
      off.push_back(pdf.size());
      pdf += std::to_string(n + 1) + " 0 obj\n" + objs[n] + "\nendobj\n";
    }
    std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objs.size() + 1) + "\n0000000000 65535 f \n";
    for (auto o : off) {
      char b[24];
      std::snprintf(b, sizeof b, "%010zu 00000 n \n", o);
      pdf += b;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objs.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    resp.content_type = "application/pdf";
    resp.body = pdf;
  } else if (f.served == "doc") {
    // Word-as-HTML, as many CMSs export .doc attachments (inferred).
    std::string h = "<html xmlns:w=\"urn:schemas-microsoft-com:office:word\"><head><meta charset=\"UTF-8\"></head><body><h1>" +
                    esc(d.title) + "</h1><table border=\"1\">";
    for (const auto& r : t) {
      h += "<tr>";
      for (const auto& c : r) h += "<td>" + esc(c) + "</td>";
      h += "</tr>";
    }
    resp.content_type = "application/msword";
    resp.body = h + "</table></body></html>";
  } else {  // "html": a mislabelled download answered with a web page
    resp.headers.clear();
    resp.html(html_page("文件下载", "<div class=\"download-tip\">文件正在生成，请稍后再试。</div>"));
  }
}

}  // namespace odh::sim
