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
from checks.base import CheckMeta, Evidence, Finding, Outcome, Scope
from checks.links import LinkPresenceCheck

# Hosts and path prefixes where national schemes publish statements (SIGNALS.md §3).
STATEMENT_REGISTRIES: tuple[tuple[str, str], ...] = (
    ("form.agid.gov.it", "/view/"),
    ("was.digst.dk", "/"),
    ("www.was.digst.dk", "/"),
    ("toegankelijkheidsverklaring.nl", "/register/"),
    ("www.toegankelijkheidsverklaring.nl", "/register/"),
)


def registry_of(url: str) -> str | None:
    """The national statement registry a URL points into, or None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for reg_host, prefix in STATEMENT_REGISTRIES:
        if host == reg_host and parts.path.startswith(prefix):
            return reg_host
    return None


# Poland's statement law defines <meta name="deklaracja-dostępności" content="URL">.
POLISH_META = ("deklaracja-dostępności", "deklaracja-dostepnosci")


class AccessibilityStatementLink(LinkPresenceCheck):
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
    what = "an accessibility statement"
    concepts = ("accessibility_statement",)
    maybe_concepts = ("accessibility",)
    maybe_message = ("A link names accessibility but not the statement: verify that it leads "
                     "to the accessibility statement")

    def extra(self, link: Link) -> str | None:
        registry = registry_of(link.url)
        return f"link to the national statement registry {registry}" if registry else None

    def declared(self, page: PageArtifact) -> Finding | None:
        for el in page.tree.iterfind(".//meta[@name]"):
            if el.get("name", "").strip().lower() in POLISH_META and el.get("content"):
                return self.finding(
                    Outcome.PASSED,
                    'Declares its accessibility statement in a <meta name="deklaracja-dostępności"> element',
                    url=page.url,
                    evidence=[Evidence(url=page.url, selector=f'//meta[@name="{el.get("name")}"]',
                                       text=el.get("content"))])
        return None
