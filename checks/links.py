"""Shared logic for page checks that ask "does this page link to X?".

Both ``privacy.notice-link`` and ``a11y.statement-link`` are the same question
with different words; this module holds the question once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar, Iterable

from checks.artifacts import Link, PageArtifact
from checks.base import Check, Evidence, Finding, Outcome
from checks.lexicon import match_text, match_url

# A page with fewer links than this and little text is probably built by
# JavaScript: its footer links are not in the HTML we fetched.
FEW_LINKS = 3
LITTLE_TEXT = 200
_REGION_ORDER = {"footer": 0, "header": 1, "main": 2}


@dataclass(frozen=True)
class LinkHit:
    link: Link
    reason: str  # e.g. 'text "Datenschutz"' or 'URL contains "privacy"'

    def evidence(self) -> Evidence:
        return Evidence(url=self.link.url, selector=self.link.xpath,
                        snippet=self.link.snippet, text=self.link.text or self.link.href)


def find_links(page: PageArtifact, concepts: Iterable[str],
               extra: Callable[[Link], str | None] | None = None) -> list[LinkHit]:
    """Links whose text or URL names one of ``concepts``; footer links first."""
    concepts = tuple(concepts)
    hits: list[LinkHit] = []
    seen: set[str] = set()
    for link in page.links:
        reason = None
        for concept in concepts:
            phrase = match_text(concept, link.text)
            if phrase:
                reason = f'link text names it ("{phrase}")'
                break
            slug = match_url(concept, link.url)
            if slug:
                reason = f'link URL contains "{slug}"'
                break
        if reason is None and extra is not None:
            reason = extra(link)
        if reason and link.url not in seen:
            seen.add(link.url)
            hits.append(LinkHit(link, reason))
    hits.sort(key=lambda h: _REGION_ORDER.get(h.link.region, 3))
    return hits


def looks_script_built(page: PageArtifact) -> bool:
    return len(page.links) < FEW_LINKS and page.visible_text_length < LITTLE_TEXT


def where_we_looked(page: PageArtifact) -> Evidence:
    """Evidence for a negative finding: the links a person would look at."""
    footer = [l.text or l.href for l in page.links if l.region == "footer"]
    if footer:
        text = "footer links: " + " | ".join(footer[:20])
        selector = "//footer//a"
    else:
        text = f"{len(page.links)} links on the page, none in a footer"
        selector = "//a"
    return Evidence(url=page.url, selector=selector, text=text)


def page_is_judgeable(page: PageArtifact) -> str | None:
    """Why a link check does not apply to this page, or None if it does."""
    if not page.is_html:
        return f"not an HTML page ({page.content_type or 'unknown type'})"
    if page.status is not None and not 200 <= page.status < 300:
        return f"HTTP status {page.status}"
    if page.tree is None:
        return "the HTML could not be parsed"
    return None


class LinkPresenceCheck(Check):
    """A page check asking "does this page link to X?".

    Subclasses name the concepts that mean X (``concepts``), optionally an
    ``extra`` matcher for links the lexicon cannot know (registries), a
    ``declared`` hook for non-link declarations, and the weaker concepts that
    may lead to X (``maybe_concepts``, giving cantTell with ``maybe_message``).
    """

    what: ClassVar[str]
    concepts: ClassVar[tuple[str, ...]]
    maybe_concepts: ClassVar[tuple[str, ...]] = ()
    maybe_message: ClassVar[str] = ""

    def extra(self, link: Link) -> str | None:
        return None

    def declared(self, page: PageArtifact) -> Finding | None:
        return None

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        why_not = page_is_judgeable(page)
        if why_not:
            return [self.finding(Outcome.INAPPLICABLE, f"Not judged: {why_not}", url=page.url)]
        hits = find_links(page, self.concepts, extra=self.extra)
        if hits:
            best = hits[0]
            return [self.finding(Outcome.PASSED,
                                 f"Links to {self.what}: {best.reason}, in the {best.link.region}",
                                 url=page.url, evidence=[h.evidence() for h in hits[:3]])]
        declared = self.declared(page)
        if declared is not None:
            return [declared]
        maybe = find_links(page, self.maybe_concepts) if self.maybe_concepts else []
        if maybe:
            return [self.finding(Outcome.CANT_TELL, self.maybe_message, url=page.url,
                                 evidence=[h.evidence() for h in maybe[:3]])]
        if looks_script_built(page):
            return [self.finding(
                Outcome.CANT_TELL,
                "The HTML has almost no links or text; the page is probably built by "
                "JavaScript, so its links could not be seen without a browser",
                url=page.url, evidence=[where_we_looked(page)])]
        return [self.finding(Outcome.FAILED, f"No link to {self.what} on this page",
                             url=page.url, evidence=[where_we_looked(page)])]
