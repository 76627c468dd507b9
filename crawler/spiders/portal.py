"""The ``portal`` spider: one run over one portal.

It only moves bytes: every response goes to the judge stage (parse once,
checks, storage), which answers with the next requests to make. Usable as
``scrapy crawl portal -a url=https://www.example.it/ [-a name=… -a country=IT
-a max_pages=500 -a max_depth=5 -a also_host=a.example,b.example -a db=URL
-a allow_private=1]``.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from datetime import datetime
from typing import Any, AsyncIterator
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import deferred_to_future
from twisted.internet import task, threads
from twisted.python.failure import Failure

from citylabel import __version__
from citylabel.config import AuditConfig
from citylabel.judge_client import JudgeClient
from crawler.classify import fetch_status_for_error
from crawler.middlewares import BudgetReached, OutOfScope, PrivateAddress
from crawler.tls import probe_tls
from crawler.urls import Scope

log = logging.getLogger(__name__)
HOME_PRIORITY = 10_000
run_opened = object()  # signal: the run row exists (args: spider, run_id), nothing fetched yet
PROGRESS_EVERY = 2.0


def _as_bool(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")


def config_from_args(kwargs: dict[str, Any]) -> AuditConfig:
    """Build an AuditConfig from ``scrapy crawl portal -a key=value`` arguments."""
    if "url" not in kwargs:
        raise ValueError("the portal spider needs -a url=START_URL")
    also = kwargs.get("also_host") or ""
    return AuditConfig(
        start_url=kwargs["url"],
        name=kwargs.get("portal_name") or kwargs.get("name_"),
        country=kwargs.get("country"),
        also_hosts=tuple(h for h in also.split(",") if h.strip()),
        max_pages=int(kwargs.get("max_pages", 500)),
        max_depth=int(kwargs.get("max_depth", 5)),
        db_url=kwargs.get("db"),
        scheme_probe_url=kwargs.get("probe_url"),
        judge_in_process=_as_bool(kwargs.get("in_process", False)),
        allow_private=_as_bool(kwargs.get("allow_private", os.environ.get("CITYLABEL_ALLOW_PRIVATE", False))),
    )


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, config: AuditConfig | None = None, **kwargs: Any) -> None:
        # "name" is the spider's own attribute in Scrapy; the portal name is -a portal_name=.
        self.config = config or config_from_args(kwargs)
        super().__init__()
        self.scope = Scope(self.config.start_url, self.config.also_hosts)
        self.max_pages = self.config.max_pages
        self.pages_requested = 0
        self.budget_dropped = 0
        self.pages_done = 0
        self.outcomes: dict[str, int] = {}
        self.fetch_statuses: dict[str, int] = {}
        self.run_id: int | None = None
        self.result: dict[str, Any] | None = None
        self.judge: JudgeClient | None = None
        self._progress: task.LoopingCall | None = None
        self._started = time.monotonic()
        self._tls_probed = False

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> "PortalSpider":  # noqa: ANN001
        spider = super().from_crawler(crawler, *args, **kwargs)
        cfg = spider.config
        crawler.settings.set("USER_AGENT", cfg.agent(__version__), priority="spider")
        crawler.settings.set("ROBOTSTXT_OBEY", cfg.obey_robots, priority="spider")
        crawler.settings.set("DOWNLOAD_TIMEOUT", cfg.download_timeout, priority="spider")
        crawler.settings.set("DOWNLOAD_MAXSIZE", cfg.max_response_bytes, priority="spider")
        crawler.settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", cfg.per_host_concurrency,
                             priority="spider")
        crawler.settings.set("AUTOTHROTTLE_TARGET_CONCURRENCY", float(cfg.per_host_concurrency),
                             priority="spider")
        crawler.settings.set("AUTOTHROTTLE_START_DELAY", cfg.delay, priority="spider")
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        return spider

    # -- start -------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.judge = JudgeClient(self.config)
        self.run_id = self.judge.start()
        self.crawler.signals.send_catch_log(signal=run_opened, spider=self, run_id=self.run_id)
        log.info("run %s: auditing %s (budget %s pages, depth %s)", self.run_id,
                 self.config.start_url, self.max_pages, self.config.max_depth)
        if self.config.progress:
            self._progress = task.LoopingCall(self._show_progress)
            self._progress.start(PROGRESS_EVERY, now=False)
        start = self.config.start_url
        if self.config.resume_run_id is not None:
            # a killed run: what it stored is replayed by the judge; only the rest is fetched
            state = await self.judge.handle({"kind": "resume"})
            self.pages_requested = self.pages_done = state["fetched"]
            log.info("run %s resumed: %s pages stored, %s to fetch", self.run_id, state["fetched"],
                     len(state["requests"]))
            for c in state["requests"]:
                yield self._page_request(c["url"], c["depth"], c["priority"], c["referrer"])
        else:
            yield self._page_request(start, depth=0, priority=HOME_PRIORITY, home=True)
            for extra in self.config.extra_start_urls:
                if self.scope.allows(extra):
                    yield self._page_request(extra, depth=0, priority=HOME_PRIORITY - 1)
        yield scrapy.Request(urljoin(start, "/robots.txt"), callback=self.on_aux,
                             errback=self.on_aux_error, dont_filter=True, priority=HOME_PRIORITY,
                             meta={"kind": "robots", "dont_obey_robotstxt": True,
                                   "dont_redirect": False})
        yield scrapy.Request(urljoin(start, "/sitemap.xml"), callback=self.on_aux,
                             errback=self.on_aux_error, priority=HOME_PRIORITY - 1,
                             meta={"kind": "sitemap"})
        # RFC 9116: the file is meant for machines; robots.txt does not govern it
        yield scrapy.Request(urljoin(start, "/.well-known/security.txt"), callback=self.on_aux,
                             errback=self.on_aux_error, dont_filter=True,
                             priority=HOME_PRIORITY - 1,
                             meta={"kind": "securitytxt", "dont_obey_robotstxt": True,
                                   "handle_httpstatus_all": True})
        probe = self.config.probe_url()
        yield scrapy.Request(probe, callback=self.on_probe, errback=self.on_probe_error,
                             dont_filter=True, priority=HOME_PRIORITY - 2,
                             meta={"kind": "probe", "dont_redirect": True,
                                   "handle_httpstatus_all": True, "dont_obey_robotstxt": True,
                                   "dont_retry": True, "download_timeout": 15})

    def _page_request(self, url: str, depth: int, priority: int, referrer: str | None = None,
                      home: bool = False) -> scrapy.Request:
        # dont_filter: the frontier already de-duplicates on canonical URLs, and
        # Scrapy's filter would silently swallow redirect loops instead of
        # letting them fail visibly.
        return scrapy.Request(url, callback=self.on_page, errback=self.on_page_error,
                              priority=priority, dont_filter=True,
                              meta={"kind": "page", "cl_depth": depth, "cl_referrer": referrer,
                                    "cl_home": home})

    # -- pages -------------------------------------------------------------
    async def on_page(self, response: Response) -> AsyncIterator[scrapy.Request]:
        # A coroutine that returns the requests as an async generator, not an async
        # generator itself: Scrapy starts its output workers (CONCURRENT_ITEMS + 1 asyncio
        # tasks) when it gets a generator, and they would wait, with the response, as long
        # as the page waits for the judge stage (~35,000 tasks, ~50 MiB at 20,000 pages).
        meta = response.meta
        redirects = meta.get("redirect_urls") or []
        payload = {
            "kind": "page",
            "url": redirects[0] if redirects else response.url,
            "final_url": response.url,
            "status": response.status,
            "reason": "",
            "headers": _headers(response),
            "body": response.body,
            "content_type": _content_type(response),
            "encoding": response.encoding if isinstance(response, TextResponse) else None,
            "depth": meta.get("cl_depth", 0),
            "referrer": meta.get("cl_referrer"),
            "home": meta.get("cl_home", False),
        }
        result = await self.judge.handle(payload)
        self._count(result)
        return self._page_output(response, result)

    async def _page_output(self, response: Response, result: dict[str, Any]) -> AsyncIterator[scrapy.Request]:
        for c in result["requests"]:
            yield self._page_request(c["url"], c["depth"], c["priority"], c["referrer"])
        for aux in result.get("aux", []):  # e.g. an Open311 endpoint the portal links to
            yield scrapy.Request(aux["url"], callback=self.on_aux, errback=self.on_aux_error, dont_filter=True,
                                 priority=HOME_PRIORITY - 3,
                                 meta={"kind": aux["kind"], "handle_httpstatus_all": True, "dont_retry": True})
        if response.meta.get("cl_home") and response.url.startswith("https://") and not self._tls_probed:
            # after the links are queued, so the crawl goes on during the handshake
            self._tls_probed = True
            parts = urlsplit(response.url)
            result = await deferred_to_future(threads.deferToThread(
                probe_tls, parts.hostname, parts.port or 443, self.config.ca_file,
                min(self.config.download_timeout, 15.0)))
            await self.judge.handle({"kind": "tls", "result": result})

    async def on_page_error(self, failure: Failure) -> None:
        request = failure.request
        if isinstance(failure.value, BudgetReached):
            return
        message = failure.getErrorMessage()[:500]
        if isinstance(failure.value, OutOfScope):
            status = "out-of-scope"
        elif isinstance(failure.value, PrivateAddress):
            status = "private-address"
        else:
            status = fetch_status_for_error(type(failure.value).__name__, message)
        redirects = request.meta.get("redirect_urls") or []
        result = await self.judge.handle({
            "kind": "page",
            "url": redirects[0] if redirects else request.url,
            "final_url": request.url,
            "status": None,
            "fetch_status": status,
            "error": f"{type(failure.value).__name__}: {message}",
            "depth": request.meta.get("cl_depth", 0),
            "referrer": request.meta.get("cl_referrer"),
            "home": request.meta.get("cl_home", False),
        })
        self._count(result)

    # -- robots.txt, sitemaps, scheme probe ---------------------------------
    async def on_aux(self, response: Response) -> AsyncIterator[scrapy.Request]:
        result = await self.judge.handle({
            "kind": response.meta["kind"], "url": response.url, "status": response.status,
            "headers": _headers(response), "body": response.body,
        })
        for url in result.get("sitemaps", []):
            yield scrapy.Request(url, callback=self.on_aux, errback=self.on_aux_error,
                                 priority=HOME_PRIORITY - 1, meta={"kind": "sitemap"})
        for c in result["requests"]:
            yield self._page_request(c["url"], c["depth"], c["priority"], c["referrer"])

    async def on_aux_error(self, failure: Failure) -> None:
        request = failure.request
        await self.judge.handle({"kind": request.meta["kind"], "url": request.url,
                                 "status": None,
                                 "error": f"{type(failure.value).__name__}: {failure.getErrorMessage()[:300]}"})

    async def on_probe(self, response: Response) -> None:
        location = response.headers.get("Location")
        await self.judge.handle({
            "kind": "probe", "url": response.url, "status": response.status,
            "location": urljoin(response.url, location.decode("latin-1")) if location else None,
            "fetch_status": "ok",
        })

    async def on_probe_error(self, failure: Failure) -> None:
        message = failure.getErrorMessage()[:300]
        await self.judge.handle({
            "kind": "probe", "url": failure.request.url, "status": None, "location": None,
            "fetch_status": fetch_status_for_error(type(failure.value).__name__, message),
            "error": f"{type(failure.value).__name__}: {message}",
        })

    # -- progress and the end -----------------------------------------------
    def _count(self, result: dict[str, Any]) -> None:
        self.pages_done += 1
        for k, v in result.get("outcomes", {}).items():
            self.outcomes[k] = self.outcomes.get(k, 0) + v
        fs = result.get("fetch_status")
        if fs:
            self.fetch_statuses[fs] = self.fetch_statuses.get(fs, 0) + 1

    def progress_line(self) -> str:
        o = self.outcomes
        rate = self.pages_done / max(time.monotonic() - self._started, 1e-6)
        other = {k: v for k, v in self.fetch_statuses.items() if k != "ok"}
        extra = (" | " + ", ".join(f"{k} {v}" for k, v in sorted(other.items()))) if other else ""
        return (f"[citylabel run {self.run_id}] {self.config.portal_name}: "
                f"{self.pages_done}/{self.max_pages} pages ({rate:.0f}/s), findings: "
                f"{o.get('passed', 0)} passed, {o.get('failed', 0)} failed, "
                f"{o.get('cantTell', 0)} can't tell{extra}")

    def _show_progress(self) -> None:
        print(self.progress_line(), file=sys.stderr, flush=True)

    def _on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        if spider is not self or self.judge is None:
            return
        if self._progress is not None and self._progress.running:
            self._progress.stop()
        status = {"finished": "finished", "closespider_pagecount": "finished"}.get(reason, "interrupted")
        raw = self.crawler.stats.get_stats()
        stats = {k: (v if isinstance(v, (int, float, str, bool)) or v is None else str(v))
                 for k, v in raw.items()}
        started = raw.get("start_time")
        if isinstance(started, datetime):
            # CoreStats sets elapsed_time_seconds only after this handler runs.
            stats["elapsed_time_seconds"] = (datetime.now(started.tzinfo) - started).total_seconds()
        stats["close_reason"] = reason
        stats["budget_dropped"] = self.budget_dropped
        try:
            self.result = self.judge.finish(status, stats)
        except Exception:  # noqa: BLE001
            log.exception("run %s: the judge stage failed while closing", self.run_id)
            self.result = {"run_id": self.run_id, "status": "failed"}
        finally:
            self.judge.close()
        if self.config.progress:
            self._show_progress()


def _headers(response: Response) -> list[tuple[str, str]]:
    out = []
    for name, values in response.headers.items():
        for v in values:
            out.append((name.decode("latin-1"), v.decode("latin-1")))
    return out


def _content_type(response: Response) -> str | None:
    ct = response.headers.get("Content-Type")
    return ct.decode("latin-1").split(";")[0].strip().lower() if ct else None
