"""``forms.once-only`` (page): does a form ask again for what the administration already holds?

The once-only principle (Tallinn Declaration; SDG Regulation Art. 14) says a
citizen should not have to supply data or documents a public body already has.
Signals, per field, on service and contact forms:

- identity data typed in by hand outside any eID login: the national
  identification or tax number (codice fiscale, Steuer-ID, BSN, DNI, PESEL…),
  which an eID login would carry (``failed``); birth date and postal address,
  often held but sometimes legitimately asked (``cantTell``);
- a file upload asking for a certificate the public sector itself issues
  (certificate of residence, birth certificate, population-register extract)
  (``failed``);
- the positive signal: a form the page says is filled in from the eID login
  (``passed``); a CAPTCHA on such a form is still flagged (the person is known).

Pages with no such field give no finding.
"""
from __future__ import annotations

import re
from typing import Any

from checks.artifacts import PageArtifact, element_snippet, normalise_space
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope
from checks.forms import FORMS, Field, Form, read_forms
from checks.phrases import first_phrase

JUDGED_KINDS = frozenset({"service_application", "booking", "report_problem", "contact_feedback", "other"})
STRONG = ("national_id",)
_CAPTCHA = re.compile(r"captcha|recaptcha|hcaptcha|friendlycaptcha|turnstile", re.I)
MAX_EVIDENCE = 8


def _matches(path: tuple[str, ...], text: str) -> str | None:
    return first_phrase(FORMS, path, text)


def identity_kind(f: Field) -> str | None:
    """national_id, birth_date or address, when the field asks for it."""
    spec = FORMS.data.get("once_only", {}).get("identity_fields", {})
    for kind, data in spec.items():
        if kind.startswith("_"):
            continue
        if f.named(data.get("names", [])):
            return kind
        if f.label and len(f.label) <= 80 and _matches(("once_only", "identity_fields", kind, "labels"), f.label):
            return kind
    return None


def _near_text(el: Any) -> str:
    """The field's label and the text of its enclosing block (a file input's instructions)."""
    node = el.getparent()
    for _ in range(3):
        if node is None or len(normalise_space(node.text_content())) > 40:
            break
        node = node.getparent()
    return normalise_space(node.text_content())[:400] if node is not None else ""


class OnceOnly(Check):
    meta = CheckMeta(
        id="forms.once-only", title="Forms do not ask again for data the administration holds",
        principles=("once-only",), scope=Scope.PAGE, requires=("page",), version="1.0",
        standard="Tallinn Declaration (once-only principle); Regulation (EU) 2018/1724 (SDG) Art. 14",
        description="Identity numbers, birth date and address typed in outside an eID login; uploads "
                    "of certificates the public sector issues; forms pre-filled after an eID login.")

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        if not page.is_html or page.tree is None:
            return []
        forms = [f for f in read_forms(page) if f.kind in JUDGED_KINDS and f.visible_fields]
        if not forms:
            return []
        body = page.main_text
        prefilled = _matches(("once_only", "prefilled"), body)
        asked: list[tuple[Form, Field, str, str]] = []   # form, field, kind, why
        shown: list[Field] = []                          # identity data shown read-only: pre-filled
        for form in forms:
            for f in form.visible_fields:
                if f.type in ("radio", "checkbox"):
                    continue  # a choice among given options: not asked
                if f.fixed:
                    if identity_kind(f):
                        shown.append(f)
                    continue
                if f.type == "file":
                    cert = _matches(("once_only", "public_certificates"), f"{f.label} {_near_text(f.element)}")
                    if cert:
                        asked.append((form, f, "certificate_upload", f'upload of "{cert}"'))
                    continue
                kind = identity_kind(f)
                if kind:
                    asked.append((form, f, kind, f"asks for {kind.replace('_', ' ')}"))
        captcha = [form for form in forms if _CAPTCHA.search(
            " ".join([(form.element.get("class") or "")] + [x.name for x in form.fields]
                     + [c.get("class") or "" for c in form.element.iter("div")]))]
        if not asked and not shown and not (prefilled and captcha):
            return []
        kinds = sorted({k for *_, k, _ in asked})
        evidence = [Evidence(url=page.url, selector=f.element.getroottree().getpath(f.element),
                             snippet=element_snippet(f.element), text=f"{f.described}: {why}")
                    for _, f, _, why in asked[:MAX_EVIDENCE]]
        details = {"asked": kinds, "prefilled_wording": prefilled, "captcha": bool(captcha),
                   "shown_read_only": [f.name for f in shown], "forms": [f.kind for f in forms]}
        strong = [k for k in kinds if k in STRONG or k == "certificate_upload"]
        if (prefilled or shown) and not strong:
            if prefilled:
                evidence.insert(0, Evidence(url=page.url, text=f'the page says the form is pre-filled: "{prefilled}"'))
            evidence[1:1] = [Evidence(url=page.url, selector=f.element.getroottree().getpath(f.element),
                                      snippet=element_snippet(f.element), text=f"{f.described}: shown read-only, "
                                      "filled in by the administration") for f in shown[:3]]
            if captcha:
                evidence.append(captcha[0].evidence(page.url, "a CAPTCHA on a form for a logged-in person"))
                return [self.finding(Outcome.CANT_TELL, "Form pre-filled after login, but it still has a "
                                     "CAPTCHA for a person already identified", url=page.url,
                                     evidence=evidence, details=details)]
            return [self.finding(Outcome.PASSED, "Form pre-filled from the eID login: identity data is not "
                                 "typed in again", url=page.url, evidence=evidence, details=details)]
        if strong:
            return [self.finding(Outcome.FAILED, "Asks again for what the administration holds: "
                                 + ", ".join(k.replace("_", " ") for k in kinds), url=page.url,
                                 evidence=evidence, details=details)]
        return [self.finding(Outcome.CANT_TELL, "Asks for " + ", ".join(k.replace("_", " ") for k in kinds)
                             + " outside any login; the administration may already hold them", url=page.url,
                             evidence=evidence, details=details)]
