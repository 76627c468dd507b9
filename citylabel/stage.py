"""The judge-and-store stage: one page in, findings stored, new links out.

Each fetched response crosses here once. Its HTML is parsed once, into a
PageArtifact whose tree and links serve every page check and the frontier.
The stage then archives the response (WARC), records the page and its
findings (batched transactions), and returns the requests the crawl should
make next. It runs in its own process during a crawl (so checks use the
second core and never slow Scrapy's engine) and in-process for ``recheck``.
"""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import checks.registry as registry
from checks.artifacts import PageArtifact, PageFindings, SiteArtifact
from checks.base import Outcome
from checks.runner import run_checks
from citylabel import __version__
from citylabel.config import AuditConfig
from citylabel.browser_stage import BrowserPlan, render_and_judge, search_url
from checks.signals import SiteSignals, open311_discovery_url, page_signals
from citylabel.key_pages import KeyPages
from crawler.classify import CHALLENGE_MAX_BYTES, fetch_status_for
from crawler.frontier import Frontier
from crawler.sitemaps import MAX_SITEMAPS, parse_sitemap, sitemaps_in_robots
from crawler.urls import Scope, TrapGuard, UrlSet, canonical
from storage.recorder import RunRecorder

SITEMAP_PRIORITY = -20
SECURITY_TXT_MAX = 32 * 1024  # sitemap-only pages come after linked ones of similar worth
MAX_REDIRECTS_KEPT = 500


class JudgeStage:
    def __init__(self, config: AuditConfig, kind: str = "crawl",
                 parent_run_id: int | None = None, warc_path: str | None = None) -> None:
        self.config = config
        self.checks = registry.load(config.enable_checks, config.disable_checks,
                                    config.check_options)
        # page checks that need a rendered page run on the browser sample only
        self.static_checks = tuple(c for c in self.checks.page if "browser" not in c.meta.requires)
        self.document_checks = tuple(c for c in self.static_checks if c.meta.reads_documents)
        self.browser_checks = tuple(c for c in self.checks.page if "browser" in c.meta.requires)
        self.browser_plan = BrowserPlan()
        self.browser_stats: dict[str, Any] = {}
        self.rendered: list = []  # BrowserArtifacts of the sample, for site checks
        self.recorder = RunRecorder(
            config.db_url, portal_name=config.portal_name, start_url=config.start_url,
            country=config.country, settings=config.recorded(),
            check_versions=self.checks.versions(), tool_version=__version__, kind=kind,
            parent_run_id=parent_run_id, keep_warc=config.keep_warc and kind == "crawl",
            warc_path=warc_path, resume_run_id=config.resume_run_id)
        self.run_id = self.recorder.run_id
        self.frontier = Frontier(Scope(config.start_url, config.also_hosts), config.max_depth,
                                 TrapGuard())
        self.frontier.mark_seen(config.start_url)
        for url in config.extra_start_urls:
            self.frontier.mark_seen(url)
        self.judged = UrlSet()  # canonical final URLs of the pages judged
        self.pages: list[dict[str, Any]] = []
        self.outcomes: Counter = Counter()
        self.fetch_statuses: Counter = Counter()
        self.home: dict[str, Any] | None = None
        self.key_pages = KeyPages()
        self.aux: dict[str, Any] = {"robots_txt": None, "sitemaps": [], "scheme_probe": None,
                                    "security_txt": None, "tls": None}
        self.page_findings = PageFindings()
        # engagement/service signals, gathered only when a site check asks for them
        self.signals = SiteSignals() if any("signals" in c.meta.requires for c in self.checks.site) else None
        self._search_key: str | None = None
        self._aux_pending: list[dict[str, str]] = []  # bookkeeping requests for the spider
        self.judge_errors: list[str] = []
        self.resumed: dict[str, Any] | None = None  # unexpected failures outside the checks (kept in the stats)
        self.redirects: list[dict[str, str]] = []  # out-of-scope redirects, never followed
        self.sitemaps_seen = 0
        self.started = time.monotonic()

    # -- pages -------------------------------------------------------------
    def handle(self, payload: dict[str, Any], discover: bool = True) -> dict[str, Any]:
        kind = payload.get("kind", "page")
        if kind == "robots":
            return self._robots(payload)
        if kind == "sitemap":
            return self._sitemap(payload)
        if kind == "securitytxt":
            return self._security_txt(payload)
        if kind == "resume":
            return self.replay()
        if kind == "open311":
            return self._open311(payload)
        if kind == "tls":
            self.aux["tls"] = payload.get("result")
            return {"requests": [], "outcomes": {}}
        if kind == "probe":
            self.aux["scheme_probe"] = {k: payload.get(k) for k in
                                        ("url", "status", "location", "fetch_status", "error")}
            return {"requests": [], "outcomes": {}}
        return self._page(payload, discover)

    # -- resuming a killed run -------------------------------------------------
    def replay(self) -> dict[str, Any]:
        """Rebuild what the killed run knew from its stored pages and archive, without the
        network and without storing anything twice; returns what is left to fetch.

        Stored pages are judged again only to rebuild the frontier and the site checks'
        artifacts (their findings are already stored). Responses the archive holds but the
        database does not (the batch that was not written yet) are stored now, from the
        archive. Only responses in flight at the kill are fetched again."""
        from sqlalchemy import select
        from storage.models import Page
        from storage.session import session_scope
        from storage.warc import read_responses
        with session_scope(self.recorder.db_url) as s:
            rows = s.execute(select(Page.url, Page.final_url, Page.http_status, Page.fetch_status, Page.depth,
                                    Page.referrer, Page.warc_record_id, Page.content_type, Page.size, Page.error)
                             .where(Page.run_id == self.run_id).order_by(Page.id)).all()
        by_record = {r.warc_record_id: r for r in rows if r.warc_record_id}
        for r in rows:  # nothing stored is requested again
            self.frontier.mark_seen(r.url)
            if r.final_url:
                self.frontier.mark_seen(r.final_url)
        archive = Path(self.recorder.warc.path) if self.recorder.warc else None
        for rec in (read_responses(archive) if archive else []):  # archived, stored or not: never refetched
            self.frontier.mark_seen(rec.url)
        requests: list[dict[str, Any]] = []
        restored = 0
        for rec in (read_responses(archive) if archive else []):
            row = by_record.pop(rec.record_id, None)
            payload = {"kind": "page", "url": row.url if row else rec.url, "final_url": rec.url,
                       "status": rec.status, "headers": list(rec.headers.items()), "body": rec.body,
                       "content_type": rec.headers.get("content-type"), "warc_record_id": rec.record_id,
                       "depth": row.depth if row else 1, "referrer": row.referrer if row else None,
                       "home": (row.url if row else rec.url) == self.config.start_url}
            if row is None:
                if self._is_aux(rec.url):
                    continue  # robots.txt, a sitemap, security.txt: bookkeeping, fetched again
                restored += 1
                self.frontier.mark_seen(rec.url)
            out = self._page(payload, discover=True, store=row is None)
            requests += out["requests"]
        # stored without an archived body (fetch errors, or a body the archive lost): counted only
        for r in [*by_record.values(), *(r for r in rows if not r.warc_record_id)]:
            self.pages.append({"url": r.url, "final_url": r.final_url, "status": r.http_status,
                               "fetch_status": r.fetch_status, "content_type": r.content_type, "error": r.error})
            self.fetch_statuses[r.fetch_status] += 1
            if r.fetch_status == "out-of-scope" and r.final_url and r.final_url != r.url:
                self.redirects.append({"url": r.url, "location": r.final_url})
        self.resumed = {"pages_stored": len(rows), "restored_from_archive": restored}
        fetched = sum(1 for p in self.pages if p.get("status") is not None)
        return {"requests": requests, "fetched": fetched, "outcomes": {}}

    def _is_aux(self, url: str) -> bool:
        from urllib.parse import urlsplit
        path = urlsplit(url).path
        return path in ("/robots.txt", "/.well-known/security.txt") or path.endswith(".xml")

    def _page(self, p: dict[str, Any], discover: bool, store: bool = True) -> dict[str, Any]:
        body: bytes = p.get("body") or b""
        status = p.get("status")
        final_url = p.get("final_url") or p["url"]
        fetch_status = p.get("fetch_status")
        record_id = p.get("warc_record_id")
        if fetch_status is None:
            fetch_status = fetch_status_for(status, body[:CHALLENGE_MAX_BYTES + 1])
            if fetch_status == "ok":
                if not self.judged.add_new(canonical(final_url)):
                    fetch_status = "duplicate"
        if status is not None and record_id is None and p.get("archive", True):
            record_id = self.recorder.archive(final_url, status, p.get("reason") or "",
                                              p.get("headers") or [], body)
        page = PageArtifact(url=final_url, status=status,
                            headers={k.lower(): v for k, v in (p.get("headers") or [])},
                            body=body, content_type=p.get("content_type"),
                            encoding=p.get("encoding"))
        findings: list[dict[str, Any]] = []
        requests: list[dict[str, Any]] = []
        if fetch_status == "ok" and page.is_html:
            findings = [f.to_dict() for f in run_checks(self.static_checks, {"page": page}, final_url)]
            self.page_findings.add_page(findings)
            try:  # what the site checks and the crawl need of this page; a page is never lost to it
                self.key_pages.offer(page)
                self.key_pages.note_findings(findings)
                if page.tree is not None:
                    if self.signals is not None:
                        self._gather_signals(page)
                    if self.browser_checks and self.config.browser_pages > 0:
                        self.browser_plan.note_page(page)
                if discover:
                    self.frontier.mark_seen(final_url)
                    candidates = self.frontier.discover(page, p.get("depth", 0))
                    for c in candidates:
                        self.browser_plan.note_candidate(c.url, c.reason)
                    requests = [c.__dict__ for c in candidates]
                    if self.signals is not None and self.signals.search_url is None and page.tree is not None:
                        requests += self._search_request(page, p.get("depth", 0))
            except Exception as exc:  # noqa: BLE001 - hostile input must not cost the page or the run
                self.judge_errors.append(f"{final_url}: {type(exc).__name__}: {str(exc)[:200]}")
        elif fetch_status == "ok" and self.document_checks and body:
            findings = [f.to_dict() for f in run_checks(self.document_checks, {"page": page}, final_url)]
            self.page_findings.add_page(findings, html=False)
        if (fetch_status == "out-of-scope" and final_url != p["url"]
                and len(self.redirects) < MAX_REDIRECTS_KEPT):
            self.redirects.append({"url": p["url"], "location": final_url})
        counts = Counter(f["outcome"] for f in findings)
        self.outcomes.update(counts)
        self.fetch_statuses[fetch_status] += 1
        summary = {"url": p["url"], "final_url": final_url, "status": status,
                   "fetch_status": fetch_status, "content_type": p.get("content_type"),
                   "error": p.get("error")}
        self.pages.append(summary)
        if p.get("home"):
            self.home = dict(summary, headers={k.lower(): v for k, v in (p.get("headers") or [])})
        size = p.get("size")
        if size is None and status is not None:
            size = len(body)
        if not store:  # replayed after a crash: its row and findings are stored already
            return {"requests": requests, "outcomes": dict(counts), "fetch_status": fetch_status}
        self.recorder.add_page({
            "url": p["url"], "final_url": final_url if status is not None else None,
            "http_status": status, "fetch_status": fetch_status,
            "content_type": (p.get("content_type") or None),
            "size": size, "depth": p.get("depth", 0), "title": page.title,
            "error": p.get("error"), "referrer": p.get("referrer"),
            "warc_record_id": record_id,
        }, findings)
        out = {"requests": requests, "outcomes": dict(counts), "fetch_status": fetch_status}
        if self._aux_pending:
            out["aux"], self._aux_pending = self._aux_pending, []
        return out

    def _gather_signals(self, page: PageArtifact) -> None:
        is_results = self._search_key is not None and canonical(page.url) == self._search_key
        found = page_signals(page, self.signals.search_url if is_results else None,
                             service_page=self.signals.is_service_page(page.url))
        self.signals.add(found)
        if any(s.kind == "page:catalogue" for s in found):
            self.signals.add_catalogue(page)
        link = next((s.data.get("target") for s in found if s.kind == "open311"), None)
        if link and self.signals.open311 is None and self.frontier.scope.allows(link):
            # the GeoReport v2 discovery document at its standard path, fetched once, in scope only
            endpoint = open311_discovery_url(link)
            self.signals.open311 = {"url": endpoint, "linked": link, "status": None}
            self._aux_pending.append({"kind": "open311", "url": endpoint})

    def _search_request(self, page: PageArtifact, depth: int) -> list[dict[str, Any]]:
        """The site search's results page, once: a GET with a harmless query (nothing is
        ever POSTed), so usability.search can tell whether it returns results."""
        url = search_url(page)
        if url is None:
            return []
        self.signals.search_url = url
        self._search_key = canonical(url)
        c = self.frontier.admit(url, depth + 1, page.url, None, bonus=50)
        return [c.__dict__] if c is not None else []

    def _open311(self, p: dict[str, Any]) -> dict[str, Any]:
        """What the linked Open311 endpoint answered: status, and whether it is GeoReport JSON."""
        import json as _json
        body = (p.get("body") or b"")[:SECURITY_TXT_MAX * 8]
        info = dict(self.signals.open311 or {"url": p["url"]}, status=p.get("status"), error=p.get("error"))
        try:
            doc = _json.loads(body) if body else None
        except ValueError:
            doc = None
        info["georeport"] = isinstance(doc, (dict, list)) and bool(
            (isinstance(doc, dict) and ("endpoints" in doc or "contact" in doc))
            or (isinstance(doc, list) and doc and isinstance(doc[0], dict) and "service_code" in doc[0]))
        if p.get("status") is not None:
            self.recorder.archive(p["url"], p["status"], "", p.get("headers") or [], body)
        self.signals.open311 = info
        return {"requests": [], "outcomes": {}}

    # -- robots.txt, security.txt and sitemaps ------------------------------
    def _security_txt(self, p: dict[str, Any]) -> dict[str, Any]:
        status = p.get("status")
        headers = {k.lower(): v for k, v in (p.get("headers") or [])}
        body = (p.get("body") or b"")[:SECURITY_TXT_MAX]
        if status is not None:
            self.recorder.archive(p["url"], status, p.get("reason") or "", p.get("headers") or [], body)
        self.aux["security_txt"] = {
            "url": p["url"], "status": status, "error": p.get("error"),
            "content_type": headers.get("content-type"),
            "text": body.decode("utf-8", "replace") if status and 200 <= status < 300 else None}
        return {"requests": [], "outcomes": {}}

    def _robots(self, p: dict[str, Any]) -> dict[str, Any]:
        status = p.get("status")
        self.aux["robots_txt"] = {"url": p["url"], "status": status, "error": p.get("error")}
        if status is None or not 200 <= status < 300:
            return {"requests": [], "outcomes": {}}
        self.recorder.archive(p["url"], status, p.get("reason") or "", p.get("headers") or [],
                              p.get("body") or b"")
        urls = sitemaps_in_robots(p.get("body") or b"", p["url"])
        self.aux["robots_txt"]["sitemaps"] = urls
        return {"requests": [], "sitemaps": urls, "outcomes": {}}

    def _sitemap(self, p: dict[str, Any]) -> dict[str, Any]:
        status = p.get("status")
        entry = {"url": p["url"], "status": status, "error": p.get("error"), "type": None, "urls": 0}
        self.aux["sitemaps"].append(entry)
        if status is None or not 200 <= status < 300:
            return {"requests": [], "outcomes": {}}
        self.recorder.archive(p["url"], status, p.get("reason") or "", p.get("headers") or [],
                              p.get("body") or b"")
        kind, locs = parse_sitemap(p.get("body") or b"")
        entry["type"], entry["urls"] = kind, len(locs)
        if kind == "sitemapindex":
            nested = []
            for loc in locs:
                if self.sitemaps_seen >= MAX_SITEMAPS:
                    break
                self.sitemaps_seen += 1
                nested.append(loc)
            return {"requests": [], "sitemaps": nested, "outcomes": {}}
        requests = []
        for loc in locs:
            c = self.frontier.admit(loc, 1, p["url"], None, bonus=SITEMAP_PRIORITY)
            if c is not None:
                requests.append(c.__dict__)
        return {"requests": requests, "outcomes": {}}

    # -- the end -----------------------------------------------------------
    def render(self) -> None:
        """Render the browser sample and judge it (after the crawl, before site checks)."""
        if self.browser_checks and self.config.browser_pages > 0:
            self.recorder.flush()  # page rows exist before findings that cite them
            try:
                self.browser_stats = render_and_judge(self, self.config.browser_pages)
            except Exception as exc:  # noqa: BLE001 - no browser must not lose the crawl
                self.browser_stats = {"error": f"{type(exc).__name__}: {exc}"[:500]}

    def finish(self, status: str = "finished", crawl_stats: dict[str, Any] | None = None) -> dict[str, Any]:
        if status == "finished" and not self.browser_stats:
            self.render()
        site = SiteArtifact(start_url=self.config.start_url, home=self.home,
                            scheme_probe=self.aux["scheme_probe"], pages=self.pages,
                            security_txt=self.aux["security_txt"],
                            today=self.config.judge_date(), redirects=self.redirects,
                            tls=self.aux["tls"])
        artifacts = {"site": site, "statement": self.key_pages.statement(self.config.judge_date()),
                     "privacy_notice": self.key_pages.notice(self.config.judge_date()),
                     "rendered": self.rendered, "page_findings": self.page_findings,
                     "signals": self.signals}
        site_findings = [f.to_dict() for f in run_checks(self.checks.site, artifacts, None)]
        self.outcomes.update(f["outcome"] for f in site_findings)
        stats = {
            "pages": len(self.pages),
            "fetch_statuses": dict(self.fetch_statuses),
            "outcomes": {o.value: self.outcomes.get(o.value, 0) for o in Outcome},
            "skipped_links": dict(self.frontier.skipped),
            "robots_txt": self.aux["robots_txt"],
            "sitemaps": self.aux["sitemaps"],
            "scheme_probe": self.aux["scheme_probe"],
            "security_txt": self.aux["security_txt"],
            "tls": self.aux["tls"],
            "home": self.home,
            "browser": self.browser_stats,
            "judge_seconds": round(time.monotonic() - self.started, 3),
            "judge_errors": self.judge_errors[:50],
            "resumed": self.resumed,
            "crawl": crawl_stats or {},
        }
        self.recorder.finish(status, stats, site_findings)
        return {"run_id": self.run_id, "status": status, "stats": stats}
