"""Accessibility checks that need no browser, run on every crawled HTML page.

They follow the W3C ACT rules of the same names (the rules accessibility
engines are measured against), so their outcomes can be compared with axe's:
- ``a11y.lang``: ACT b5c3f8 (html has lang) and bf051a (lang is valid), WCAG 3.1.1;
- ``a11y.viewport``: ACT b4f0c3 (meta viewport allows zoom), WCAG 1.4.4;
- ``a11y.title``: ACT 2779a5 (page has a non-empty title), WCAG 2.4.2.
"""
from __future__ import annotations

import re

import langcodes

from checks.artifacts import PageArtifact, element_snippet, normalise_space
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope

_TAG_SYNTAX = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


def _not_html(check: Check, page: PageArtifact) -> list[Finding] | None:
    if not page.is_html or page.tree is None:
        return [check.finding(Outcome.INAPPLICABLE,
                              f"Not judged: not an HTML page ({page.content_type or 'unknown type'})",
                              url=page.url)]
    if page.status is not None and not 200 <= page.status < 300:
        return [check.finding(Outcome.INAPPLICABLE, f"Not judged: HTTP status {page.status}",
                              url=page.url)]
    return None


def _viewport_metas(page: PageArtifact) -> list:
    """The page's ``<meta name="viewport">`` elements (browsers obey the last one)."""
    return [m for m in page.tree.iterfind(".//meta[@name]") if m.get("name", "").strip().lower() == "viewport"]


def _html_start_tag(page: PageArtifact) -> str:
    root = page.tree
    attrs = " ".join(f'{k}="{v}"' for k, v in root.attrib.items())
    return f"<html {attrs}>" if attrs else "<html>"


class PageLanguage(Check):
    meta = CheckMeta(
        id="a11y.lang", title="Page declares a valid language", principles=("accessibility",),
        scope=Scope.PAGE, requires=("page",), version="1.0",
        standard="WCAG 2.1 SC 3.1.1 (EN 301 549 9.3.1.1); ACT rules b5c3f8, bf051a",
        description="The <html> element has a lang attribute whose primary subtag is a known "
                    "language, so screen readers pronounce the text correctly.")

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        skip = _not_html(self, page)
        if skip:
            return skip
        root = page.tree
        # the HTML parser keeps xml:lang as a plain attribute name
        lang = (root.get("lang") or root.get("xml:lang") or "").strip()
        ev = [Evidence(url=page.url, selector="/html", snippet=_html_start_tag(page), text=lang or None)]
        if not lang:
            return [self.finding(Outcome.FAILED, "The <html> element has no lang attribute",
                                 url=page.url, evidence=ev)]
        if not _TAG_SYNTAX.match(lang) or not langcodes.tag_is_valid(lang):
            return [self.finding(Outcome.FAILED, f'lang="{lang}" is not a valid language tag',
                                 url=page.url, evidence=ev)]
        return [self.finding(Outcome.PASSED, f'The page declares lang="{lang}"', url=page.url,
                             evidence=ev)]


class ViewportZoom(Check):
    meta = CheckMeta(
        id="a11y.viewport", title="Viewport does not block zoom", principles=("accessibility",),
        scope=Scope.PAGE, requires=("page",), version="1.0",
        standard="WCAG 2.1 SC 1.4.4 (EN 301 549 9.1.4.4); ACT rule b4f0c3",
        description="A <meta name=viewport> must not set user-scalable=no or a maximum-scale "
                    "below 2, which stops people from enlarging text on phones.")

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        skip = _not_html(self, page)
        if skip:
            return skip
        metas = _viewport_metas(page)
        if not metas:
            return [self.finding(Outcome.INAPPLICABLE, "The page has no viewport meta element",
                                 url=page.url)]
        meta = metas[-1]  # the last one wins in browsers
        content = meta.get("content") or ""
        props = {}
        for part in re.split(r"[,;]", content):
            if "=" in part:
                k, v = part.split("=", 1)
                props[k.strip().lower()] = v.strip().lower()
        ev = [Evidence(url=page.url, selector=meta.getroottree().getpath(meta),
                       snippet=element_snippet(meta), text=content)]
        scalable = props.get("user-scalable")
        if scalable in ("no", "0"):
            return [self.finding(Outcome.FAILED, f"The viewport blocks zoom (user-scalable={scalable})",
                                 url=page.url, evidence=ev)]
        if "maximum-scale" in props:
            try:
                maximum = float(props["maximum-scale"])
            except ValueError:
                maximum = None
            if maximum is not None and 0 < maximum < 2:
                return [self.finding(Outcome.FAILED,
                                     f"The viewport limits zoom to {maximum:g}× (maximum-scale)",
                                     url=page.url, evidence=ev)]
        return [self.finding(Outcome.PASSED, "The viewport allows zoom", url=page.url, evidence=ev)]


class PageTitle(Check):
    meta = CheckMeta(
        id="a11y.title", title="Page has a non-empty title", principles=("accessibility",),
        scope=Scope.PAGE, requires=("page",), version="1.0",
        standard="WCAG 2.1 SC 2.4.2 (EN 301 549 9.2.4.2); ACT rule 2779a5",
        description="The first <title> element is not empty, so people know which page "
                    "(and which browser tab) they are on.")

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        skip = _not_html(self, page)
        if skip:
            return skip
        title = page.tree.find(".//title")
        if title is None:
            return [self.finding(Outcome.FAILED, "The page has no <title> element", url=page.url,
                                 evidence=[Evidence(url=page.url, selector="/html/head")])]
        text = normalise_space(title.text_content())
        ev = [Evidence(url=page.url, selector=title.getroottree().getpath(title),
                       snippet=element_snippet(title), text=text or None)]
        if not text:
            return [self.finding(Outcome.FAILED, "The <title> element is empty", url=page.url,
                                 evidence=ev)]
        return [self.finding(Outcome.PASSED, f'The page title is "{text[:120]}"', url=page.url,
                             evidence=ev)]


class MobileViewport(Check):
    """``usability.mobile``: the page declares a viewport for small screens.

    Without ``<meta name="viewport" content="width=device-width">`` a phone
    renders the desktop layout at about 980 CSS pixels and shrinks it: text too
    small to read, links too small to tap. (Whether the layout then adapts is a
    rendering question; the declaration is the precondition.)
    """

    meta = CheckMeta(
        id="usability.mobile", title="Page is set up for mobile screens (viewport meta)",
        principles=("accessibility", "digital-interaction"), scope=Scope.PAGE, requires=("page",),
        version="1.0", standard="W3C CSS Device Adaptation (meta viewport); WCAG 1.4.10 Reflow (precondition)",
        description="A <meta name=viewport> with width=device-width.")

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        skip = _not_html(self, page)
        if skip:
            return skip
        metas = _viewport_metas(page)
        if not metas:
            return [self.finding(Outcome.FAILED, "No viewport meta element: phones show the desktop layout "
                                 "shrunk", url=page.url, evidence=[Evidence(url=page.url, selector="/html/head",
                                                                          text="no <meta name=\"viewport\">")])]
        meta = metas[-1]
        content = meta.get("content") or ""
        ev = [Evidence(url=page.url, selector=meta.getroottree().getpath(meta), snippet=element_snippet(meta),
                       text=content)]
        if re.search(r"width\s*=\s*device-width", content, re.I):
            return [self.finding(Outcome.PASSED, "Viewport set to the device width", url=page.url, evidence=ev)]
        return [self.finding(Outcome.FAILED, f"The viewport does not follow the device width ({content!r})",
                             url=page.url, evidence=ev)]
