"""EARL JSON-LD for the accessibility findings of a run.

EARL (W3C Evaluation and Report Language) is the vocabulary of ACT rules
implementation reports, so other accessibility tools and the ACT task force's
tooling can read citylabel's results. The context is inline: a report must be
readable offline, and JSON-LD processors need no network to expand it.
"""
from __future__ import annotations

from typing import Any

CONTEXT = {
    "@vocab": "http://www.w3.org/ns/earl#",
    "earl": "http://www.w3.org/ns/earl#",
    "dct": "http://purl.org/dc/terms/",
    "ptr": "http://www.w3.org/2009/pointers#",
    "sch": "https://schema.org/",
    "WCAG21": "https://www.w3.org/TR/WCAG21/#",
    "source": {"@id": "dct:source", "@type": "@id"},
    "title": "dct:title",
    "description": "dct:description",
    "date": "dct:date",
    "assertedBy": {"@type": "@id"},
    "outcome": {"@type": "@id"},
    "mode": {"@type": "@id"},
    "pointer": {"@type": "@id"},
    "test": {"@type": "@id"},
    "subject": {"@type": "@id"},
}
# An "error" is a crashed check: EARL has no such outcome, and it proves
# nothing about the page, so it is reported as cantTell with the error text.
OUTCOMES = {"passed": "earl:passed", "failed": "earl:failed", "cantTell": "earl:cantTell",
            "inapplicable": "earl:inapplicable", "error": "earl:cantTell"}


def build_earl(report: dict[str, Any], principle: str = "accessibility") -> dict[str, Any]:
    """The EARL document for the report's findings under ``principle``."""
    tool = report["tool"]
    assertor = {"@id": "_:citylabel", "@type": ["Assertor", "Software"],
                "title": tool["name"], "sch:softwareVersion": tool["version"]}
    run = report["run"]
    subjects: dict[str, dict[str, Any]] = {}
    checks = {c["check"]: c for c in report["summary"]["checks"]}
    for i, f in enumerate(report["findings"]):
        if principle not in (f.get("principles") or [f.get("principle")]):
            continue
        url = f["url"] or report["portal"]["start_url"]
        subject = subjects.setdefault(url, {
            "@type": ["TestSubject", "sch:WebPage"], "source": url, "assertions": []})
        meta = checks.get(f["check"], {})
        result: dict[str, Any] = {
            "@type": "TestResult",
            "outcome": OUTCOMES[f["outcome"]],
            "description": f["message"] if f["outcome"] != "error" else f"check error: {f['message']}",
            "date": run["finished_at"] or run["started_at"],
        }
        pointers = []
        for ev in f["evidence"]:
            if ev.get("selector"):
                kind = "ptr:XPathPointer" if ev["selector"].startswith("/") else "ptr:CSSSelectorPointer"
                pointers.append({"@type": kind, "ptr:expression": ev["selector"],
                                 "ptr:reference": ev.get("url") or url,
                                 **({"ptr:snippet": ev["snippet"]} if ev.get("snippet") else {})})
        if pointers:
            result["pointer"] = pointers
        subject["assertions"].append({
            "@id": f"_:assertion-{i}",
            "@type": "Assertion",
            "assertedBy": "_:citylabel",
            "mode": "earl:automatic",
            "test": {"@type": "TestCase", "title": f["check"],
                     "description": meta.get("title", f["check"]),
                     "dct:isPartOf": meta.get("standard", "")},
            "result": result,
        })
    return {"@context": CONTEXT, "@graph": [assertor, *subjects.values()]}
