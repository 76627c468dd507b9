"""privacy.pre-consent: do pages contact trackers before the visitor consents?

The browser gatherer renders each sampled page in a fresh profile and clicks
nothing, so whatever a page asks for there happens before any consent. Every
request to a host outside the portal is recorded and aborted (never sent):
an attempted request to a known tracker is the evidence. Tracking cookies
(e.g. ``_ga``, ``_fbp``) set in that state count too. GDPR Art. 6(1)(a) with
ePrivacy Directive Art. 5(3) require consent first; the Austrian, French and
Italian DPAs found Google Analytics transfers unlawful in 2022.
Recognised consent platforms are named, since the next step (rejecting and
looking again) depends on them.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from checks.artifacts import BrowserArtifact
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope

MAX_EVIDENCE = 10


@lru_cache(maxsize=1)
def known() -> dict[str, Any]:
    return json.loads(resources.files("checks").joinpath("privacy_trackers.json").read_text("utf-8"))


def _host_in(host: str, hosts: list[str]) -> bool:
    return any(host == h or host.endswith("." + h) for h in hosts)


def tracker_of_request(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for t in known()["trackers"]:
        if _host_in(host, t.get("hosts", [])):
            return t["name"]
        if _host_in(host, t.get("path_hosts", [])) and any(p in parts.path for p in t.get("paths", [])):
            return t["name"]
    return None


def tracker_of_cookie(name: str) -> str | None:
    for t in known()["trackers"]:
        if any(name.startswith(prefix) for prefix in t.get("cookies", [])):
            return t["name"]
    return None


def tally(page_url: str, requests: list[dict[str, Any]], cookies: list[dict[str, Any]], when: str,
          trackers: dict[str, int], evidence: list[Evidence], snippet: str | None = None) -> None:
    """Count the known trackers among a page's requests and cookies, adding evidence
    (``when``: "before consent", "after clicking 'Reject'") up to MAX_EVIDENCE."""
    for r in requests:
        name = tracker_of_request(r["url"]) if r.get("third_party") else None
        if name:
            trackers[name] = trackers.get(name, 0) + 1
            if len(evidence) < MAX_EVIDENCE:
                evidence.append(Evidence(url=page_url, selector=r.get("resource_type"), snippet=snippet,
                                         text=f"{name}: {r['method']} {r['url']} requested {when} "
                                              "(blocked by citylabel)"))
    for c in cookies:
        name = tracker_of_cookie(c.get("name") or "")
        if name:
            trackers[name] = trackers.get(name, 0) + 1
            if len(evidence) < MAX_EVIDENCE:
                evidence.append(Evidence(url=page_url, snippet=snippet,
                                         text=f"{name}: cookie {c.get('name')} set for {c.get('domain')} {when}"))


def consent_platforms(pages: list[BrowserArtifact]) -> list[tuple[str, str, str]]:
    """(platform, page URL, what showed it) for each recognised consent platform."""
    found: dict[str, tuple[str, str, str]] = {}
    for page in pages:
        hosts = [(urlsplit(r["url"]).hostname or "").lower() for r in page.requests]
        cookies = [c.get("name") or "" for c in page.cookies]
        dom = page.dom or ""
        for cmp_ in known()["consent_platforms"]:
            if cmp_["name"] in found:
                continue
            host = next((h for h in hosts if _host_in(h, cmp_.get("hosts", []))), None)
            marker = next((m for m in cmp_.get("markers", []) if m in dom), None)
            cookie = next((c for c in cookies if any(c.startswith(p) for p in cmp_.get("cookies", []))), None)
            why = (f"request to {host}" if host else f"page contains {marker!r}" if marker
                   else f"cookie {cookie}" if cookie else None)
            if why:
                found[cmp_["name"]] = (cmp_["name"], page.url, why)
    return list(found.values())


class PreConsentTracking(Check):
    meta = CheckMeta(
        id="privacy.pre-consent", title="No tracking before consent",
        principles=("privacy",), scope=Scope.SITE, requires=("rendered",), version="1.0",
        standard="GDPR (EU) 2016/679 Art. 6(1)(a), 7; ePrivacy Directive 2002/58/EC Art. 5(3)",
        description="On the rendered sample (fresh browser profile, no interaction), looks for "
                    "requests to known trackers and tracking cookies, and names the consent "
                    "platform in use.")

    def evaluate(self, rendered: list[BrowserArtifact]) -> list[Finding]:
        pages = [p for p in rendered if not p.error]
        if not pages:
            return [self.finding(Outcome.CANT_TELL if rendered else Outcome.INAPPLICABLE,
                                 "No page could be rendered in the browser, so tracking before "
                                 "consent could not be observed" if rendered else
                                 "No page was rendered in the browser (--browser-pages 0)")]
        cmps = consent_platforms(pages)
        cmp_note = ("; consent platform: " + ", ".join(f"{n} ({why})" for n, _, why in cmps)
                    if cmps else "; no known consent platform recognised")
        evidence: list[Evidence] = []
        trackers: dict[str, int] = {}
        for page in pages:
            tally(page.url, page.requests, page.cookies, "before consent", trackers, evidence)
        details = {"trackers": trackers, "consent_platforms": [n for n, _, _ in cmps],
                   "pages": len(pages)}
        if trackers:
            return [self.finding(Outcome.FAILED,
                                 f"Tracking before consent on the rendered pages: "
                                 f"{', '.join(sorted(trackers))}{cmp_note}",
                                 evidence=evidence, details=details)]
        third = sorted({urlsplit(r["url"]).hostname or "" for p in pages for r in p.requests
                        if r.get("third_party")})
        text = (f"third-party hosts contacted, none a known tracker: {', '.join(third[:15])}"
                if third else "no third-party request at all")
        return [self.finding(Outcome.PASSED,
                             f"No known tracker was contacted and no tracking cookie set on "
                             f"{len(pages)} rendered pages before consent{cmp_note}",
                             evidence=[Evidence(url=pages[0].url, text=text)], details=details)]


class ConsentRejectTracking(Check):
    """What still loads after the visitor says no.

    On the home page and two more key pages the browser gatherer clicks the
    consent banner's reject button (a recognised platform's own button, or a
    button whose whole text is a reject wording inside a cookie/consent
    element), reloads, and records what is requested and stored then. A
    tracker contacted, or a tracking cookie still present, after a refusal
    ignores it (GDPR Art. 7(3), ePrivacy Art. 5(3); CNIL and EDPB cookie-banner
    guidance: refusing must be as effective as accepting).
    """

    meta = CheckMeta(
        id="privacy.consent-reject", title="No tracking after the visitor rejects cookies",
        principles=("privacy",), scope=Scope.SITE, requires=("rendered",), version="1.0",
        standard="GDPR (EU) 2016/679 Art. 4(11), 7(3); ePrivacy Directive 2002/58/EC Art. 5(3); "
                 "EDPB cookie banner taskforce report (2023)",
        description="Clicks the consent banner's reject button on a few key pages, reloads, and "
                    "looks for tracker requests and tracking cookies afterwards.")

    def evaluate(self, rendered: list[BrowserArtifact]) -> list[Finding]:
        pages = [p for p in rendered if not p.error]
        tried = [p for p in pages if p.consent is not None]
        if not tried:
            return [self.finding(Outcome.INAPPLICABLE,
                                 "No page was rendered to try rejecting cookies" if not pages else
                                 "Rejecting cookies was not tried on the rendered pages")]
        cmps = consent_platforms(pages)
        clicked = [p for p in tried if p.consent.get("clicked")]
        if not clicked:
            problems = [p for p in tried if p.consent.get("error")]
            if cmps or problems:
                names = ", ".join(n for n, _, _ in cmps) or "a consent banner"
                ev = [Evidence(url=p.url, text=f"{why}") for _, p_url, why in cmps
                      for p in tried[:1]] + [Evidence(url=p.url, text=p.consent["error"]) for p in problems[:3]]
                return [self.finding(Outcome.CANT_TELL,
                                     f"{names} recognised, but no reject button could be found and "
                                     f"clicked on {len(tried)} page(s)", evidence=ev,
                                     details={"consent_platforms": [n for n, _, _ in cmps], "pages": len(tried)})]
            return [self.finding(Outcome.INAPPLICABLE,
                                 f"No consent banner with a reject button on {len(tried)} key page(s) and "
                                 "no consent platform recognised",
                                 evidence=[Evidence(url=p.url, text="no reject button") for p in tried[:3]])]
        evidence: list[Evidence] = []
        trackers: dict[str, int] = {}
        still: set[str] = set()
        for page in clicked:
            c = page.consent
            still.update(urlsplit(r["url"]).hostname or "" for r in c.get("requests_after", []) if r.get("third_party"))
            tally(page.url, c.get("requests_after", []), c.get("cookies_after", []),
                  f"after clicking {c.get('text')!r}", trackers, evidence, snippet=c.get("snippet"))
        first = clicked[0].consent
        button = f"{first.get('text')!r} ({first.get('selector')})"
        details = {"trackers": trackers, "consent_platforms": [n for n, _, _ in cmps],
                   "pages": len(clicked), "third_party_after": sorted(still)[:30],
                   "button": first.get("selector")}
        if trackers:
            return [self.finding(Outcome.FAILED,
                                 f"Tracking after rejecting cookies with {button}: {', '.join(sorted(trackers))}",
                                 evidence=evidence, details=details)]
        after = (f"third-party hosts still contacted, none a known tracker: {', '.join(sorted(still)[:10])}"
                 if still else "no third-party request after the refusal")
        return [self.finding(Outcome.PASSED,
                             f"After clicking {button} and reloading, no tracker was contacted and no "
                             f"tracking cookie set on {len(clicked)} page(s)",
                             evidence=[Evidence(url=p.url, snippet=p.consent.get("snippet"), text=after)
                                       for p in clicked[:3]], details=details)]
