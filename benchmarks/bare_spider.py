"""The baseline of benchmarks/crawl.py: a bare Scrapy crawl with citylabel's
crawler settings (politeness included) that follows every link with parsel
and does nothing else. Prints {"pages", "seconds"} as JSON.

Kept in its own file because Scrapy inspects callbacks' source code.
Usage: python benchmarks/bare_spider.py URL
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scrapy  # noqa: E402
from scrapy.crawler import CrawlerProcess  # noqa: E402

from citylabel.audit import crawler_settings  # noqa: E402


class Bare(scrapy.Spider):
    name = "bare"
    start_urls = [sys.argv[1]]

    def parse(self, response):  # noqa: ANN001, ANN201
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse)


if __name__ == "__main__":
    proc = CrawlerProcess(crawler_settings("WARNING", {"DOWNLOADER_MIDDLEWARES": {}}))
    crawler = proc.create_crawler(Bare)
    proc.crawl(crawler)
    proc.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"pages": stats.get("response_received_count", 0),
                      "seconds": stats.get("elapsed_time_seconds")}))
