"""privacy.notice: GDPR Art. 13 elements in notices of eight languages.

The notices under tests/fixtures/privacy_notices/ were written apart from the
detector, modelled on real municipal notices, with a manifest naming which
elements each states (and a verbatim quote of the sentence) and which it lacks.
"""
from __future__ import annotations

import json
import re
from datetime import date

import pytest

from checks.artifacts import PageArtifact, StatementArtifact
from checks.base import Outcome
from checks.privacy_notice import ELEMENTS, PrivacyNotice
from tests.helpers import ROOT, html_doc, page

FIXTURES = ROOT / "tests/fixtures/privacy_notices"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text("utf-8"))
TODAY = date(2026, 11, 28)


def fixture(name: str) -> PageArtifact:
    return PageArtifact(url=f"https://www.example.eu/{name}", status=200, body=(FIXTURES / name).read_bytes(),
                        content_type="text/html")


def judge(*pages: PageArtifact, links: list | None = None):
    links = links if links is not None else [(p.url, 10 - i) for i, p in enumerate(pages)]
    return PrivacyNotice().evaluate(StatementArtifact(links, {p.url: p for p in pages}, 10, TODAY))


def by_element(findings) -> dict:
    return {f.details["element"]: f for f in findings[1:]}


def test_fixtures_cover_eight_languages() -> None:
    notices = [e for e in MANIFEST.values() if e["kind"] == "notice"]
    assert len({e["lang"] for e in notices}) >= 8 and len(notices) >= 12


@pytest.mark.parametrize("name", sorted(n for n, e in MANIFEST.items() if e["kind"] == "notice"))
def test_each_element_stated_passes_and_each_missing_one_fails(name: str) -> None:
    entry = MANIFEST[name]
    findings = judge(fixture(name))
    assert findings[0].outcome == Outcome.PASSED and findings[0].message.startswith("Located:")
    got = by_element(findings)
    assert [e for e, _, _ in ELEMENTS] == list(got)
    wrong = {e: (f.outcome.value, f.evidence[0].text) for e, f in got.items()
             if f.outcome != (Outcome.PASSED if e in entry["elements"] else Outcome.FAILED)}
    assert not wrong, wrong
    for e, f in got.items():
        assert f.evidence[0].url == f"https://www.example.eu/{name}" and f.evidence[0].text
        if f.outcome == Outcome.FAILED:
            assert f.evidence[0].text.startswith("searched ") and "words of the notice" in f.evidence[0].text


def test_the_quoted_sentences_are_the_ones_a_person_would_quote() -> None:
    """Across all notices, the evidence of most passed elements holds the sentence the
    fixture's author quoted (others quote another sentence stating the same element)."""
    total = same = 0
    for name, entry in MANIFEST.items():
        if entry["kind"] != "notice":
            continue
        for element, f in by_element(judge(fixture(name))).items():
            if element in entry["elements"]:
                total += 1
                text = re.sub(r"\s+", " ", " ".join(e.text or "" for e in f.evidence))
                same += entry["elements"][element] in text
    assert total >= 100 and same / total >= 0.8, (same, total)


@pytest.mark.parametrize("name", sorted(n for n, e in MANIFEST.items() if e["kind"] != "notice"))
def test_look_alikes_are_not_judged_as_a_deficient_notice(name: str) -> None:
    findings = judge(fixture(name))
    assert findings[0].outcome == Outcome.CANT_TELL and "does not read like a GDPR notice" in findings[0].message
    assert all(f.outcome == Outcome.CANT_TELL for f in findings[1:])


def test_the_page_that_reads_like_a_notice_wins_over_the_most_linked_one() -> None:
    cookies, notice = fixture("de_cookies_only.html"), fixture("de_complete.html")
    findings = judge(cookies, notice)  # the cookie page is linked more often
    assert findings[0].outcome == Outcome.PASSED and notice.url in findings[0].message


def test_not_found_not_fetched_and_missing() -> None:
    [none] = judge(links=[])
    assert none.outcome == Outcome.FAILED and "No privacy notice found" in none.message
    [elsewhere] = PrivacyNotice().evaluate(StatementArtifact([("https://region.example.eu/privacy", 30)], {}, 30, TODAY))
    assert elsewhere.outcome == Outcome.CANT_TELL and "could not be read" in elsewhere.message
    gone = page(html_doc("Not found"), url="https://www.example.eu/privacy", status=404)
    [missing] = judge(gone)
    assert missing.outcome == Outcome.FAILED and "missing page" in missing.message


def test_controller_and_dpo_need_a_way_to_reach_them_and_a_dpa_link_counts_as_complaint() -> None:
    text = ("<h1>Informativa sul trattamento dei dati personali</h1>"
            "<p>Ai sensi dell'art. 13 del Regolamento (UE) 2016/679 (GDPR) La informiamo di quanto segue.</p>"
            "<p>Il titolare del trattamento è il Comune di Esempio, con sede in Piazza Grande 1.</p>"
            "<p>Il Responsabile della protezione dei dati (RPD) è raggiungibile all'indirizzo "
            "<a href='mailto:rpd@comune.example.it'>rpd@comune.example.it</a>.</p>"
            "<p>I dati sono trattati per le finalità di gestione dei servizi anagrafici.</p>"
            "<p>Può rivolgersi al <a href='https://www.garanteprivacy.it/'>Garante</a>.</p>")
    got = by_element(judge(page(html_doc(text, "it"), url="https://www.comune.example.it/privacy")))
    assert got["controller"].outcome == Outcome.CANT_TELL and "no e-mail address" in got["controller"].message
    assert got["dpo"].outcome == Outcome.PASSED and got["dpo"].evidence[-1].text == "rpd@comune.example.it"
    assert got["complaint"].outcome == Outcome.PASSED
    assert got["complaint"].evidence[0].url == "https://www.garanteprivacy.it/"
    assert got["retention"].outcome == Outcome.FAILED


def test_script_built_notice_is_cant_tell() -> None:
    findings = judge(page(html_doc("<div id='app'></div>"), url="https://www.example.eu/privacy"))
    assert findings[0].outcome == Outcome.CANT_TELL and "almost no text" in findings[0].message
