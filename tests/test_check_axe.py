"""a11y.axe maps axe-core output to findings."""
from __future__ import annotations

from checks.a11y_axe import AxeResults, en_clauses, wcag_criteria
from checks.artifacts import BrowserArtifact
from checks.base import Outcome

IMAGE_ALT = {"id": "image-alt", "impact": "critical", "help": "Images must have alternative text",
             "helpUrl": "https://dequeuniversity.com/rules/axe/4.12/image-alt",
             "tags": ["cat.text-alternatives", "wcag2a", "wcag111", "section508", "EN-301-549", "EN-9.1.1.1", "ACT"],
             "nodeCount": 2, "nodes": [
                 {"target": ["main > img:nth-child(2)"], "html": '<img src="/logo.png">',
                  "failureSummary": "Fix any of the following: Element does not have an alt attribute"},
                 {"target": [["iframe"], ["img.x"]], "html": '<img class="x">', "failureSummary": "…"}]}
CONTRAST = {"id": "color-contrast", "impact": "serious", "help": "Elements must meet minimum color contrast ratio thresholds",
            "tags": ["wcag2aa", "wcag143", "EN-9.1.4.3"], "nodeCount": 1,
            "nodes": [{"target": ["p.note"], "html": '<p class="note">x</p>', "failureSummary": "review"}]}


def art(**axe) -> BrowserArtifact:
    base = {"version": "4.12.1", "violations": [], "incomplete": [], "passes": [], "inapplicable": []}
    base.update(axe)
    return BrowserArtifact(url="https://www.comune.example.it/", final_url="https://www.comune.example.it/",
                           status=200, axe=base)


def test_tags_to_criteria() -> None:
    assert wcag_criteria(["wcag2a", "wcag111", "wcag1410", "wcag21aa"]) == ["1.1.1", "1.4.10"]
    assert en_clauses(["EN-301-549", "EN-9.1.1.1"]) == ["9.1.1.1"]


def test_violations_fail_with_criteria_and_nodes() -> None:
    findings = AxeResults().evaluate(art(violations=[IMAGE_ALT], passes=[{"id": "document-title"}]))
    failed = [f for f in findings if f.outcome == Outcome.FAILED]
    assert len(failed) == 1
    f = failed[0]
    assert f.message.startswith("image-alt (critical)") and "WCAG 1.1.1" in f.message and "9.1.1.1" in f.message
    assert f.details["impact"] == "critical" and f.details["wcag"] == ["1.1.1"] and f.details["level"] == "A"
    assert [e.selector for e in f.evidence] == ["main > img:nth-child(2)", "iframe img.x"]
    assert f.evidence[0].snippet == '<img src="/logo.png">'
    passed = [f for f in findings if f.outcome == Outcome.PASSED]
    assert len(passed) == 1 and passed[0].details["passed_rules"] == ["document-title"]


def test_incomplete_is_cant_tell_for_review() -> None:
    findings = AxeResults().evaluate(art(incomplete=[CONTRAST]))
    assert [f.outcome for f in findings] == [Outcome.CANT_TELL]
    assert "needs review" in findings[0].message and findings[0].details["wcag"] == ["1.4.3"]


def test_a_page_that_could_not_be_rendered_is_an_error() -> None:
    broken = BrowserArtifact(url="https://x.eu/slow", error="timeout: Timeout 30000ms exceeded")
    findings = AxeResults().evaluate(broken)
    assert [f.outcome for f in findings] == [Outcome.ERROR] and "timeout" in findings[0].message


def test_nothing_applied_is_inapplicable() -> None:
    assert [f.outcome for f in AxeResults().evaluate(art())] == [Outcome.INAPPLICABLE]
