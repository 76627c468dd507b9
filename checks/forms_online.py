"""``forms.online`` (page): service forms a citizen can send online, and what each asks.

Every HTML form is read and classified (``checks.forms``): service application,
booking, report a problem, contact or feedback, search, login, newsletter, page
rating, other. A page with at least one service form (application, booking,
report) passes, with each form's action and fields as evidence; contact,
search, login, newsletter and rating forms are listed in the details but are not
online services (a newsletter box is not digital delivery). Pages without a
service form give no finding: the site summary counts them.
"""
from __future__ import annotations

from checks.artifacts import PageArtifact
from checks.base import Check, CheckMeta, Finding, Outcome, Scope
from checks.forms import SERVICE_KINDS, read_forms

MAX_EVIDENCE = 5


class OnlineForms(Check):
    meta = CheckMeta(
        id="forms.online", title="Online service forms on the page",
        principles=("digital-delivery", "digital-interaction"), scope=Scope.PAGE, requires=("page",),
        version="1.0", standard="Tallinn Declaration (digital delivery of public services); "
                                "Regulation (EU) 2018/1724 (SDG) Art. 6",
        description="Classifies every form (service application, booking, report a problem, contact, "
                    "search, login, newsletter, rating) and reports the page's online service forms.")

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        if not page.is_html or page.tree is None:
            return []
        forms = read_forms(page)
        if not forms:
            return []
        services = [f for f in forms if f.kind in SERVICE_KINDS]
        kinds = [f.kind for f in forms]
        details = {"kinds": kinds, "service_forms": len(services),
                   "forms": [{"kind": f.kind, "reason": f.reason, "action": f.action, "method": f.method,
                              "fields": [x.name or x.type for x in f.visible_fields][:20]} for f in forms[:10]]}
        if not services:
            return []
        names = ", ".join(f"{f.kind.replace('_', ' ')} ({f.reason})" for f in services[:3])
        return [self.finding(Outcome.PASSED, f"{len(services)} online service form(s): {names}",
                             url=page.url, evidence=[f.evidence(page.url) for f in services[:MAX_EVIDENCE]],
                             details=details)]
