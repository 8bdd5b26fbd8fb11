#!/usr/bin/env python3
"""Writes the test files of tests/files with independent writers and a manifest of their truth.

Usage: make_files.py OUT_DIR   (writes OUT_DIR/*, then OUT_DIR/manifest.json)

Each manifest entry: {"file", "declared", "truncated", "expect": {FileInspection field: value}}. The
truth comes from the writers' own inputs (rows and columns written), never from odh. Writers: Python's
csv module (UTF-8, GBK, UTF-16, tab and ';' delimited, quoted newlines), openpyxl (XLSX), xlwt (BIFF8
XLS), json, xml.etree; the RDF/XML, PDF, PNG, ODS and HTML are written here byte by byte to
their specifications (no other writer of those is installed).
"""
import csv
import io
import json
import os
import random
import struct
import sys
import zipfile
import zlib
import xml.etree.ElementTree as ET

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
manifest = []
rnd = random.Random(16)


def put(name, data, declared, expect, truncated=False, limits=None):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    e = {"file": name, "declared": declared, "truncated": truncated, "expect": expect}
    if limits:
        e["limits"] = limits
    manifest.append(e)


CITIES = ["北京市", "上海市", "广州市", "深圳市", "成都市", "贵阳市", "济南市", "青岛市"]


def table(rows, cols):
    header = ["字段%d" % c if c % 2 else "field_%d" % c for c in range(cols)]
    data = []
    for r in range(rows):
        row = []
        for c in range(cols):
            k = (r * 7 + c) % 5
            if k == 0:
                row.append(rnd.choice(CITIES) + "数据开放平台")
            elif k == 1:
                row.append(str(r * 13 + c))
            elif k == 2:
                row.append("含逗号, 和\"引号\"")
            elif k == 3:
                row.append("第一行\n第二行")  # a quoted newline
            else:
                row.append("%.2f" % (r / 3.0))
        data.append(row)
    return header, data


def csv_bytes(rows, cols, encoding, **fmt):
    header, data = table(rows, cols)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, **fmt)
    w.writerow(header)
    w.writerows(data)
    return buf.getvalue().encode(encoding)


# --- delimited text ------------------------------------------------------------------------------
put("utf8.csv", csv_bytes(37, 5, "utf-8"), "csv",
    {"sniffed_format": "csv", "rows": 37, "columns": 5, "delimiter": ",", "encoding": "UTF-8",
     "machine_readable": True, "stars": 3, "declared_matches": True, "rows_lower_bound": False})
put("gbk.csv", csv_bytes(120, 6, "gbk"), "csv",
    {"sniffed_format": "csv", "rows": 120, "columns": 6, "delimiter": ",", "encoding": "gb18030",
     "declared_matches": True})
put("bom.csv", csv_bytes(9, 3, "utf-8-sig"), "CSV",
    {"sniffed_format": "csv", "rows": 9, "columns": 3, "encoding": "UTF-8"})
put("tab.tsv", csv_bytes(50, 4, "utf-8", delimiter="\t"), "csv",
    {"sniffed_format": "tsv", "rows": 50, "columns": 4, "delimiter": "\t", "declared_matches": True,
     "stars": 3})
put("semicolon.csv", csv_bytes(20, 3, "gbk", delimiter=";", lineterminator="\n"), "csv",
    {"sniffed_format": "csv", "rows": 20, "columns": 3, "delimiter": ";"})
# Excel's "Unicode text": UTF-16LE with a BOM, tab-delimited.
put("excel-unicode.txt", b"\xff\xfe" + csv_bytes(15, 8, "utf-16-le", delimiter="\t"), "txt",
    {"sniffed_format": "tsv", "rows": 15, "columns": 8, "encoding": "UTF-16LE", "declared_matches": True})
put("one-column.csv", "名称\n" .encode() + "".join("第%d项\n" % i for i in range(12)).encode(), "csv",
    {"sniffed_format": "csv", "rows": 12, "columns": 1, "declared_matches": True})
put("notes.txt", "这是一个说明文件。\n没有表格。\n".encode("gbk"), "",
    {"sniffed_format": "txt", "machine_readable": False, "stars": 1, "rows": -1})

# A truncated CSV: cut inside record 200 (of 400): records before the cut are complete.
header, data = table(400, 5)
buf = io.StringIO(newline="")
w = csv.writer(buf)
w.writerow(header)
for r, row in enumerate(data):
    if r == 199:
        cut_at = len(buf.getvalue().encode())
    w.writerow(row)
full = buf.getvalue().encode()
put("truncated.csv", full[:cut_at + 17], "csv",
    {"sniffed_format": "csv", "rows": 199, "columns": 5, "rows_lower_bound": True}, truncated=True)

# --- JSON ------------------------------------------------------------------------------------------
recs = [{"id": i, "name": rnd.choice(CITIES), "value": i * 1.5, "tags": ["a", "b"], "geo": {"x": 1, "y": 2},
         "note": None} for i in range(80)]
put("wrapped.json", json.dumps({"success": True, "result": {"total": 80, "records": recs}},
                               ensure_ascii=False).encode(), "json",
    {"sniffed_format": "json", "rows": 80, "columns": 6, "machine_readable": True, "stars": 3})
varied = [{"a": 1, "b": 2}, {"a": 3, "c": 4}, {"d": 5}] * 11
put("array.json", json.dumps(varied).encode(), "json", {"sniffed_format": "json", "rows": 33, "columns": 4})
put("data-key.json", json.dumps({"code": 200, "data": recs[:25]}, indent=2).encode(), "JSON",
    {"sniffed_format": "json", "rows": 25, "columns": 6})
put("jsonld.json", json.dumps({"@context": {"dcat": "http://www.w3.org/ns/dcat#"}, "@graph": []}).encode(),
    "json", {"sniffed_format": "rdf", "stars": 4, "declared_matches": True})
put("broken.json", b'{"data": [{"a": 1}, {"a": 2,, }]}', "json",
    {"sniffed_format": "txt", "machine_readable": False, "declared_matches": False, "rows": -1})

# --- XML -------------------------------------------------------------------------------------------
root = ET.Element("dataset")
meta = ET.SubElement(root, "meta")
ET.SubElement(meta, "title").text = "test"
rows_el = ET.SubElement(root, "rows")
for i in range(64):
    r = ET.SubElement(rows_el, "record")
    for f in ("id", "name", "address", "phone", "date"):
        ET.SubElement(r, f).text = "%s-%d" % (rnd.choice(CITIES), i)
xml_bytes = ET.tostring(root, encoding="gbk")  # with <?xml … encoding='gbk'?>
put("records.xml", xml_bytes, "xml",
    {"sniffed_format": "xml", "rows": 64, "columns": 5, "machine_readable": True, "stars": 3})

# Data XML whose elements are called table/title/row (no XML declaration): well-formedness decides, not tags.
put("table.xml", ("<table><title>名录</title>" + "".join(
    "<row><name>n%d</name><code>%d</code><div>x</div></row>" % (i, i) for i in range(31)) + "</table>").encode(),
    "xml", {"sniffed_format": "xml", "rows": 31, "columns": 3, "declared_matches": True})
put("fragment.xls", "<div class=\"err\">文件不存在<br><a href=/>返回首页</a></div>".encode("gbk"), "xls",
    {"sniffed_format": "html", "declared_matches": False, "stars": 1})
# RDF/XML as the W3C RDF/XML syntax writes a DCAT catalogue (rdf:RDF root, typed node elements).
rdf_xml = ('<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
           ' xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">' +
           "".join('<dcat:Dataset rdf:about="http://example.org/dataset/%d"><dct:title xml:lang="zh">数据集 %d'
                   '</dct:title></dcat:Dataset>' % (i, i) for i in range(5)) + "</rdf:RDF>").encode()
put("catalog.rdf", rdf_xml, "rdf", {"sniffed_format": "rdf", "stars": 4, "machine_readable": True,
                                    "declared_matches": True})
put("catalog-as-xml.xml", rdf_xml, "xml", {"sniffed_format": "rdf", "declared_matches": True})
put("plain-as-rdf.xml", xml_bytes, "rdf", {"sniffed_format": "xml", "declared_matches": False})

# --- spreadsheets ----------------------------------------------------------------------------------
import openpyxl  # noqa: E402
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "数据"
header, data = table(200, 7)
ws.append(header)
for row in data:
    ws.append([int(v) if v.isdigit() else v for v in row])
ws2 = wb.create_sheet("other")
for i in range(500):
    ws2.append([i, i, i])
xb = io.BytesIO()
wb.save(xb)
xlsx = xb.getvalue()
put("data.xlsx", xlsx, "xlsx", {"sniffed_format": "xlsx", "rows": 200, "columns": 7, "machine_readable": True,
                                "stars": 2, "declared_matches": True,
                                "mime": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
put("xlsx-labelled-xls.xls", xlsx, "xls", {"sniffed_format": "xlsx", "declared_matches": True, "rows": 200})
put("xlsx-labelled-csv.csv", xlsx, "csv", {"sniffed_format": "xlsx", "declared_matches": False})

# A zip-bomb-ish XLSX: a 32 MB sharedStrings member (never read), then a sheet that inflates past the cap.
zb = io.BytesIO()
with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as dst:
    for item in src.infolist():
        data_ = src.read(item.filename)
        if item.filename == "xl/worksheets/sheet1.xml":
            s = data_.decode()
            i = s.index("</sheetData>")
            row = '<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>'
            data_ = (s[:i] + row * 120000 + s[i:]).encode()  # ~7 MB
        dst.writestr(item, data_)
    dst.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * (32 << 20) + b"</sst>")
put("bomb.xlsx", zb.getvalue(), "xlsx",
    {"sniffed_format": "xlsx", "rows_lower_bound": True, "columns": 7}, limits={"max_inflated_bytes": 2 << 20})
# The same with a central directory that lies about the sheet's size (4 GB).
bomb = bytearray(zb.getvalue())
cd = bomb.rfind(b"PK\x01\x02" + b"\x00" * 0)  # last central-directory entry
pos = 0
while True:
    pos = bomb.find(b"PK\x01\x02", pos)
    if pos < 0:
        break
    name_len = struct.unpack_from("<H", bomb, pos + 28)[0]
    if bomb[pos + 46:pos + 46 + name_len] == b"xl/worksheets/sheet1.xml":
        struct.pack_into("<I", bomb, pos + 24, 0xFFFFFFF0)
    pos += 4
put("lying.xlsx", bytes(bomb), "xlsx", {"sniffed_format": "xlsx"}, limits={"max_inflated_bytes": 2 << 20})
# Cut XLSX (a Range fetch): no central directory; the first sheet is read from its local header on.
# openpyxl writes sheet1.xml fourth, sheet2.xml after it.
offsets = {i.filename: i.header_offset for i in zipfile.ZipFile(io.BytesIO(xlsx)).infolist()}
put("truncated.xlsx", xlsx[:offsets["xl/worksheets/sheet1.xml"] + 3000], "xlsx",
    {"sniffed_format": "xlsx", "rows_lower_bound": True}, truncated=True)
put("truncated-after-sheet.xlsx", xlsx[:offsets["xl/worksheets/sheet2.xml"] + 40], "xlsx",
    {"sniffed_format": "xlsx", "rows": 200, "columns": 7, "rows_lower_bound": True}, truncated=True)
put("truncated-before-sheet.xlsx", xlsx[:offsets["xl/worksheets/sheet1.xml"] - 10], "xlsx",
    {"sniffed_format": "xlsx", "rows": -1, "declared_matches": True}, truncated=True)  # xl/theme/ names it

import xlwt  # noqa: E402
book = xlwt.Workbook(encoding="utf-8")
sh = book.add_sheet("表一")
header, data = table(150, 9)
for c, v in enumerate(header):
    sh.write(0, c, v)
for r, row in enumerate(data):
    for c, v in enumerate(row):
        sh.write(r + 1, c, float(v) if v.replace(".", "", 1).isdigit() else v)
sh2 = book.add_sheet("other")
for r in range(400):
    sh2.write(r, 0, r)
xb = io.BytesIO()
book.save(xb)
xls = xb.getvalue()
put("data.xls", xls, "xls", {"sniffed_format": "xls", "rows": 150, "columns": 9, "machine_readable": True,
                             "stars": 2, "declared_matches": True, "mime": "application/vnd.ms-excel"})
put("xls-labelled-xlsx.xlsx", xls, "xlsx", {"sniffed_format": "xls", "declared_matches": True})
# A DIMENSION record (0x0200) claiming 65536 x 256 cells: FreeXL would allocate them all.
lie = bytearray(xls)
d = lie.find(b"\x00\x02\x0e\x00")
struct.pack_into("<IIHH", lie, d + 4, 0, 65536, 0, 256)
put("dimension-lie.xls", bytes(lie), "xls", {"sniffed_format": "xls", "rows": -1, "columns": -1, "stars": 2})
put("truncated.xls", xls[:3000], "xls", {"sniffed_format": "xls", "rows": -1}, truncated=True)
put("truncated-xls-unlabelled.bin", xls[:3000], "", {"sniffed_format": "xls", "rows": -1}, truncated=True)


# --- ODS (ODF 1.2 by hand: mimetype stored first, content.xml with repeated rows and cells) -----------
def ods(rows, cols):
    t = ['<?xml version="1.0" encoding="UTF-8"?>',
         '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
         'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
         'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">',
         '<office:body><office:spreadsheet><table:table table:name="Sheet1">',
         '<table:table-column table:number-columns-repeated="%d"/>' % cols]
    t.append("<table:table-row>" + "".join(
        '<table:table-cell office:value-type="string"><text:p>h%d</text:p></table:table-cell>' % c
        for c in range(cols)) + '<table:table-cell table:number-columns-repeated="1000"/></table:table-row>')
    # data rows: two written rows, the second repeated rows-1 times
    cells = ('<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="%d">'
             '<text:p>1</text:p></table:table-cell>' % cols)
    t.append("<table:table-row>%s</table:table-row>" % cells)
    t.append('<table:table-row table:number-rows-repeated="%d">%s</table:table-row>' % (rows - 1, cells))
    t.append('<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
             'table:number-columns-repeated="1024"/></table:table-row>')
    t.append('</table:table><table:table table:name="Sheet2"><table:table-row><table:table-cell '
             'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>')
    t.append("</office:spreadsheet></office:body></office:document-content>")
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "".join(t), compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                   'opendocument:xmlns:manifest:1.0"/>', compress_type=zipfile.ZIP_DEFLATED)
    return b.getvalue()


put("data.ods", ods(42, 6), "ods", {"sniffed_format": "ods", "rows": 42, "columns": 6, "stars": 3,
                                    "machine_readable": True, "declared_matches": True})
plain_zip = io.BytesIO()
with zipfile.ZipFile(plain_zip, "w") as z:
    z.writestr("readme.txt", "hello")
put("archive.zip", plain_zip.getvalue(), "zip", {"sniffed_format": "zip", "stars": 1, "machine_readable": False,
                                                 "declared_matches": True, "rows": -1})
put("zip-labelled-xlsx.xlsx", plain_zip.getvalue(), "xlsx", {"sniffed_format": "zip", "declared_matches": False})


# --- documents and images ------------------------------------------------------------------------
def pdf():
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>"]
    stream = b"BT /F1 12 Tf 20 100 Td (odh) Tj ET"
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    body = b"%PDF-1.4\n"
    offs = []
    for i, o in enumerate(objs):
        offs.append(len(body))
        body += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    body += b"".join(b"%010d 00000 n \n" % o for o in offs)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return body


def png(w, h):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes((x * 7 + y) % 256 for x in range(w * 3)) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


put("report.pdf", pdf(), "pdf", {"sniffed_format": "pdf", "mime": "application/pdf", "stars": 1,
                                 "machine_readable": False, "declared_matches": True, "rows": -1})
put("pdf-labelled-xls.xls", pdf(), "xls", {"sniffed_format": "pdf", "declared_matches": False})
put("chart.png", png(16, 9), "png", {"sniffed_format": "png", "mime": "image/png", "stars": 1,
                                     "machine_readable": False})
html = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>登录</title></head>'
        '<body><p>请先登录后下载数据</p></body></html>').encode()
put("login-page.csv", html, "csv", {"sniffed_format": "html", "mime": "text/html", "stars": 1,
                                    "machine_readable": False, "declared_matches": False, "rows": -1})
put("empty.csv", b"", "csv", {"sniffed_format": "", "mime": "", "stars": 0, "declared_matches": False,
                              "machine_readable": False, "rows": -1})
put("empty-head.csv", b"", "csv", {"sniffed_format": "", "declared_matches": True}, truncated=True)
put("garbage.bin", random.Random(1).randbytes(4096), "csv",
    {"sniffed_format": "unknown", "stars": 0, "machine_readable": False, "declared_matches": False, "rows": -1})
put("garbage-nolabel.bin", random.Random(2).randbytes(4096), "",
    {"sniffed_format": "unknown", "declared_matches": True})

with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, ensure_ascii=False, indent=1)
print(len(manifest), "files")
