#!/usr/bin/env python3
"""Checks a screenshot of the report (PNG, 8-bit RGB/RGBA, as headless Chromium writes them) with the
standard library only: prints JSON {width, height, nonwhite, colors, chart_pixels} and exits 1 unless the
page is not blank (enough non-white pixels and colours) and charts have drawn shapes (pixels of the chart
palette's colours, which only SVG shapes use).

    png_check.py shot.png [--min-chart-pixels N]
"""
import json
import struct
import sys
import zlib

PALETTE = [(0x2f, 0x6d, 0xb5), (0xe0, 0x7b, 0x39), (0x3a, 0x9e, 0x6f), (0xc9, 0x46, 0x3d), (0x8a, 0x63, 0xb8),
           (0x08, 0x51, 0x9c), (0x31, 0x82, 0xbd), (0x6b, 0xae, 0xd6), (0x9e, 0xca, 0xe1)]


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise SystemExit(f"{path}: unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    path = sys.argv[1]
    min_chart = int(sys.argv[sys.argv.index("--min-chart-pixels") + 1]) if "--min-chart-pixels" in sys.argv else 2000
    width, height, bpp, rows = decode(path)
    nonwhite, chart, colors = 0, 0, set()
    palette = set(PALETTE)
    for line in rows:
        for x in range(0, len(line), bpp):
            px = (line[x], line[x + 1], line[x + 2])
            if px != (255, 255, 255):
                nonwhite += 1
                if len(colors) < 5000:
                    colors.add(px)
            if px in palette:
                chart += 1
    result = {"width": width, "height": height, "nonwhite": nonwhite, "colors": len(colors), "chart_pixels": chart}
    print(json.dumps(result))
    ok = nonwhite > 0.02 * width * height and len(colors) > 20 and chart >= min_chart
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
