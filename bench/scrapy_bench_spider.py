"""Scrapy side of bench/crawl_bench.py: the same hosts, the same politeness (one request in flight
per host, DOWNLOAD_DELAY, robots.txt obeyed), all names resolved to 127.0.0.1."""
import json
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule
from twisted.internet import defer
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer


@implementer(IResolverSimple)
class LoopbackResolver:
    """Every host name is 127.0.0.1 (the equivalent of odh's --connect-to)."""

    def __init__(self, reactor=None):
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler, reactor):
        return cls(reactor)

    def install_on_reactor(self):
        self.reactor.installResolver(self)

    def getHostByName(self, name, timeout=None):
        return defer.succeed("127.0.0.1")


class BenchSpider(CrawlSpider):
    name = "bench"
    rules = (Rule(LinkExtractor(), callback="parse_page", follow=True),)

    def __init__(self, hosts, port, *a, **kw):
        self.allowed_domains = hosts
        self.start_urls = [f"http://{h}:{port}/" for h in hosts]
        super().__init__(*a, **kw)

    def parse_page(self, response):
        return None


if __name__ == "__main__":
    hosts, port, delay = json.loads(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    p = CrawlerProcess(settings={
        "DOWNLOAD_DELAY": delay,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "CONCURRENT_REQUESTS": max(16, 2 * len(hosts)),
        "ROBOTSTXT_OBEY": True,
        "DNS_RESOLVER": "__main__.LoopbackResolver",
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": "scrapy-bench",
        "REACTOR_THREADPOOL_MAXSIZE": 20,
    })
    crawler = p.create_crawler(BenchSpider)
    p.crawl(crawler, hosts=hosts, port=port)
    p.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"pages": stats.get("response_received_count", 0),
                      "elapsed": stats.get("elapsed_time_seconds", 0)}), flush=True)
