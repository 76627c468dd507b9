"""privacy.notice-link: does this page link to the privacy notice?

GDPR Art. 12(1) and 13 require the information to be easily accessible; the
common practice (and the Italian AgID and French DSFR models) is a footer link
on every page. A link that only names cookies or the legal notice may lead to
the privacy information, but we cannot tell from this page alone.
"""
from __future__ import annotations

from checks.artifacts import PageArtifact
from checks.base import Check, CheckMeta, Finding, Outcome, Scope
from checks.links import find_links, looks_script_built, page_is_judgeable, where_we_looked


class PrivacyNoticeLink(Check):
    meta = CheckMeta(
        id="privacy.notice-link",
        title="Page links to a privacy notice",
        principles=("privacy",),
        scope=Scope.PAGE,
        requires=("page",),
        version="1.0",
        standard="GDPR (EU) 2016/679 Art. 12(1), Art. 13",
        description="Looks for a link whose text or URL names the privacy notice or data "
                    "protection information, in the 24 EU languages.",
    )

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        why_not = page_is_judgeable(page)
        if why_not:
            return [self.finding(Outcome.INAPPLICABLE, f"Not judged: {why_not}", url=page.url)]
        hits = find_links(page, ["privacy"])
        if hits:
            best = hits[0]
            return [self.finding(
                Outcome.PASSED,
                f"Links to a privacy notice: {best.reason}, in the {best.link.region}",
                url=page.url, evidence=[h.evidence() for h in hits[:3]])]
        maybe = find_links(page, ["legal_notice", "cookies"])
        if maybe:
            return [self.finding(
                Outcome.CANT_TELL,
                "No link names the privacy notice, but a legal-notice or cookie link may lead "
                "to it: verify that page",
                url=page.url, evidence=[h.evidence() for h in maybe[:3]])]
        if looks_script_built(page):
            return [self.finding(
                Outcome.CANT_TELL,
                "The HTML has almost no links or text; the page is probably built by "
                "JavaScript, so its links could not be seen without a browser",
                url=page.url, evidence=[where_we_looked(page)])]
        return [self.finding(Outcome.FAILED, "No link to a privacy notice on this page",
                             url=page.url, evidence=[where_we_looked(page)])]
