"""a11y.statement-link: does this page link to the accessibility statement?

Directive (EU) 2016/2102 Art. 7 and Implementing Decision (EU) 2018/1523
(recital 4) ask for the statement to be reachable, ideally from every page.
A link to a national statement registry or generator (Italy's AgID form, the
Danish WAS-Tool, the Dutch register) is the statement itself. A link that only
says "Accessibility" may lead to the statement or to a help page: cantTell.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from checks.artifacts import Link, PageArtifact
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope
from checks.links import find_links, looks_script_built, page_is_judgeable, where_we_looked

# Hosts and path prefixes where national schemes publish statements (SIGNALS.md §3).
STATEMENT_REGISTRIES: tuple[tuple[str, str], ...] = (
    ("form.agid.gov.it", "/view/"),
    ("was.digst.dk", "/"),
    ("www.was.digst.dk", "/"),
    ("toegankelijkheidsverklaring.nl", "/register/"),
    ("www.toegankelijkheidsverklaring.nl", "/register/"),
)


def registry_link(link: Link) -> str | None:
    parts = urlsplit(link.url)
    host = (parts.hostname or "").lower()
    for reg_host, prefix in STATEMENT_REGISTRIES:
        if host == reg_host and parts.path.startswith(prefix):
            return f"link to the national statement registry {reg_host}"
    return None


class AccessibilityStatementLink(Check):
    meta = CheckMeta(
        id="a11y.statement-link",
        title="Page links to an accessibility statement",
        principles=("accessibility",),
        scope=Scope.PAGE,
        requires=("page",),
        version="1.0",
        standard="Directive (EU) 2016/2102 Art. 7; Implementing Decision (EU) 2018/1523",
        description="Looks for a link naming the accessibility statement in the 24 EU "
                    "languages, or pointing to a national statement registry.",
    )

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        why_not = page_is_judgeable(page)
        if why_not:
            return [self.finding(Outcome.INAPPLICABLE, f"Not judged: {why_not}", url=page.url)]
        hits = find_links(page, ["accessibility_statement"], extra=registry_link)
        if hits:
            best = hits[0]
            return [self.finding(
                Outcome.PASSED,
                f"Links to an accessibility statement: {best.reason}, in the {best.link.region}",
                url=page.url, evidence=[h.evidence() for h in hits[:3]])]
        meta = _polish_meta(page)
        if meta:
            return [self.finding(Outcome.PASSED,
                                 "Declares its accessibility statement in a "
                                 "<meta name=\"deklaracja-dostępności\"> element",
                                 url=page.url, evidence=[meta])]
        weak = find_links(page, ["accessibility"])
        if weak:
            return [self.finding(
                Outcome.CANT_TELL,
                "A link names accessibility but not the statement: verify that it leads to "
                "the accessibility statement",
                url=page.url, evidence=[h.evidence() for h in weak[:3]])]
        if looks_script_built(page):
            return [self.finding(
                Outcome.CANT_TELL,
                "The HTML has almost no links or text; the page is probably built by "
                "JavaScript, so its links could not be seen without a browser",
                url=page.url, evidence=[where_we_looked(page)])]
        return [self.finding(Outcome.FAILED, "No link to an accessibility statement on this page",
                             url=page.url, evidence=[where_we_looked(page)])]


def _polish_meta(page: PageArtifact) -> Evidence | None:
    # Poland's statement law defines <meta name="deklaracja-dostępności" content="URL">.
    for el in page.tree.iterfind(".//meta[@name]"):
        name = el.get("name", "").strip().lower()
        if name in ("deklaracja-dostępności", "deklaracja-dostepnosci") and el.get("content"):
            return Evidence(url=page.url, selector=f'//meta[@name="{el.get("name")}"]',
                            text=el.get("content"))
    return None
