"""``eid.available``: which eID schemes the portal offers, as a whole.

``eid.login`` judges one page at a time; an assessor wants the portal's answer:
"people can log in with SPID and CIE; a cross-border eIDAS login is (not) on
offer; these pages only take a password". This check sums up the page
findings and adds the crawler's strongest evidence: a login route that answered
with a redirect to a scheme's identity provider (the crawler never follows it
and never sends credentials). A redirect outranks a button or link, which
outranks a local route named after the scheme.
"""
from __future__ import annotations

from typing import Any

from checks.artifacts import PageFindings, SiteArtifact
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope
from checks.eid_login import scheme_facts, schemes_at

PAGE_CHECK = "eid.login"
_RANK = {"redirect": 0, "idp-link": 1, "markup": 2, "local-route": 3}
MAX_EVIDENCE = 5


class EidAvailable(Check):
    meta = CheckMeta(
        id="eid.available", title="The portal offers login with a national eID",
        principles=("eid",), scope=Scope.SITE, requires=("site", "page_findings"), version="1.0",
        standard="Regulation (EU) No 910/2014 (eIDAS) Art. 6; Tallinn Declaration (eID as key enabler)",
        description="Sums up eid.login over the crawl, adds redirects from login routes to "
                    "identity providers, names each scheme offered and whether a cross-border "
                    "eIDAS login is offered; a password-only login is reported as such.")

    def evaluate(self, site: SiteArtifact, page_findings: PageFindings) -> list[Finding]:
        offered: dict[str, dict[str, Any]] = {}

        def offer(facts: dict[str, Any], how: str, ev: Evidence, page: str | None) -> None:
            entry = offered.setdefault(facts["scheme"], dict(facts, how=how, evidence=[], pages=set()))
            if _RANK[how] < _RANK[entry["how"]]:
                entry["how"] = how
                entry["evidence"].insert(0, ev)
            elif len(entry["evidence"]) < MAX_EVIDENCE:
                entry["evidence"].append(ev)
            if page:
                entry["pages"].add(page)

        for r in site.redirects:
            for facts in schemes_at(r["location"]):
                offer(facts, "redirect",
                      Evidence(url=r["url"], text=f"redirects to {r['location']} (not followed)"),
                      r["url"])
        eidas_pages: list[str] = []
        for f in page_findings.found(PAGE_CHECK, "passed"):
            d = f.get("details") or {}
            facts = scheme_facts(d.get("scheme", ""))
            if facts is None:
                continue
            ev = (f.get("evidence") or [{}])[0]
            offer(facts, d.get("how", "local-route"),
                  Evidence(url=f.get("url"), selector=ev.get("selector"), snippet=ev.get("snippet"),
                           text=f"{ev.get('text') or ''} → {d.get('target') or ''}".strip(" →")),
                  f.get("url"))
            if d.get("eidas"):
                eidas_pages.append(f["url"])
        for f in page_findings.found(PAGE_CHECK, "cantTell"):
            if (f.get("details") or {}).get("eidas"):
                eidas_pages.append(f["url"])
        password_only = page_findings.found(PAGE_CHECK, "failed")
        n_password = page_findings.pages_with(PAGE_CHECK, "failed")
        mentions = page_findings.found(PAGE_CHECK, "cantTell")

        eidas = sorted(set(eidas_pages))
        details = {
            "schemes": [{k: v for k, v in e.items() if k not in ("evidence", "pages")}
                        | {"pages": len(e["pages"])} for e in offered.values()],
            "eidas": bool(eidas), "password_only_pages": n_password,
            "login_redirects": len(site.redirects),
        }
        if offered:
            names = ", ".join(f"{e['name']} ({e['country']})" for e in
                              sorted(offered.values(), key=lambda e: (_RANK[e["how"]], e["name"])))
            cross = ("a cross-border eIDAS login is offered" if eidas
                     else "no cross-border eIDAS login seen on the login pages")
            extra = f"; {n_password} page(s) take a password only" if n_password else ""
            summary = self.finding(
                Outcome.PASSED, f"eID login offered: {names}; {cross}{extra}",
                evidence=([Evidence(url=u, text="eIDAS cross-border login offered") for u in eidas[:2]]
                          + [_page_ev(f) for f in password_only[:2]]),
                details=details)
            per_scheme = [
                self.finding(Outcome.PASSED,
                             f"{e['name']} ({e['country']}{', notified under eIDAS' if e['notified'] else ''}) "
                             f"offered, shown by {e['how']} on {len(e['pages'])} page(s)",
                             evidence=e["evidence"][:MAX_EVIDENCE],
                             details={k: v for k, v in e.items() if k not in ("evidence", "pages")})
                for e in offered.values()]
            return [summary, *per_scheme]
        if n_password:
            return [self.finding(
                Outcome.FAILED,
                f"Password-only login: {n_password} page(s) have a login form and none offers a "
                "recognised eID scheme",
                evidence=[_page_ev(f) for f in password_only[:MAX_EVIDENCE]], details=details)]
        if mentions:
            return [self.finding(
                Outcome.CANT_TELL,
                "eID or eIDAS login wording found, but no link, button or redirect to a recognised "
                "scheme's identity provider",
                evidence=[_page_ev(f) for f in mentions[:MAX_EVIDENCE]], details=details)]
        return [self.finding(
            Outcome.INAPPLICABLE,
            f"No login found on the {page_findings.html_pages} HTML pages crawled",
            evidence=[Evidence(url=site.start_url, text=f"{page_findings.html_pages} pages examined")],
            details=details)]


def _page_ev(f: dict[str, Any]) -> Evidence:
    ev = (f.get("evidence") or [{}])[0]
    return Evidence(url=f.get("url"), selector=ev.get("selector"), snippet=ev.get("snippet"),
                    text=f.get("message"))
