"""security.https: the portal is served over HTTPS and plain HTTP redirects to it.

Two findings, each verifiable on its own: (1) the home page and the crawled
pages are delivered over HTTPS; (2) a request to the plain-HTTP address is
redirected to HTTPS (or HTTP is not offered at all). Certificate validity, HSTS
and mixed content are separate checks.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from checks.artifacts import SiteArtifact
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope

MAX_EXAMPLES = 5


def _scheme(url: str | None) -> str:
    return urlsplit(url or "").scheme.lower()


class HttpsCheck(Check):
    meta = CheckMeta(
        id="security.https",
        title="Portal is served over HTTPS and HTTP redirects to HTTPS",
        principles=("security",),
        scope=Scope.SITE,
        requires=("site",),
        version="1.0",
        standard="GDPR Art. 32 (security of processing); ENISA and national web guidelines "
                 "(e.g. AgID, ANSSI, BSI TR-03116-4)",
        description="Checks the scheme of the home page and crawled pages, and what a "
                    "plain-HTTP request to the start address returns.",
    )

    def evaluate(self, site: SiteArtifact) -> list[Finding]:
        home = site.home
        if not home or home.get("fetch_status") not in ("ok", "redirect"):
            status = (home or {}).get("fetch_status", "not fetched")
            return [self.finding(Outcome.CANT_TELL,
                                 f"The home page could not be fetched ({status}), so its "
                                 "transport cannot be judged",
                                 evidence=[Evidence(url=site.start_url,
                                                    text=str((home or {}).get("error") or status))])]
        return [self._served_over_https(site, home), self._http_redirects(site, home)]

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
