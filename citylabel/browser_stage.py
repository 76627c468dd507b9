"""The browser part of a run: choose the sample, render it, judge it.

Runs at the end of the crawl, in the judge process, once every page's layout
and the key pages are known. The rendered artifacts are archived in the run's
WARC as metadata records, so ``recheck`` re-judges them without a browser.
"""
from __future__ import annotations

import json
import re
import sys
import time
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from checks.artifacts import BrowserArtifact, PageArtifact
from checks.forms import SEARCH_NAMES
from citylabel import __version__
from crawler.sampling import PageSignature, choose, signature
from crawler.urls import canonical

if TYPE_CHECKING:
    from crawler.browser import ConsentRules

BROWSER_ARTIFACT_TYPE = "application/vnd.citylabel.browser-artifact+json"
MAX_LAYOUTS = 20_000
REJECT_PAGES = 3  # the home page and two more key pages are also seen after "reject"
_FORM_SKIP_TYPES = {"hidden", "submit", "button", "reset", "image", "search"}


def form_signature(page: PageArtifact) -> str | None:
    """A page's first real form (not search, not a lone login), as action + field names."""
    if page.tree is None:
        return None
    for form in page.tree.iter("form"):
        if (form.get("role") or "").lower() == "search":
            continue
        names = sorted({(i.get("name") or i.get("id") or i.get("type") or i.tag)
                        for i in form.iter("input", "select", "textarea")
                        if (i.get("type") or "text").lower() not in _FORM_SKIP_TYPES})
        if len(names) >= 2:
            return (form.get("action") or "") + "|" + ",".join(names)
    return None


_WORD = re.compile(r"[^\W\d_]{5,}")


def search_url(page: PageArtifact) -> str | None:
    """A site-search results URL built from the page's GET search form, with a
    harmless query (a word of the page's own title). Nothing is ever POSTed."""
    if page.tree is None:
        return None
    for form in page.tree.iter("form"):
        if (form.get("method") or "get").strip().lower() != "get":
            continue
        inputs = list(form.iter("input"))
        field = next((i for i in inputs if (i.get("type") or "").lower() == "search"), None)
        if field is None:
            field = next((i for i in inputs if (i.get("name") or "").lower() in SEARCH_NAMES
                          and (i.get("type") or "text").lower() in ("text", "search")), None)
        if field is None and (form.get("role") or "").lower() == "search":
            field = next((i for i in inputs if (i.get("type") or "text").lower() == "text"), None)
        if field is None or not field.get("name"):
            continue
        words = _WORD.findall(page.title or "")
        params = [(i.get("name"), i.get("value") or "") for i in inputs
                  if (i.get("type") or "").lower() == "hidden" and i.get("name")]
        params.append((field.get("name"), (words[0] if words else "info").lower()))
        action = urljoin(page.base_url, form.get("action") or page.url)
        return urlunsplit(urlsplit(action)._replace(query=urlencode(params), fragment=""))
    return None


class BrowserPlan:
    """What the judge stage remembers of each page for the sample."""

    def __init__(self) -> None:
        self.layouts: dict[str, PageSignature] = {}
        self.forms: dict[str, str] = {}         # form signature -> first (smallest) URL
        self.login_links: set[str] = set()      # canonical URLs linked as login
        self.search: str | None = None          # a site-search results URL
        self._search_from: str | None = None    # the (smallest) page URL it was built from

    def note_page(self, page: PageArtifact) -> None:
        if len(self.layouts) < MAX_LAYOUTS:
            self.layouts[page.url] = signature(page.tree)
        if self._search_from is None or page.url < self._search_from:
            found = search_url(page)
            if found:
                self.search, self._search_from = found, page.url
        sig = form_signature(page)
        if sig and (sig not in self.forms or page.url < self.forms[sig]):
            self.forms[sig] = page.url

    def note_candidate(self, url: str, concept: str | None) -> None:
        if concept == "login":
            self.login_links.add(canonical(url))

    def key_pages(self, home: str | None, statement: list[str],
                  privacy: list[str]) -> tuple[dict[str, str], dict[str, str]]:
        """(pages sampled before any template, form pages sampled after one page per template)."""
        keys: dict[str, str] = {}
        for url, role in ([(home, "home")] + [(u, "accessibility statement") for u in statement]
                          + [(u, "privacy notice") for u in privacy]):
            if url and url in self.layouts:
                keys.setdefault(url, role)
        for url in sorted(self.layouts):
            if canonical(url) in self.login_links:
                keys.setdefault(url, "login")
        if self.search:
            keys.setdefault(self.search, "search results")
        forms = {}
        for sig in sorted(self.forms, key=lambda s: self.forms[s]):
            if self.forms[sig] not in keys:
                forms.setdefault(self.forms[sig], "form")
        return keys, forms


def render_and_judge(stage: Any, limit: int) -> dict[str, Any]:
    """Render the sample and store the browser checks' findings; returns stats."""
    from crawler.browser import BrowserGatherer, find_chromium
    from crawler.urls import Scope
    import asyncio
    cfg = stage.config
    started = time.monotonic()
    statement = [p.url for p in stage.key_pages.kept["statement"].values()]
    privacy = [p.url for p in stage.key_pages.kept["privacy"].values()]
    keys, forms = stage.browser_plan.key_pages((stage.home or {}).get("final_url"), statement, privacy)
    sample = choose(stage.browser_plan.layouts, keys, limit, forms)
    if not sample.urls:
        return {"pages": 0, "templates": sample.templates, "templates_sampled": 0}
    shots = stage.recorder.data_dir / f"run-{stage.run_id}-screenshots"
    reject = [u for u in sample.urls if sample.reasons[u].startswith("key page")][:REJECT_PAGES]
    gatherer = BrowserGatherer(Scope(cfg.start_url, cfg.also_hosts), concurrency=cfg.browser_concurrency,
                               page_timeout=cfg.browser_timeout, screenshot_dir=shots,
                               user_agent=cfg.agent(__version__),
                               consent=consent_rules(cfg.load_consent_platforms), reject_urls=set(reject))
    if cfg.progress:
        print(f"[citylabel run {stage.run_id}] {cfg.portal_name}: rendering {len(sample.urls)} pages "
              f"({sample.templates_sampled} of {sample.templates} templates) in Chromium with axe-core",
              file=sys.stderr, flush=True)
    artifacts = asyncio.run(gatherer.gather(sample.urls))
    stage.rendered = artifacts
    axe_version = None
    for art in artifacts:
        stage.recorder.archive_metadata(art.url, BROWSER_ARTIFACT_TYPE,
                                        json.dumps(asdict(art)).encode("utf-8"))
        judge_rendered(stage, art)
        axe_version = axe_version or (art.axe or {}).get("version")
    return {
        "pages": len(artifacts), "errors": sum(1 for a in artifacts if a.error),
        "restarts": gatherer.restarts, "templates": sample.templates,
        "templates_sampled": sample.templates_sampled, "axe_version": axe_version,
        "chromium": find_chromium(), "seconds": round(time.monotonic() - started, 2),
        "sample": [{"url": u, "reason": sample.reasons[u]} for u in sample.urls],
    }


def consent_rules(load_platforms: bool) -> "ConsentRules":
    """The gatherer's consent rules from the checks' data file; the platforms' own
    hosts are let through only when ``load_platforms`` (--consent-platforms load)."""
    from checks.privacy_pre_consent import known
    from crawler.browser import ConsentRules
    data = known()
    platforms = data["consent_platforms"]
    return ConsentRules(
        hosts=tuple(h for p in platforms for h in p.get("hosts", [])) if load_platforms else (),
        reject_selectors=tuple(sel for p in platforms for sel in p.get("reject", [])),
        reject_texts=tuple(t for lang, ts in data.get("reject_texts", {}).items()
                           if not lang.startswith("_") for t in ts))


def judge_rendered(stage: Any, art: BrowserArtifact) -> None:
    from checks.runner import run_checks
    findings = [f.to_dict() for f in run_checks(stage.browser_checks, {"browser": art}, art.url)]
    stage.outcomes.update(f["outcome"] for f in findings)
    stage.recorder.add_findings(art.url, findings)


def artifact_from_json(data: bytes) -> BrowserArtifact:
    fields = json.loads(data)
    return BrowserArtifact(**{k: v for k, v in fields.items() if k in BrowserArtifact.__dataclass_fields__})
