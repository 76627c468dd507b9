"""Downloader middlewares: crawl scope (also after redirects) and page budget."""
from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

# Requests that are part of the run's bookkeeping, not pages of the portal.
AUX_KINDS = {"robots", "sitemap", "probe", "securitytxt"}


class OutOfScope(IgnoreRequest):
    pass


class PrivateAddress(IgnoreRequest):
    pass


class BudgetReached(IgnoreRequest):
    pass


class _CrawlerAware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "_CrawlerAware":
        return cls(crawler)


class PrivateAddressMiddleware(_CrawlerAware):
    """Refuses every request (redirects included) to a private, loopback or link-local
    address unless the run allows them (crawler.netguard)."""

    def process_request(self, request: Request) -> None:
        from crawler.netguard import private_reason
        spider = self.crawler.spider
        if getattr(getattr(spider, "config", None), "allow_private", True):
            return None
        reason = private_reason(request.url)
        if reason:
            raise PrivateAddress(f"refused: {reason} (use --allow-private for intranets)")
        return None


class ScopeMiddleware(_CrawlerAware):
    """Refuses page requests outside the run's scope, including redirect targets."""

    def process_request(self, request: Request) -> None:
        if request.meta.get("kind") in AUX_KINDS:
            return None
        scope = getattr(self.crawler.spider, "scope", None)
        if scope is not None and not scope.allows(request.url):
            raise OutOfScope(f"out of scope: {request.url}")
        return None


class BudgetMiddleware(_CrawlerAware):
    """Lets at most ``spider.max_pages`` page requests reach the network.

    Scrapy's scheduler releases the highest priority first, so when the budget
    runs out what is dropped is what mattered least.
    """

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        # Only page requests count: robots.txt fetched by Scrapy's own middleware,
        # sitemaps and the scheme probe are bookkeeping.
        if request.meta.get("kind") != "page" or request.meta.get("cl_counted"):
            return None
        if spider.pages_requested >= spider.max_pages:
            spider.budget_dropped += 1
            raise BudgetReached("page budget reached")
        spider.pages_requested += 1
        request.meta["cl_counted"] = True
        return None
