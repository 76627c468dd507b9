"""``privacy.notice-link-coverage``: is the privacy notice one click away from every page?

GDPR Art. 12(1) asks for information that is easily accessible; supervisory
authorities read that as "from every page", which is why the notice sits in the
footer. ``privacy.notice-link`` answers page by page; this check gives the
share of HTML pages that link to the notice and fails below a threshold
(option ``threshold``, default 0.95: a few landing or script-built pages are
tolerated). Pages where the link could only be a legal-notice or cookie link
(``cantTell``) do not count as covered, but they keep the outcome at
``cantTell`` when they would lift the share above the threshold.
"""
from __future__ import annotations

from checks.artifacts import PageFindings, SiteArtifact
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope

PAGE_CHECK = "privacy.notice-link"
MAX_EVIDENCE = 10


class PrivacyNoticeCoverage(Check):
    meta = CheckMeta(
        id="privacy.notice-link-coverage", title="Privacy notice linked from (nearly) every page",
        principles=("privacy",), scope=Scope.SITE, requires=("site", "page_findings"), version="1.0",
        standard="GDPR (EU) 2016/679 Art. 12(1) (easily accessible information)",
        description="Share of crawled HTML pages that link to the privacy notice "
                    "(privacy.notice-link passed); failed below the threshold.",
        options=(("threshold", 0.95),))

    def evaluate(self, site: SiteArtifact, page_findings: PageFindings) -> list[Finding]:
        threshold = float(self.options["threshold"])
        linked = page_findings.pages_with(PAGE_CHECK, "passed")
        unsure = page_findings.pages_with(PAGE_CHECK, "cantTell")
        missing = page_findings.pages_with(PAGE_CHECK, "failed")
        judged = linked + unsure + missing
        if judged == 0:
            return [self.finding(Outcome.INAPPLICABLE if page_findings.html_pages == 0
                                 else Outcome.CANT_TELL,
                                 "No HTML page was judged for a privacy-notice link",
                                 evidence=[Evidence(url=site.start_url,
                                                    text=f"{page_findings.html_pages} HTML pages")])]
        share = linked / judged
        details = {"pages": judged, "linked": linked, "unsure": unsure, "missing": missing,
                   "share": round(share, 4), "threshold": threshold}
        text = (f"{linked} of {judged} HTML pages ({share:.1%}) link to the privacy notice "
                f"(threshold {threshold:.0%})")
        without = page_findings.found(PAGE_CHECK, "failed") + page_findings.found(PAGE_CHECK, "cantTell")
        evidence = [Evidence(url=f.get("url"), text=f.get("message")) for f in without[:MAX_EVIDENCE]]
        if share >= threshold:
            first = page_findings.found(PAGE_CHECK, "passed")[:1]
            ev = [Evidence(url=e.get("url"), selector=e.get("selector"), snippet=e.get("snippet"),
                           text=f"e.g. {f.get('url')}: {e.get('text')}")
                  for f in first for e in (f.get("evidence") or [])[:1]]
            return [self.finding(Outcome.PASSED, text, evidence=ev + evidence, details=details)]
        if (linked + unsure) / judged >= threshold:
            return [self.finding(Outcome.CANT_TELL,
                                 text + f"; {unsure} more link only to a legal notice or cookie page, "
                                 "which may hold the privacy information",
                                 evidence=evidence, details=details)]
        return [self.finding(Outcome.FAILED, text + f"; {missing + unsure} do not",
                             evidence=evidence, details=details)]
