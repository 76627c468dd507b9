"""a11y.lang, a11y.viewport, a11y.title on pages in several languages."""
from __future__ import annotations

import pytest

from checks.a11y_static import PageLanguage, PageTitle, ViewportZoom
from checks.base import Outcome
from tests.helpers import page


def doc(html_attrs: str = ' lang="it"', head: str = "<title>Comune</title>", body: str = "<p>Ciao</p>") -> str:
    return f"<!doctype html><html{html_attrs}><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize("attrs,outcome", [
    (' lang="it"', Outcome.PASSED),
    (' lang="de-DE"', Outcome.PASSED),
    (' lang="fr-BE"', Outcome.PASSED),
    (' xml:lang="nl"', Outcome.PASSED),
    ("", Outcome.FAILED),
    (' lang=""', Outcome.FAILED),
    (' lang="  "', Outcome.FAILED),
    (' lang="xx"', Outcome.FAILED),
    (' lang="en_US"', Outcome.FAILED),
    (' lang="italiano"', Outcome.FAILED),
])
def test_lang(attrs: str, outcome: Outcome) -> None:
    findings = PageLanguage().evaluate(page(doc(attrs)))
    assert [f.outcome for f in findings] == [outcome]
    assert findings[0].evidence[0].selector == "/html"
    assert findings[0].evidence[0].snippet.startswith("<html")


@pytest.mark.parametrize("meta,outcome", [
    ('<meta name="viewport" content="width=device-width, initial-scale=1">', Outcome.PASSED),
    ('<meta name="viewport" content="width=device-width, maximum-scale=5">', Outcome.PASSED),
    ('<meta name="viewport" content="width=device-width, user-scalable=no">', Outcome.FAILED),
    ('<meta name="viewport" content="width=device-width,user-scalable=0">', Outcome.FAILED),
    ('<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1">', Outcome.FAILED),
    ('<meta name="Viewport" content="maximum-scale=1.5">', Outcome.FAILED),
    ("", Outcome.INAPPLICABLE),
])
def test_viewport(meta: str, outcome: Outcome) -> None:
    findings = ViewportZoom().evaluate(page(doc(head=f"<title>t</title>{meta}")))
    assert [f.outcome for f in findings] == [outcome]
    if outcome != Outcome.INAPPLICABLE:
        assert "viewport" in findings[0].evidence[0].snippet.lower()


@pytest.mark.parametrize("head,outcome", [
    ("<title>Comune di Valdoria – Servizi</title>", Outcome.PASSED),
    ("<title>Stadt Lindenau: Bürgerservice</title>", Outcome.PASSED),
    ("<title>   </title>", Outcome.FAILED),
    ("", Outcome.FAILED),
])
def test_title(head: str, outcome: Outcome) -> None:
    findings = PageTitle().evaluate(page(doc(head=head)))
    assert [f.outcome for f in findings] == [outcome]


@pytest.mark.parametrize("check", [PageLanguage(), ViewportZoom(), PageTitle()])
def test_static_checks_do_not_judge_documents_or_error_pages(check) -> None:  # noqa: ANN001
    pdf = page("%PDF-1.4", url="https://x.eu/a.pdf", content_type="application/pdf")
    assert [f.outcome for f in check.evaluate(pdf)] == [Outcome.INAPPLICABLE]
    assert [f.outcome for f in check.evaluate(page(doc(), status=500))] == [Outcome.INAPPLICABLE]
