"""Site checks for service delivery and openness, judged from page signals and page findings.

- ``forms.online-summary`` / ``forms.pdf-summary``: the portal's online service
  forms and its downloadable forms (fillable or paper-only) in one view each; a
  portal whose forms are all paper is ``failed`` on digital delivery.
- ``services.catalogue``: a service catalogue (services A-Z, life events) and,
  for the pages it links, how each service is delivered: online, a form to
  download, or only at the office.
- ``services.status-tracking``: a way to follow an application (personal area,
  "my applications").
- ``multilingual.versions``: other language versions (hreflang, a language
  switcher), and whether English or another widely spoken EU language is offered.
- ``sdg.your-europe``: a link to Your Europe, its logo or the Single Digital
  Gateway meta tags.
- ``opendata.portal``: an open data portal or a CKAN/DCAT endpoint linked.
- ``usability.search``: a site search whose results page lists results.
"""
from __future__ import annotations

from checks.artifacts import PageFindings
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope
from checks.engagement_checks import ev, searched
from checks.signals import SiteSignals
from crawler.urls import canonical

MAX_EVIDENCE = 6
WIDE_LANGUAGES = ("en", "de", "fr", "es", "it")


def _finding_ev(f: dict) -> Evidence:
    e = (f.get("evidence") or [{}])[0]
    return Evidence(url=e.get("url") or f.get("url"), selector=e.get("selector"), snippet=e.get("snippet"),
                    text=f"{f.get('url')}: {f.get('message')}")


class OnlineFormsSummary(Check):
    meta = CheckMeta(
        id="forms.online-summary", title="Online service forms across the portal",
        principles=("digital-delivery",), scope=Scope.SITE, requires=("page_findings", "signals"), version="1.0",
        standard="Tallinn Declaration (digital delivery of public services)",
        description="How many pages offer online service forms (forms.online), and where.")

    def evaluate(self, page_findings: PageFindings, signals: SiteSignals) -> list[Finding]:
        pages = page_findings.pages_with("forms.online", "passed")
        found = page_findings.found("forms.online", "passed")
        kinds = dict(sorted(signals.form_kinds.items()))  # every form on every page, by kind
        listed = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in kinds.items()) or "none"
        if not pages:
            return [self.finding(Outcome.FAILED, f"No online service form on the {page_findings.html_pages} HTML "
                                 f"pages crawled (forms seen, per page: {listed})",
                                 evidence=[Evidence(text=f"{page_findings.html_pages} pages examined")],
                                 details={"pages": 0, "form_kinds": kinds})]
        return [self.finding(Outcome.PASSED, f"{pages} page(s) offer online service forms (forms seen, per "
                             f"page: {listed})", evidence=[_finding_ev(f) for f in found[:MAX_EVIDENCE]],
                             details={"pages": pages, "form_kinds": kinds})]


class PdfFormsSummary(Check):
    meta = CheckMeta(
        id="forms.pdf-summary", title="Downloadable forms across the portal: fillable or paper-only",
        principles=("digital-delivery", "once-only"), scope=Scope.SITE, requires=("page_findings",), version="1.0",
        standard="Tallinn Declaration (digital by default)",
        description="Paper-only and fillable PDF forms, and pages offering downloadable forms without an "
                    "online alternative (forms.pdf); failed when forms exist only on paper.")

    def evaluate(self, page_findings: PageFindings) -> list[Finding]:
        failed = page_findings.found("forms.pdf", "failed")
        passed = page_findings.found("forms.pdf", "passed")
        paper_docs = [f for f in failed if (f.get("details") or {}).get("document")]
        paper_pages = [f for f in failed if not (f.get("details") or {}).get("document")]
        fillable = [f for f in passed if (f.get("details") or {}).get("document")]
        online = page_findings.pages_with("forms.online", "passed")
        details = {"paper_only_documents": len(paper_docs), "fillable_documents": len(fillable),
                   "pages_without_online_alternative": page_findings.pages_with("forms.pdf", "failed") - len(paper_docs),
                   "pages_with_online_forms": online}
        if not failed and not passed:
            return [self.finding(Outcome.INAPPLICABLE, "No downloadable form found", details=details)]
        summary = (f"{len(paper_docs)} paper-only PDF form(s), {len(fillable)} fillable; {len(paper_pages)} page(s) "
                   f"offer downloadable forms without an online alternative; {online} page(s) have online forms")
        evidence = [_finding_ev(f) for f in (paper_pages[:3] + paper_docs[:3] + fillable[:1])]
        if online == 0 and (paper_docs or paper_pages):
            return [self.finding(Outcome.FAILED, "Services only on paper: " + summary, evidence=evidence,
                                 details=details)]
        if paper_docs or paper_pages:
            return [self.finding(Outcome.FAILED, summary, evidence=evidence, details=details)]
        return [self.finding(Outcome.PASSED, summary, evidence=evidence, details=details)]


class ServiceCatalogue(Check):
    meta = CheckMeta(
        id="services.catalogue", title="Service catalogue, and how its services are delivered",
        principles=("digital-delivery",), scope=Scope.SITE, requires=("signals",), version="1.0",
        standard="Tallinn Declaration (digital delivery); Regulation (EU) 2018/1724 (SDG) Art. 2, 6",
        description="A service catalogue or life-event pages; for the service pages it links, how many "
                    "lead to an online form, a downloadable form, or only an office visit.")

    def evaluate(self, signals: SiteSignals) -> list[Finding]:
        catalogues = signals.found("page:catalogue")
        if not catalogues:
            links = signals.found("catalogue")
            return [self.finding(Outcome.FAILED, "No service catalogue or life-event page found",
                                 evidence=[searched(signals, "a services A-Z or life-events page")]
                                 + [ev(x) for x in links[:2]])]
        delivery = {canonical(u): m for u, m in signals.delivery.items()}
        services: dict[str, list[str]] = {}
        for cat, links in signals.catalogue_links.items():
            for url in links:
                modes = delivery.get(canonical(url))
                if modes and canonical(url) != canonical(cat):
                    services[url] = modes
        count = {m: sum(1 for v in services.values() if m in v) for m in ("online", "pdf", "office")}
        only_paper = [u for u, v in services.items() if "online" not in v and "pdf" in v]
        only_office = [u for u, v in services.items() if v == ["office"]]
        details = {"catalogue_pages": [x["url"] for x in catalogues][:5], "service_pages": len(services),
                   "online": count["online"], "pdf": count["pdf"], "office": count["office"],
                   "paper_only": only_paper[:20], "office_only": only_office[:20]}
        head = (f"Catalogue at {catalogues[0]['url']}; {len(services)} linked service page(s) with a delivery "
                f"route: {count['online']} online, {count['pdf']} downloadable form, {count['office']} at the office")
        evidence = [ev(catalogues[0])] + [Evidence(url=u, text="downloadable form only (no online form)")
                                          for u in only_paper[:3]]
        if services and count["online"] == 0:
            return [self.finding(Outcome.FAILED, head + ": no service can be done online", evidence=evidence,
                                 details=details)]
        if not services:
            return [self.finding(Outcome.CANT_TELL, f"Catalogue at {catalogues[0]['url']}, but none of the pages it "
                                 "links shows how the service is delivered", evidence=evidence, details=details)]
        return [self.finding(Outcome.PASSED, head, evidence=evidence, details=details)]


class StatusTracking(Check):
    meta = CheckMeta(
        id="services.status-tracking", title="Applications can be followed online",
        principles=("digital-delivery", "digital-interaction"), scope=Scope.SITE, requires=("signals",),
        version="1.0", standard="Tallinn Declaration (transparency of processes: status of a procedure)",
        description="A personal area or 'my applications' page, or a service to follow an application's status.")

    def evaluate(self, signals: SiteSignals) -> list[Finding]:
        found = signals.found("page:status_tracking") + signals.found("status_tracking")
        if found:
            return [self.finding(Outcome.PASSED, "A way to follow applications is offered",
                                 evidence=[ev(x) for x in found[:3]])]
        return [self.finding(Outcome.FAILED, "No personal area or application-status service found",
                             evidence=[searched(signals, "'my applications' / status wording")])]


class LanguageVersions(Check):
    meta = CheckMeta(
        id="multilingual.versions", title="Other language versions, including a widely spoken EU language",
        principles=("openness",), scope=Scope.SITE, requires=("signals",), version="1.0",
        standard="Tallinn Declaration (cross-border mobility); Regulation (EU) 2018/1724 Art. 9-12",
        description="hreflang alternates and language switchers; passed when English or another widely "
                    "spoken EU language is offered besides the portal's own.")

    def evaluate(self, signals: SiteSignals) -> list[Finding]:
        examples = signals.found("hreflang") + signals.found("language_switcher")
        languages = sorted({lang.split("-")[0] for x in examples for lang in x.get("languages", []) if lang
                            and lang != "x-default"})
        details = {"languages": languages}
        if len(languages) < 2:
            return [self.finding(Outcome.FAILED, "No other language version found" +
                                 (f" (only {languages[0]})" if languages else ""),
                                 evidence=[searched(signals, "hreflang alternates and language switchers")]
                                 + [ev(x) for x in examples[:1]], details=details)]
        wide = [lang for lang in languages if lang in WIDE_LANGUAGES]
        evidence = [ev(x) for x in examples[:3]]
        if len(wide) >= 1 and len(languages) >= 2:
            return [self.finding(Outcome.PASSED, f"Language versions: {', '.join(languages)}", evidence=evidence,
                                 details=details)]
        return [self.finding(Outcome.CANT_TELL, f"Language versions: {', '.join(languages)}, none of them a "
                             "widely spoken EU language", evidence=evidence, details=details)]


class YourEurope(Check):
    meta = CheckMeta(
        id="sdg.your-europe", title="Linked to Your Europe (Single Digital Gateway)",
        principles=("openness",), scope=Scope.SITE, requires=("signals",), version="1.0",
        standard="Regulation (EU) 2018/1724 (Single Digital Gateway) Art. 22",
        description="A link to Your Europe, its logo, or the SDG meta tags (sdg-tag, DC.ISO3166, DC.Service, "
                    "policy-code).")

    def evaluate(self, signals: SiteSignals) -> list[Finding]:
        links, meta = signals.found("your_europe"), signals.found("sdg_meta")
        if links or meta:
            parts = [p for p, x in (("a Your Europe link or logo", links), ("SDG meta tags", meta)) if x]
            return [self.finding(Outcome.PASSED, "Single Digital Gateway: " + " and ".join(parts),
                                 evidence=[ev(x) for x in links[:2] + meta[:2]],
                                 details={"link_pages": signals.pages.get("your_europe", 0),
                                          "meta_pages": signals.pages.get("sdg_meta", 0)})]
        return [self.finding(Outcome.FAILED, "No Your Europe link, logo or SDG meta tag found",
                             evidence=[searched(signals, "links to europa.eu/youreurope and SDG meta tags")])]


class OpenData(Check):
    meta = CheckMeta(
        id="opendata.portal", title="An open data portal is linked",
        principles=("openness",), scope=Scope.SITE, requires=("signals",), version="1.0",
        standard="Directive (EU) 2019/1024 (open data and re-use of public sector information)",
        description="A link to an open data portal (national, regional or the city's own), a CKAN/DCAT "
                    "endpoint, or an open-data generator tag.")

    def evaluate(self, signals: SiteSignals) -> list[Finding]:
        found = signals.found("opendata")
        if found:
            return [self.finding(Outcome.PASSED, "Open data portal linked", evidence=[ev(x) for x in found[:3]])]
        return [self.finding(Outcome.FAILED, "No open data portal or catalogue endpoint linked",
                             evidence=[searched(signals, "open data links and catalogue endpoints")])]


class SiteSearch(Check):
    meta = CheckMeta(
        id="usability.search", title="A site search that returns results",
        principles=("digital-interaction", "accessibility"), scope=Scope.SITE, requires=("signals",),
        version="1.0", standard="WCAG 2.4.5 Multiple Ways (AA); Tallinn Declaration (usability)",
        description="A search form, and its results page (fetched once with a harmless query from the "
                    "portal's own title) listing results in its main content.")

    def evaluate(self, signals: SiteSignals) -> list[Finding]:
        forms = signals.found("form:search")
        if not forms:
            return [self.finding(Outcome.FAILED, "No site search form found",
                                 evidence=[searched(signals, "search forms")])]
        results = signals.found("search_results")
        form_ev = ev(forms[0])
        if not results:
            return [self.finding(Outcome.CANT_TELL, "A search form exists, but its results page was not fetched "
                                 "(a POST form, robots.txt, or the budget)", evidence=[form_ev])]
        r = results[0]
        ok = r.get("status") and 200 <= r["status"] < 300 and r.get("results", 0) >= 1
        details = {"search_url": signals.search_url, "results": r.get("results"), "status": r.get("status")}
        res_ev = Evidence(url=r["url"], text=f"HTTP {r.get('status')}, {r.get('results')} link(s) in the main "
                                             f"content: {', '.join(r.get('first', [])[:3])}")
        if ok:
            return [self.finding(Outcome.PASSED, f"Site search returns results ({r.get('results')} links)",
                                 evidence=[form_ev, res_ev], details=details)]
        return [self.finding(Outcome.FAILED, "The site search returned no results or an error",
                             evidence=[form_ev, res_ev], details=details)]
