"""Artifacts: what gatherers hand to checks (the Lighthouse 'artifact' idea).

A :class:`PageArtifact` wraps one fetched response. Its HTML is parsed at most
once, lazily, and the parsed tree and the extracted links are shared by every
check that looks at the page (and by the crawler's link follower).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Bound the work on hostile pages: parse at most this many bytes, keep at most
# this many links.
MAX_PARSE_BYTES = 5 * 1024 * 1024
MAX_LINKS = 5000
MAIN_TEXT_MAX = 30_000

_WS = re.compile(r"\s+")
_FOOTER = re.compile(r"footer|colophon|bottom|site-info|fusszeile|pie-de-pagina|piede", re.I)
_HEADER = re.compile(r"header|masthead|navbar|topbar|top-bar|kopfzeile|intestazione|cabecera|menu|\bnav", re.I)


def normalise_space(text: str) -> str:
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True, eq=False)
class Link:
    """A hyperlink as a person sees it, with where it sits on the page.

    The XPath and HTML snippet are computed only when a finding cites the
    link: most links never become evidence.
    """

    url: str          # absolute URL, fragment kept (the crawler canonicalises)
    href: str         # the attribute as written
    text: str         # visible text, image alts, aria-label and title joined
    region: str       # "header", "footer" or "main"
    element: Any = field(repr=False, compare=False)

    @property
    def xpath(self) -> str:
        return self.element.getroottree().getpath(self.element)

    @property
    def snippet(self) -> str:
        return element_snippet(self.element)


@dataclass
class PageArtifact:
    """One fetched response, as checks see it."""

    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    content_type: str | None = None
    encoding: str | None = None

    @property
    def is_html(self) -> bool:
        ct = (self.content_type or "").split(";")[0].strip().lower()
        return ct in HTML_TYPES

    @cached_property
    def tree(self) -> Any | None:
        """The lxml tree, or None when the body is not (parseable) HTML."""
        if not self.is_html or not self.body:
            return None
        data = self.body[:MAX_PARSE_BYTES]
        encoding = self.encoding or self._header_charset()
        try:
            parser = lxml.html.HTMLParser(encoding=encoding, recover=True, remove_comments=True)
        except LookupError:  # an encoding libxml2 does not know: Python decodes, lxml parses the text
            parser = lxml.html.HTMLParser(recover=True, remove_comments=True)
            try:
                data = data.decode(encoding or "utf-8", errors="replace").encode("utf-8")
                parser = lxml.html.HTMLParser(encoding="utf-8", recover=True, remove_comments=True)
            except LookupError:
                pass  # unknown to Python too: let lxml sniff the bytes
        try:
            root = lxml.html.document_fromstring(data, parser=parser)
        except (etree.ParserError, ValueError, LookupError):
            return None
        return root

    def _header_charset(self) -> str | None:
        m = re.search(r"charset=([\w.:-]+)", self.headers.get("content-type", ""), re.I)
        if not m:
            return None
        try:
            "".encode(m.group(1))
        except LookupError:  # a bogus charset: let lxml sniff
            return None
        return m.group(1)

    @cached_property
    def base_url(self) -> str:
        tree = self.tree
        if tree is not None:
            for base in tree.iterfind(".//base[@href]"):
                return urljoin(self.url, base.get("href", "").strip())
        return self.url

    @cached_property
    def title(self) -> str | None:
        tree = self.tree
        if tree is None:
            return None
        el = tree.find(".//title")
        if el is None:
            return None
        return normalise_space(el.text_content())[:300] or None

    @cached_property
    def links(self) -> list[Link]:
        """All ``<a href>`` and ``<area href>`` links, in document order."""
        tree = self.tree
        if tree is None:
            return []
        base = self.base_url
        regions: dict[Any, str] = {}
        out: list[Link] = []
        for el in tree.iter("a", "area"):
            href = el.get("href")
            if href is None:
                continue
            href = href.strip()
            if not href or href.startswith(("javascript:", "data:")):
                continue
            try:
                absolute = urljoin(base, href)
            except ValueError:
                continue
            out.append(Link(url=absolute, href=href, text=link_text(el),
                            region=region_of(el, regions), element=el))
            if len(out) >= MAX_LINKS:
                break
        return out

    @cached_property
    def main_text(self) -> str:
        """The text of the main content (``<main>`` or role=main, else the body without
        header, navigation and footer), whitespace-normalised and clipped: where wording
        about this page's subject is, not the portal's menus."""
        tree = self.tree
        if tree is None:
            return ""
        main = tree.find(".//main")
        if main is None:
            found = tree.xpath("//*[@role='main']")
            main = found[0] if found else None
        if main is not None:
            return normalise_space(main.text_content())[:MAIN_TEXT_MAX]
        body = tree.find("body")
        if body is None:
            return ""
        parts = [t for el in body if isinstance(el.tag, str) and el.tag not in ("header", "nav", "footer")
                 and region_of_node(el) == "main" for t in [el.text_content()]]
        return normalise_space(" ".join(parts))[:MAIN_TEXT_MAX]

    @cached_property
    def visible_text_length(self) -> int:
        tree = self.tree
        if tree is None:
            return 0
        body = tree.find("body")
        if body is None:
            return 0
        return len(normalise_space(" ".join(
            t for t in body.itertext() if t and t.strip())))


def link_text(el: Any) -> str:
    parts = [el.text_content() or ""]
    for img in el.iter("img"):
        parts.append(img.get("alt") or "")
    for attr in ("aria-label", "title"):
        if el.get(attr):
            parts.append(el.get(attr))
    return normalise_space(" ".join(parts))[:300]


def _own_region(node: Any) -> str | None:
    tag = node.tag
    role = (node.get("role") or "").lower()
    if tag == "footer" or role == "contentinfo":
        return "footer"
    if tag in ("header", "nav") or role in ("banner", "navigation"):
        return "header"
    if tag in ("main", "article") or role == "main":
        return "main"
    marker = (node.get("id") or "") + " " + (node.get("class") or "")
    if marker.strip():
        if _FOOTER.search(marker):
            return "footer"
        if _HEADER.search(marker):
            return "header"
    return None


def region_of_node(el: Any) -> str:
    """The region an element itself marks (footer, header) or sits in."""
    return _own_region(el) or region_of(el)


def region_of(el: Any, cache: dict[Any, str] | None = None) -> str:
    """Whether an element sits in the page footer, header/navigation, or main content.

    ``cache`` maps ancestors already resolved to their region, so the links of
    one list cost one walk up the tree, not one each.
    """
    cache = {} if cache is None else cache
    path = []
    node = el.getparent()
    region = "main"
    while node is not None and isinstance(node.tag, str):
        if node in cache:
            region = cache[node]
            break
        path.append(node)
        own = _own_region(node)
        if own is not None:
            region = own
            break
        node = node.getparent()
    for n in path:
        cache[n] = region
    return region


def element_snippet(el: Any, limit: int = 300) -> str:
    """The element's outer HTML, without its tail, clipped."""
    html = etree.tostring(el, encoding="unicode", method="html", with_tail=False)
    return html if len(html) <= limit else html[: limit - 1] + "…"


@dataclass
class SiteArtifact:
    """What the whole run gathered, for site-level checks."""

    start_url: str
    home: dict[str, Any] | None = None          # {"url", "final_url", "status", "fetch_status"}
    scheme_probe: dict[str, Any] | None = None  # the other-scheme fetch of the start URL
    pages: list[dict[str, Any]] = field(default_factory=list)  # url, final_url, status, fetch_status, content_type
    security_txt: dict[str, Any] | None = None  # /.well-known/security.txt: url, status, content_type, text
    today: date | None = None                   # the day date-based checks judge against
    # page requests that redirected out of scope (never followed): {"url", "location"},
    # e.g. a login route answering with a redirect to a national eID provider
    redirects: list[dict[str, str]] = field(default_factory=list)
    tls: dict[str, Any] | None = None           # the TLS handshake with the start host (see crawler.tls)


@dataclass
class StatementArtifact:
    """What the crawl found of the portal's accessibility statement.

    ``links`` are the statement URLs that pages link to (from the link
    evidence of ``a11y.statement-link``), most linked first, with the number of
    pages linking each; ``pages`` are those of them that were fetched, parsed.
    ``today`` is given, not read from a clock, so a check stays a pure function.
    """

    links: list[tuple[str, int]]
    pages: dict[str, PageArtifact]
    pages_examined: int
    today: date


@dataclass
class BrowserArtifact:
    """One page rendered in a fresh browser profile, with no interaction.

    ``axe`` holds axe-core's results, slimmed: violations and incomplete
    results with up to 20 nodes each, passes and inapplicable rules by id.
    ``requests`` are all the requests the page tried (out-of-scope ones were
    recorded and aborted, never sent).
    """

    url: str
    final_url: str | None = None
    status: int | None = None
    axe: dict[str, Any] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    cookies: list[dict[str, Any]] = field(default_factory=list)
    local_storage: list[str] = field(default_factory=list)
    screenshot: str | None = None
    dom: str | None = None  # the rendered DOM (serialised, clipped), for checks of script-built pages
    # after clicking the consent banner's "reject" (on a few key pages only): the button
    # (selector, text, snippet), whether it was clicked, and the requests, cookies and
    # local storage after the click and a reload
    consent: dict[str, Any] | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass
class PageFindings:
    """What the page checks found across the run, for site checks that sum it up.

    Per page check: how many pages had each outcome, and the first findings of
    each outcome except ``inapplicable`` (which is only counted), so memory stays
    bounded on a portal of any size. ``html_pages`` counts the pages judged.
    """

    counts: dict[str, dict[str, int]] = field(default_factory=dict)   # check -> outcome -> pages
    examples: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    html_pages: int = 0
    max_examples: int = 200

    def add_page(self, findings: list[dict[str, Any]], html: bool = True) -> None:
        """Take one page's (or downloaded document's, ``html=False``) findings, as stored:
        dicts; a check counts once per page for each outcome it gave there."""
        self.html_pages += 1 if html else 0
        per_check: dict[str, list[dict[str, Any]]] = {}
        for f in findings:
            per_check.setdefault(f["check"], []).append(f)
        for check, found in per_check.items():
            counts = self.counts.setdefault(check, {})
            for outcome in {f["outcome"] for f in found}:
                counts[outcome] = counts.get(outcome, 0) + 1
            for f in found:
                if f["outcome"] == "inapplicable":
                    continue
                kept = self.examples.setdefault(check, {}).setdefault(f["outcome"], [])
                if len(kept) < self.max_examples:
                    kept.append(f)

    def pages_with(self, check: str, outcome: str) -> int:
        return self.counts.get(check, {}).get(outcome, 0)

    def found(self, check: str, outcome: str) -> list[dict[str, Any]]:
        return self.examples.get(check, {}).get(outcome, [])
