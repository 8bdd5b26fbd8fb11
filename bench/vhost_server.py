#!/usr/bin/env python3
"""Loopback HTTP/1.1 server with many virtual hosts for crawl benchmarks (keep-alive, asyncio).

Every host h serves: /robots.txt (allow all), / linking /p1../p{M-1}, and /pK pages of ~2 KB
that link back to / and to a neighbour (so link extraction and dedup have work to do).
Usage: vhost_server.py PORT PAGES_PER_HOST   (prints "ready" when listening)
"""
import asyncio
import sys

PORT, M = int(sys.argv[1]), int(sys.argv[2])
FILLER = "<p>" + "开放数据 open data " * 60 + "</p>"


def page(host, path):
    if path == "/robots.txt":
        return 200, "text/plain", "User-agent: *\nDisallow: /private/\n"
    if path == "/":
        links = "".join(f'<li><a href="/p{k}">page {k}</a></li>' for k in range(1, M))
        return 200, "text/html; charset=utf-8", f"<html><head><title>{host}</title></head><body><ul>{links}</ul>{FILLER}</body></html>"
    if path.startswith("/p") and path[2:].isdigit() and 0 < int(path[2:]) < M:
        k = int(path[2:])
        nxt = k % (M - 1) + 1
        return 200, "text/html; charset=utf-8", (f'<html><body><a href="/">home</a><a href="/p{nxt}">next</a>'
                                                   f"<h1>{host} {k}</h1>{FILLER}</body></html>")
    return 404, "text/plain", "not found"


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            host = ""
            for line in lines[1:]:
                if line[:5].lower() == "host:":
                    host = line[5:].strip().split(":")[0]
            status, ctype, body = page(host, target.split("?")[0])
            data = body.encode()
            reason = "OK" if status == 200 else "Not Found"
            writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(data)}\r\n"
                         f"Connection: keep-alive\r\n\r\n".encode() + (data if method != "HEAD" else b""))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", PORT, backlog=4096)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
