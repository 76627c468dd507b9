"""a11y.axe: axe-core's results on a rendered page, as findings.

We do not re-implement accessibility rules: axe-core (the engine measured
against the W3C ACT rules) runs in the browser gatherer and this check maps
its output. Each violated rule is one ``failed`` finding with its impact, the
WCAG success criteria and EN 301 549 clauses from its tags, and each offending
node (selector and HTML) as evidence; each ``incomplete`` rule is ``cantTell``
for a person to review; the rules that passed are summarised in one finding,
not stored one per node.
"""
from __future__ import annotations

import re
from typing import Any

from checks.artifacts import BrowserArtifact
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope

_WCAG_SC = re.compile(r"^wcag(\d)(\d)(\d{1,2})$")
_LEVEL = {"wcag2a": "A", "wcag2aa": "AA", "wcag2aaa": "AAA", "wcag21a": "A", "wcag21aa": "AA",
          "wcag22a": "A", "wcag22aa": "AA", "wcag22aaa": "AAA", "wcag21aaa": "AAA"}
MAX_NODES = 10


def wcag_criteria(tags: list[str]) -> list[str]:
    """``["wcag2a", "wcag111"]`` -> ``["1.1.1"]``."""
    out = []
    for tag in tags:
        m = _WCAG_SC.match(tag)
        if m:
            out.append(".".join(m.groups()))
    return out


def en_clauses(tags: list[str]) -> list[str]:
    """EN 301 549 clauses from axe tags like ``EN-9.1.1.1``."""
    return [t[3:] for t in tags if re.match(r"^EN-\d+(\.\d+)+$", t)]


def level(tags: list[str]) -> str | None:
    levels = [_LEVEL[t] for t in tags if t in _LEVEL]
    return min(levels, key=len) if levels else ("best-practice" if "best-practice" in tags else None)


def rule_details(rule: dict[str, Any]) -> dict[str, Any]:
    tags = rule.get("tags") or []
    return {"rule": rule.get("id"), "impact": rule.get("impact"), "wcag": wcag_criteria(tags),
            "level": level(tags), "en301549": en_clauses(tags), "nodes": rule.get("nodeCount", 0),
            "help_url": rule.get("helpUrl")}


class AxeResults(Check):
    meta = CheckMeta(
        id="a11y.axe", title="axe-core finds no accessibility violations",
        principles=("accessibility",), scope=Scope.PAGE, requires=("browser",), version="1.0",
        standard="WCAG 2.1 A/AA (EN 301 549 clause 9), via axe-core rules",
        description="Runs axe-core in headless Chromium on the sampled pages; each violated "
                    "rule is a finding with its WCAG criteria and the offending elements.")

    def evaluate(self, browser: BrowserArtifact) -> list[Finding]:
        url = browser.final_url or browser.url
        if browser.error or browser.axe is None:
            return [self.finding(Outcome.ERROR,
                                 f"The page could not be rendered and tested: {browser.error or 'no axe results'}",
                                 url=browser.url, evidence=[Evidence(url=browser.url, text=browser.error)])]
        out = []
        for kind, outcome in (("violations", Outcome.FAILED), ("incomplete", Outcome.CANT_TELL)):
            for rule in browser.axe.get(kind, []):
                details = rule_details(rule)
                if browser.screenshot:  # the rendered page as the browser showed it, for the report
                    details["screenshot"] = browser.screenshot
                crit = ", ".join(details["wcag"]) or "no WCAG criterion (best practice)"
                en = f"; EN 301 549 {', '.join(details['en301549'])}" if details["en301549"] else ""
                verb = "" if outcome == Outcome.FAILED else "needs review: "
                message = (f"{rule.get('id')} ({rule.get('impact') or 'no impact'}): {verb}"
                           f"{rule.get('help')} — WCAG {crit}{en}; {details['nodes']} element(s)")
                evidence = [Evidence(url=url, selector=" ".join(_flat(n.get("target"))),
                                     snippet=n.get("html"), text=n.get("failureSummary"))
                            for n in rule.get("nodes", [])[:MAX_NODES]]
                out.append(self.finding(outcome, message, url=url, evidence=evidence, details=details))
        passes = browser.axe.get("passes", [])
        if passes:
            ids = sorted(p["id"] for p in passes)
            out.append(self.finding(
                Outcome.PASSED, f"{len(ids)} axe rules passed (axe-core {browser.axe.get('version')})",
                url=url, evidence=[Evidence(url=url, text=", ".join(ids))],
                details={"passed_rules": ids, "axe_version": browser.axe.get("version")}))
        if not out:
            return [self.finding(Outcome.INAPPLICABLE, "No axe rule applied to this page", url=url)]
        return out


def _flat(target: Any) -> list[str]:
    """axe targets are lists of selectors, nested for iframes and shadow DOM."""
    if target is None:
        return []
    if isinstance(target, str):
        return [target]
    out: list[str] = []
    for t in target:
        out.extend(_flat(t))
    return out
