"""Site checks for citizen engagement and redress, judged from the run's page signals.

- ``participation.platform``: a participation platform on the portal or linked
  from it (Decidim, CONSUL Democracy, Go Vocal, EngagementHQ, …), by host, asset
  path, page-source marker or generator tag.
- ``participation.activity``: consultations, petitions, participatory budgets,
  surveys, council meetings with agendas/minutes or live streams, each with
  the pages found; page-rating widgets ("was this page useful?") never count.
- ``participation.report-problem``: a report-a-problem form or service, or an
  Open311 GeoReport endpoint the portal links to.
- ``redress.complaint``: complaint or appeal information and a way to file one
  (a form, an address on that page, an ombudsman).
- ``support.contact``: a contact page with e-mail, telephone, postal address and
  opening hours, one finding per element.
"""
from __future__ import annotations

from typing import Any

from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope
from checks.signals import ENGAGEMENT, SiteSignals

MAX_EVIDENCE = 6


def ev(example: dict[str, Any]) -> Evidence:
    e = example["evidence"]
    return Evidence(url=e.get("url") or example["url"], selector=e.get("selector"), snippet=e.get("snippet"),
                    text=(f"on {example['url']}: " if e.get("url") and e.get("url") != example["url"] else "")
                    + (e.get("text") or ""))


def searched(signals: SiteSignals, what: str) -> Evidence:
    return Evidence(text=f"{signals.html_pages} HTML pages examined for {what}")


class ParticipationPlatform(Check):
    meta = CheckMeta(
        id="participation.platform", title="A participation platform is offered",
        principles=("engagement",), scope=Scope.SITE, requires=("signals", "rendered"), version="1.0",
        standard="Tallinn Declaration (citizen engagement)",
        description="Decidim, CONSUL Democracy, Go Vocal/CitizenLab, EngagementHQ, Social Pinpoint, "
                    "Maptionnaire, Your Priorities, adhocracy+… on the portal or linked from it, by "
                    "fingerprints (hosts, assets, generator tags, and the session cookies the rendered "
                    "pages set when the portal itself runs on the platform).")

    def evaluate(self, signals: SiteSignals, rendered: list | None = None) -> list[Finding]:
        found = {k: list(signals.found(k)) for k in signals.kinds("platform:")}
        for art in rendered or []:
            for cookie in art.cookies:
                for p in ENGAGEMENT.data.get("platforms", []):
                    if any((cookie.get("name") or "").startswith(c) for c in p.get("cookies", []) if c):
                        found.setdefault(f"platform:{p['name']}", []).append(
                            {"url": art.url, "evidence": Evidence(url=art.url, text=f"cookie {cookie.get('name')} "
                                                                  f"set by {cookie.get('domain')}").to_dict()})
        kinds = sorted(found)
        if not kinds:
            return [self.finding(Outcome.FAILED, "No participation platform found on or linked from the portal",
                                 evidence=[searched(signals, "links, assets and generator tags of 20+ platforms")])]
        names = [k.split(":", 1)[1] for k in kinds]
        evidence = [ev(x) for k in kinds for x in found[k][:2]][:MAX_EVIDENCE]
        return [self.finding(Outcome.PASSED, f"Participation platform: {', '.join(names)}", evidence=evidence,
                             details={"platforms": names,
                                      "pages": {k.split(':', 1)[1]: signals.pages.get(k, 0) for k in kinds}})]


ACTIVITY_LABELS = {"consultation": "consultations", "petition": "petitions",
                   "participatory_budget": "participatory budgeting", "survey": "surveys",
                   "council_meetings": "council meetings", "agenda_minutes": "agendas and minutes",
                   "live_stream": "live streams"}


class ParticipationActivity(Check):
    meta = CheckMeta(
        id="participation.activity", title="Citizens can take part: consultations, petitions, budgets, council",
        principles=("engagement",), scope=Scope.SITE, requires=("signals",), version="1.0",
        standard="Tallinn Declaration (citizen engagement); Aarhus Convention (public participation)",
        description="Pages and links for consultations, petitions, participatory budgeting, surveys, council "
                    "meetings with agendas, minutes or live streams, in many languages; page-rating widgets "
                    "do not count.")

    def evaluate(self, signals: SiteSignals) -> list[Finding]:
        found: dict[str, list[dict[str, Any]]] = {}
        for activity in ACTIVITY_LABELS:
            pages = signals.found(f"page:{activity}")
            links = signals.found(f"activity:{activity}")
            if pages or links:
                found[activity] = pages + links
        ratings = signals.pages.get("form:rating", 0)
        details = {"activities": {a: len(v) for a, v in found.items()}, "rating_widget_pages": ratings,
                   "pages": {a: sorted({x["url"] for x in signals.found(f'page:{a}')})[:10] for a in found}}
        if not found:
            note = f" ({ratings} page(s) have a page-rating widget, which is not participation)" if ratings else ""
            return [self.finding(Outcome.FAILED, "No consultation, petition, participatory budget, survey or "
                                 "council information found" + note,
                                 evidence=[searched(signals, "participation wording in 6+ languages")],
                                 details=details)]
        evidence = [ev(x) for a in found for x in found[a][:1]]
        names = ", ".join(ACTIVITY_LABELS[a] for a in found)
        return [self.finding(Outcome.PASSED, f"Participation found: {names}", evidence=evidence[:MAX_EVIDENCE + 2],
                             details=details)]


class ReportProblem(Check):
    meta = CheckMeta(
        id="participation.report-problem", title="Residents can report a problem in public space",
        principles=("engagement", "digital-interaction"), scope=Scope.SITE, requires=("signals",),
        version="1.0", standard="Tallinn Declaration (citizen engagement); Open311 GeoReport v2",
        description="A report-a-problem form or service, or an Open311 GeoReport endpoint linked from the "
                    "portal.")

    def evaluate(self, signals: SiteSignals) -> list[Finding]:
        forms = signals.found("form:report_problem")
        pages = signals.found("page:report_problem")
        links = signals.found("report_problem")
        o311 = signals.found("open311")
        probe = signals.open311
        answers = bool(probe and probe.get("georeport"))
        details = {"forms": len(forms), "pages": len(pages), "links": len(links), "open311": bool(o311),
                   "open311_endpoint": probe}
        probe_ev = ([Evidence(url=probe["url"], text=f"HTTP {probe.get('status')}"
                              + (", a GeoReport v2 document" if answers else ", not a GeoReport v2 document"))]
                    if probe else [])
        if forms or answers:
            what = " and ".join(w for w, x in (("a report form", forms), ("an Open311 GeoReport endpoint", answers)) if x)
            return [self.finding(Outcome.PASSED, f"Problems can be reported: {what}",
                                 evidence=[ev(x) for x in (forms[:2] + o311[:1] + pages[:1])] + probe_ev,
                                 details=details)]
        if o311 and not (pages or links):
            why = (f"the endpoint {probe['url']} does not answer as GeoReport v2 (HTTP {probe.get('status')})"
                   if probe else "the endpoint is on another host and was not fetched")
            return [self.finding(Outcome.CANT_TELL, f"An Open311 endpoint is linked, but {why}",
                                 evidence=[ev(x) for x in o311[:1]] + probe_ev, details=details)]
        if pages or links:
            return [self.finding(Outcome.PASSED, "A report-a-problem service is linked (its form was not seen)",
                                 evidence=[ev(x) for x in (pages[:2] + links[:2])], details=details)]
        return [self.finding(Outcome.FAILED, "No way to report a problem in public space found",
                             evidence=[searched(signals, "report-a-problem forms, links and Open311")],
                             details=details)]


class Complaint(Check):
    meta = CheckMeta(
        id="redress.complaint", title="Complaints and appeals: information and a way to file one",
        principles=("redress",), scope=Scope.SITE, requires=("signals",), version="1.0",
        standard="Tallinn Declaration (redress and complaint mechanisms); European Code of Good "
                 "Administrative Behaviour",
        description="Complaint, appeal or ombudsman information, and a way to file a complaint (a form, "
                    "an address on the complaints page, an ombudsman link).")

    def evaluate(self, signals: SiteSignals) -> list[Finding]:
        info = signals.found("page:complaint") + signals.found("complaint") + signals.found("appeal")
        ombudsman = signals.found("ombudsman")
        forms = [x for x in signals.found("form:contact_feedback") if x.get("complaint")]
        complaint_pages = {x["url"] for x in signals.found("page:complaint")}
        contact_on_page = [x for x in signals.found("contact_page") if x["url"] in complaint_pages]
        ways = forms + ombudsman + contact_on_page
        details = {"information": len(info), "forms": len(forms), "ombudsman": bool(ombudsman)}
        if info and ways:
            how = ", ".join(w for w, x in (("a complaint form", forms), ("an ombudsman", ombudsman),
                                           ("contact details on the complaints page", contact_on_page)) if x)
            return [self.finding(Outcome.PASSED, f"Complaint information and a way to file one: {how}",
                                 evidence=[ev(x) for x in info[:2] + ways[:3]], details=details)]
        if info or ombudsman:
            return [self.finding(Outcome.CANT_TELL, "Complaint or appeal information found, but no form or "
                                 "way to file a complaint was seen; verify the page",
                                 evidence=[ev(x) for x in (info + ombudsman)[:4]], details=details)]
        return [self.finding(Outcome.FAILED, "No complaint, appeal or ombudsman information found",
                             evidence=[searched(signals, "complaint, appeal and ombudsman wording")],
                             details=details)]


CONTACT_ELEMENTS = (("email", "E-mail address"), ("telephone", "Telephone number"),
                    ("postal_address", "Postal address"), ("opening_hours", "Opening hours"))


class Contact(Check):
    meta = CheckMeta(
        id="support.contact", title="Contact page with e-mail, telephone, address and opening hours",
        principles=("digital-interaction", "redress"), scope=Scope.SITE, requires=("signals",), version="1.0",
        standard="Tallinn Declaration (user-centricity: assistance and support)",
        description="A page naming itself a contact page, and on it an e-mail address, a telephone "
                    "number, a postal address and opening hours (one finding each).")

    def evaluate(self, signals: SiteSignals) -> list[Finding]:
        pages = signals.found("contact_page")
        if not pages:
            links = signals.found("contact_link")
            return [self.finding(Outcome.FAILED, "Located: No contact page found",
                                 evidence=[searched(signals, "a page titled as a contact page")]
                                 + [ev(x) for x in links[:2]])]
        # the contact page with the most details
        best = max(pages, key=lambda x: sum(1 for k, _ in CONTACT_ELEMENTS if x.get(k)))
        out = [self.finding(Outcome.PASSED, f"Located: contact page {best['url']}", evidence=[ev(best)],
                            details={"pages": len(pages)})]
        for key, label in CONTACT_ELEMENTS:
            value = best.get(key)
            if value:
                out.append(self.finding(Outcome.PASSED, f"{label}: {str(value)[:80]}",
                                        evidence=[Evidence(url=best["url"], text=str(value))],
                                        details={"element": key}))
            else:
                out.append(self.finding(Outcome.FAILED, f"{label}: not found on the contact page",
                                        evidence=[Evidence(url=best["url"], text=f"searched the page for {label.lower()}")],
                                        details={"element": key}))
        return out
