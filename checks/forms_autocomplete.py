"""``forms.autocomplete`` (page): personal-data fields say what they are for (WCAG 1.3.5).

A field asking for the citizen's name, e-mail, telephone, address, postcode,
city or birth date must carry an ``autocomplete`` token naming that purpose, so
browsers and assistive technology can fill it in (WCAG 2.1 SC 1.3.5 Identify
Input Purpose; ACT rule 73f2c2 checks that a token is valid). A field's purpose
is read from its type, its name and its label, in many languages
(``autocomplete_fields.json``). One finding per page with such fields:
``failed`` lists each field with a missing, invalid or mismatched token.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from checks.artifacts import PageArtifact, element_snippet
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope
from checks.forms import Field, read_forms
from checks.phrases import compile_phrase

SKIP_KINDS = frozenset({"search", "rating"})
PLACE_PURPOSES = frozenset({"street-address", "postal-code", "address-level2"})
MAX_EVIDENCE = 8


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data = json.loads(resources.files("checks").joinpath("autocomplete_fields.json").read_text("utf-8"))
    for spec in [*data["purposes"].values(), data["not_personal"]]:
        spec["_labels"] = [compile_phrase(p) for lang, ps in spec["labels"].items() if not lang.startswith("_")
                           for p in ps]
    return data


def purpose_of(f: Field) -> str | None:
    """The autofill purpose a field asks for, or None (not personal data we know)."""
    if f.type in ("hidden", "submit", "button", "reset", "image", "checkbox", "radio", "file", "password",
                  "search", "range", "color", "number"):
        return None
    purposes = _data()["purposes"]
    other = _data()["not_personal"]
    if f.name_parts & set(other["names"]) or (f.label and any(p.search(f.label) for p in other["_labels"])):
        return None  # about a place or another person, not the user
    for purpose, spec in purposes.items():
        if f.type in spec["types"]:
            return purpose
    for purpose, spec in purposes.items():  # the order of the file: specific before general
        if f.named(spec["names"]):
            return purpose
    label = f.label
    if label and len(label) <= 60:
        for purpose, spec in purposes.items():
            if any(p.search(label) for p in spec["_labels"]):
                return purpose
    return None


def token_problem(f: Field, purpose: str) -> str | None:
    """Why the field's autocomplete does not identify ``purpose``, or None when it does."""
    value = (f.autocomplete or "").strip().lower()
    if not value:
        return "no autocomplete attribute"
    if value in ("on", "off"):
        return f'autocomplete="{value}" names no purpose'
    data = _data()
    tokens = [t for t in value.split() if not t.startswith("section-") and t not in data["modifiers"]]
    field_token = tokens[-1] if tokens else ""
    if field_token not in data["valid_tokens"]:
        return f'autocomplete="{value}" is not a valid token'
    if field_token not in data["purposes"][purpose]["tokens"]:
        return f'autocomplete="{value}" does not match the field ({purpose} expected)'
    return None


class InputPurpose(Check):
    meta = CheckMeta(
        id="forms.autocomplete", title="Personal-data fields identify their purpose (autocomplete)",
        principles=("accessibility", "once-only"), scope=Scope.PAGE, requires=("page",), version="1.0",
        standard="WCAG 2.1 SC 1.3.5 Identify Input Purpose (AA); EN 301 549 9.1.3.5; ACT rule 73f2c2",
        description="Name, e-mail, telephone, address, postcode, city and birth-date fields carry the "
                    "matching autocomplete token.")

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        if not page.is_html or page.tree is None:
            return []
        checked: list[tuple[Any, Field, str, str | None]] = []
        for form in read_forms(page):
            if form.kind in SKIP_KINDS:
                continue
            for f in form.visible_fields:
                if f.fixed:
                    continue
                purpose = purpose_of(f)
                if purpose in PLACE_PURPOSES and form.kind == "report_problem":
                    continue  # in a problem report, an address is where the problem is
                if purpose:
                    checked.append((form, f, purpose, token_problem(f, purpose)))
        if not checked:
            return []
        bad = [(f, p, why) for _, f, p, why in checked if why]
        details = {"fields": len(checked), "failing": len(bad),
                   "purposes": sorted({p for _, _, p, _ in checked})}
        if bad:
            evidence = [Evidence(url=page.url, selector=f.element.getroottree().getpath(f.element),
                                 snippet=_outer(f), text=f"{f.described}: {why}")
                        for f, _, why in bad[:MAX_EVIDENCE]]
            return [self.finding(Outcome.FAILED, f"{len(bad)} of {len(checked)} personal-data fields do not "
                                 "identify their purpose", url=page.url, evidence=evidence, details=details)]
        f0 = checked[0][1]
        return [self.finding(Outcome.PASSED, f"All {len(checked)} personal-data fields carry a matching "
                             "autocomplete token", url=page.url,
                             evidence=[Evidence(url=page.url, selector=f0.element.getroottree().getpath(f0.element),
                                                snippet=_outer(f0), text=f"{f0.described}: {f0.autocomplete}")],
                             details=details)]


def _outer(f: Field) -> str:
    return element_snippet(f.element)
