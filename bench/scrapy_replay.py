#!/usr/bin/python3
"""The whole-process Scrapy peer of `odh parse --replay`: a Scrapy crawl that replays saved pages from disk.

Usage: scrapy_replay.py PAGES_DIR OUT_JSONL   (pages exported by bench/warc_pages.py; Debian python3-scrapy)

bench/parsel_extract.py times parsel's extraction alone over pages held in memory (the strongest possible
peer). This script is what a Scrapy user runs to re-extract an archive: the full engine (scheduler, downloader
with Scrapy's file:// handler, middlewares, spider callback, item pipeline and a JSON-lines feed export) over the
same page files, with the same extraction code as parsel_extract.py, and no politeness (no delay, no robots,
no autothrottle, 16 concurrent requests per domain). It is timed by the caller as a process (user + sys CPU and
wall), as `odh parse --replay` is. Prints one JSON line: pages requested, items written.
"""
import json, os, sys

import scrapy
from scrapy.crawler import CrawlerProcess

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parsel_extract import decode, extract_html, extract_json  # noqa: E402


class ReplaySpider(scrapy.Spider):
    name = "replay"

    def __init__(self, pages_dir, **kw):
        super().__init__(**kw)
        self.pages_dir = pages_dir

    def start_requests(self):
        with open(os.path.join(self.pages_dir, "index.tsv")) as idx:
            for line in idx:
                name, url, ctype = line.rstrip("\n").split("\t")
                path = os.path.abspath(os.path.join(self.pages_dir, name))
                yield scrapy.Request("file://" + path, callback=self.parse_page, dont_filter=True,
                                     meta={"url": url, "ctype": ctype, "html": name.endswith(".html")})

    def parse_page(self, response):
        url, ctype = response.meta["url"], response.meta["ctype"]
        text = decode(response.body, ctype)
        if response.meta["html"]:
            rec = extract_html(text, url)
            yield {"url": url, "title": rec["title"], "links": len(rec["links"]), "pairs": rec["pairs"]}
            return
        rec = extract_json(text, url)
        if rec is not None:
            yield {"url": url, "lists": rec["lists"], "pairs": rec["pairs"]}


def main():
    pages_dir, out = sys.argv[1], sys.argv[2]
    process = CrawlerProcess(settings={
        "LOG_LEVEL": "WARNING",
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "TELNETCONSOLE_ENABLED": False,
        "FEEDS": {out: {"format": "jsonlines", "encoding": "utf8"}},
    })
    crawler = process.create_crawler(ReplaySpider)
    process.crawl(crawler, pages_dir=pages_dir)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"requests": stats.get("downloader/request_count", 0),
                      "items": stats.get("item_scraped_count", 0)}))


main()
