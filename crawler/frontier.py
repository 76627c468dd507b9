"""The frontier: which newly seen links become requests, in what order.

It owns de-duplication (on canonical URLs), scope, depth and trap avoidance,
and the evidence-first priority. It runs beside the checks, on the page's one
parse, so the crawl loop itself does no HTML work.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from checks.artifacts import Link, PageArtifact
from crawler.priority import score
from crawler.urls import (NON_HTML_EXTENSIONS, SKIP_EXTENSIONS, Scope, TrapGuard, UrlSet, canonical, extension,
                          fetchable)


@dataclass(frozen=True)
class Candidate:
    url: str
    priority: int
    depth: int
    referrer: str | None
    reason: str | None = None  # concept that raised the priority


@dataclass
class Frontier:
    scope: Scope
    max_depth: int
    traps: TrapGuard = field(default_factory=TrapGuard)
    seen: UrlSet = field(default_factory=UrlSet)  # canonical keys
    # URLs exactly as written that were already handled: navigation and footer
    # links repeat on every page, and canonicalising them each time is costly.
    raw_seen: UrlSet = field(default_factory=UrlSet)
    skipped: Counter = field(default_factory=Counter)
    max_seen: int = 200_000  # bounds memory on a portal of endless distinct URLs

    def mark_seen(self, url: str) -> bool:
        """Record a URL as known; False if it was already known."""
        return self.seen.add_new(canonical(url))

    def admit(self, url: str, depth: int, referrer: str | None, link: Link | None = None,
              bonus: int = 0) -> Candidate | None:
        """A request candidate for ``url``, or None (and the reason is counted)."""
        if not self.raw_seen.add_new(url, cap=self.max_seen):
            return None
        if depth > self.max_depth:
            self.skipped["too-deep"] += 1
            return None
        try:
            if not self.scope.allows(url):
                self.skipped["out-of-scope"] += 1
                return None
        except ValueError:
            self.skipped["bad-url"] += 1
            return None
        ext = extension(url)
        if ext in SKIP_EXTENSIONS:
            self.skipped["media-or-asset"] += 1
            return None
        if len(self.seen) >= self.max_seen:
            self.skipped["frontier-full"] += 1
            return None
        key = canonical(url)
        if key in self.seen:
            return None
        trap = self.traps.check(url)
        if trap:
            self.skipped[trap] += 1
            return None
        self.seen.add(key)
        priority, concept = (score(link, depth, ext in NON_HTML_EXTENSIONS) if link else (0, None))
        return Candidate(fetchable(url), priority + bonus, depth, referrer, concept)

    def discover(self, page: PageArtifact, depth: int) -> list[Candidate]:
        out = []
        for link in page.links:
            c = self.admit(link.url, depth + 1, page.url, link)
            if c is not None:
                out.append(c)
        return out
