"""security.https: the portal is served over HTTPS, properly, and plain HTTP redirects to it.

Findings, each verifiable on its own (``details["aspect"]`` names it):
(1) ``https``: the home page and the crawled pages are delivered over HTTPS;
(2) ``redirect``: a request to the plain-HTTP address is redirected to HTTPS
(or HTTP is not offered at all); and when the home page is on HTTPS:
(3) ``certificate``: the certificate verifies against the system's trust store
as a browser would (chain, validity dates, host name);
(4) ``tls-version``: TLS 1.2 or 1.3 was negotiated (BSI TR-02102-2, ANSSI and
ENISA guidance retire 1.0 and 1.1);
(5) ``mixed-content``: no page loads scripts, styles, frames or media over
plain HTTP and no form posts over it (from ``security.mixed-content`` on every
page and the requests of the rendered sample).
HSTS and the other headers are separate, informative checks.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from checks.artifacts import BrowserArtifact, PageFindings, SiteArtifact
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope

MAX_EXAMPLES = 5
GOOD_TLS = ("TLSv1.2", "TLSv1.3")
EXPIRY_WARNING_DAYS = 14
MIXED_CHECK = "security.mixed-content"


def _scheme(url: str | None) -> str:
    return urlsplit(url or "").scheme.lower()


class HttpsCheck(Check):
    meta = CheckMeta(
        id="security.https",
        title="Portal is served over HTTPS and HTTP redirects to HTTPS",
        principles=("security",),
        scope=Scope.SITE,
        requires=("site", "page_findings", "rendered"),
        version="2.0",
        standard="GDPR Art. 32 (security of processing); ENISA and national web guidelines "
                 "(e.g. AgID, ANSSI, BSI TR-03116-4)",
        description="Checks the scheme of the home page and crawled pages, what a plain-HTTP "
                    "request to the start address returns, the certificate and TLS version of the "
                    "home page's host, and mixed content or forms posting over plain HTTP.",
    )

    def evaluate(self, site: SiteArtifact, page_findings: PageFindings | None = None,
                 rendered: list[BrowserArtifact] | None = None) -> list[Finding]:
        home = site.home
        if not home or home.get("fetch_status") not in ("ok", "redirect"):
            status = (home or {}).get("fetch_status", "not fetched")
            return [self.finding(Outcome.CANT_TELL,
                                 f"The home page could not be fetched ({status}), so its "
                                 "transport cannot be judged",
                                 evidence=[Evidence(url=site.start_url,
                                                    text=str((home or {}).get("error") or status))],
                                 details={"aspect": "https"})]
        found = [self._served_over_https(site, home), self._http_redirects(site, home)]
        if _scheme(home.get("final_url") or home.get("url")) == "https":
            found += self._tls(site, home)
        if page_findings is not None:
            found.append(self._mixed(site, page_findings, rendered or []))
        for f, aspect in zip(found, ("https", "redirect")):
            f.details = dict(f.details or {}, aspect=aspect)
        return found

    # -- certificate and protocol version -----------------------------------
    def _tls(self, site: SiteArtifact, home: dict) -> list[Finding]:
        tls = site.tls
        final = home.get("final_url") or home.get("url")
        if not tls:
            return [self.finding(Outcome.CANT_TELL, "The TLS handshake was not recorded, so the "
                                 "certificate cannot be judged", evidence=[Evidence(url=final)],
                                 details={"aspect": "certificate"})]
        where = f"{tls.get('host')}:{tls.get('port')}"
        if tls.get("error"):
            outcome = Outcome.FAILED if "SSL" in tls["error"] else Outcome.CANT_TELL
            return [self.finding(outcome, f"The TLS handshake with {where} failed: {tls['error']}",
                                 evidence=[Evidence(url=final, text=tls["error"])],
                                 details={"aspect": "certificate", "tls": tls})]
        cert = tls.get("certificate") or {}
        facts = (f"subject {cert.get('subject')}, issuer {cert.get('issuer')}, valid "
                 f"{(cert.get('not_before') or '')[:10]} to {(cert.get('not_after') or '')[:10]}")
        ev = [Evidence(url=final, text=f"{where}: {facts}; names: {', '.join(cert.get('names') or [])}")]
        details = {"aspect": "certificate", "tls": tls}
        if not tls.get("verified"):
            cert_finding = self.finding(
                Outcome.FAILED, f"The certificate of {where} is not valid: {tls.get('verify_error')}",
                evidence=ev, details=details)
        else:
            left = _days_left(cert.get("not_after"), site.today)
            note = (f"; it expires in {left} day(s)" if left is not None and left <= EXPIRY_WARNING_DAYS
                    else "")
            cert_finding = self.finding(
                Outcome.PASSED, f"The certificate of {where} is valid ({facts}){note}",
                evidence=ev, details=dict(details, days_left=left))
        version = tls.get("version")
        vev = [Evidence(url=final, text=f"{where} negotiated {version} with cipher {tls.get('cipher')}")]
        if version in GOOD_TLS:
            ver = self.finding(Outcome.PASSED, f"{version} is used", evidence=vev,
                               details={"aspect": "tls-version", "version": version})
        elif version:
            ver = self.finding(Outcome.FAILED, f"{version} was negotiated; TLS 1.2 or 1.3 is required",
                               evidence=vev, details={"aspect": "tls-version", "version": version})
        else:
            ver = self.finding(Outcome.CANT_TELL, "The TLS version is unknown", evidence=vev,
                               details={"aspect": "tls-version"})
        return [cert_finding, ver]

    # -- mixed content --------------------------------------------------------
    def _mixed(self, site: SiteArtifact, page_findings: PageFindings,
               rendered: list[BrowserArtifact]) -> Finding:
        failed = page_findings.found(MIXED_CHECK, "failed")
        n_failed = page_findings.pages_with(MIXED_CHECK, "failed")
        judged = sum(page_findings.counts.get(MIXED_CHECK, {}).values())
        dynamic: list[tuple[str, dict[str, Any]]] = [
            (art.url, r) for art in rendered if _scheme(art.final_url or art.url) == "https"
            for r in art.requests if _scheme(r.get("url")) == "http"]
        details = {"aspect": "mixed-content", "pages_judged": judged, "pages_failed": n_failed,
                   "rendered_http_requests": len(dynamic)}
        if n_failed or dynamic:
            ev = []
            for f in failed[:MAX_EXAMPLES]:
                e = (f.get("evidence") or [{}])[0]
                ev.append(Evidence(url=f.get("url"), selector=e.get("selector"),
                                   snippet=e.get("snippet"), text=e.get("text")))
            ev += [Evidence(url=page, text=f"requested {r.get('method', 'GET')} {r['url']} over HTTP "
                            "while rendering") for page, r in dynamic[:MAX_EXAMPLES]]
            parts = []
            if n_failed:
                parts.append(f"{n_failed} of {judged} pages reference content or send forms over "
                             "plain HTTP")
            if dynamic:
                parts.append(f"{len(dynamic)} plain-HTTP request(s) while rendering the sample")
            return self.finding(Outcome.FAILED, "Mixed content: " + "; ".join(parts), evidence=ev,
                                details=details)
        if not judged and not rendered:
            return self.finding(Outcome.CANT_TELL, f"Mixed content was not judged ({MIXED_CHECK} "
                                "did not run and no page was rendered)",
                                evidence=[Evidence(url=site.start_url)], details=details)
        return self.finding(Outcome.PASSED,
                            f"No mixed content and no form posting over HTTP on {judged} pages"
                            + (f" and {len(rendered)} rendered pages" if rendered else ""),
                            evidence=[Evidence(url=site.start_url,
                                               text=f"{judged} pages judged by {MIXED_CHECK}")],
                            details=details)

    def _served_over_https(self, site: SiteArtifact, home: dict) -> Finding:
        final = home.get("final_url") or home.get("url")
        if _scheme(final) != "https":
            return self.finding(Outcome.FAILED, "The home page is served over plain HTTP",
                                evidence=[Evidence(url=final, text=f"final URL {final}")])
        plain = [p for p in site.pages
                 if p.get("fetch_status") == "ok" and _scheme(p.get("final_url") or p.get("url")) == "http"]
        if plain:
            return self.finding(
                Outcome.FAILED,
                f"The home page uses HTTPS but {len(plain)} crawled page(s) were served over "
                "plain HTTP",
                evidence=[Evidence(url=p.get("final_url") or p["url"], text="served over HTTP")
                          for p in plain[:MAX_EXAMPLES]])
        ok_pages = sum(1 for p in site.pages if p.get("fetch_status") == "ok")
        return self.finding(Outcome.PASSED,
                            f"The home page and all {ok_pages} crawled pages are served over HTTPS",
                            evidence=[Evidence(url=final, text=f"final URL {final}")])

    def _http_redirects(self, site: SiteArtifact, home: dict) -> Finding:
        probe = site.scheme_probe
        final = home.get("final_url") or home.get("url")
        if _scheme(final) != "https":
            # The start URL itself was plain HTTP and was not redirected.
            https_ok = bool(probe and _scheme(probe.get("url")) == "https"
                            and probe.get("status") and 200 <= probe["status"] < 400)
            text = (f"HTTPS answers at {probe['url']} (HTTP {probe['status']}) but HTTP does not redirect to it"
                    if https_ok else "no redirect from HTTP to HTTPS")
            ev = [Evidence(url=home.get("url"), text=f"HTTP {home.get('status')} without redirect")]
            if probe:
                ev.append(Evidence(url=probe.get("url"),
                                   text=str(probe.get("error") or f"HTTP {probe.get('status')}")))
            return self.finding(Outcome.FAILED, f"Plain HTTP is served: {text}", evidence=ev)
        if not probe:
            return self.finding(Outcome.CANT_TELL, "The plain-HTTP address was not probed",
                                evidence=[Evidence(url=site.start_url, text="no probe recorded")])
        status, location = probe.get("status"), probe.get("location")
        ev = [Evidence(url=probe.get("url"),
                       text=f"HTTP {status}" + (f" Location: {location}" if location else "")
                       if status else str(probe.get("error")))]
        if status and 300 <= status < 400:
            if _scheme(location) == "https":
                return self.finding(Outcome.PASSED, "Plain HTTP redirects to HTTPS", evidence=ev)
            return self.finding(Outcome.FAILED, "Plain HTTP redirects, but not to HTTPS", evidence=ev)
        if status:
            return self.finding(Outcome.FAILED,
                                f"Plain HTTP answers with {status} instead of redirecting to HTTPS",
                                evidence=ev)
        if probe.get("fetch_status") == "connection-refused":
            return self.finding(Outcome.PASSED,
                                "Plain HTTP is not offered at all (connection refused), so nothing "
                                "is served unencrypted", evidence=ev)
        return self.finding(Outcome.CANT_TELL,
                            f"The plain-HTTP probe failed ({probe.get('fetch_status')}); "
                            "cannot tell whether it redirects", evidence=ev)


def _days_left(not_after: str | None, today: date | None) -> int | None:
    if not not_after or today is None:
        return None
    try:
        return (datetime.fromisoformat(not_after).date() - today).days
    except ValueError:
        return None
