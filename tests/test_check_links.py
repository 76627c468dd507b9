"""privacy.notice-link and a11y.statement-link on pages in several languages."""
from __future__ import annotations

import pytest

from checks.a11y_statement_link import AccessibilityStatementLink
from checks.base import Outcome
from checks.privacy_notice_link import PrivacyNoticeLink
from tests.helpers import html_doc, page

FILLER = "<main><p>" + "Notizie e servizi del comune. " * 20 + "</p><a href='/a'>A</a><a href='/b'>B</a><a href='/c'>C</a></main>"


def footer(*links: tuple[str, str]) -> str:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return f"{FILLER}<footer><ul>{items}</ul></footer>"


PRIVACY_PASSES = [
    ("it", [("/privacy/", "Informativa sulla privacy")]),
    ("de", [("/datenschutz.html", "Datenschutzerklärung")]),
    ("fr", [("/donnees.html", "Politique de confidentialité")]),
    ("nl", [("/over/privacy", "Privacyverklaring")]),
    ("pl", [("/rodo", "Ochrona danych osobowych")]),
    ("sv", [("/om-webbplatsen/integritet", "Integritetspolicy")]),
    ("fi", [("/tietosuoja", "Tietosuoja")]),
    ("es", [("/aviso", "Política de privacidad")]),
    # the URL alone names it, the text is generic
    ("en", [("/legal/privacy-notice", "Read more")]),
]


@pytest.mark.parametrize("lang,links", PRIVACY_PASSES)
def test_privacy_link_passes_in_many_languages(lang: str, links: list) -> None:
    findings = PrivacyNoticeLink().evaluate(page(html_doc(footer(*links), lang=lang)))
    assert [f.outcome for f in findings] == [Outcome.PASSED]
    ev = findings[0].evidence[0]
    assert ev.url.endswith(links[0][0])
    assert ev.selector and "footer" in ev.selector
    assert "<a" in ev.snippet


@pytest.mark.parametrize("lang,links", [
    ("it", [("/contatti", "Contatti"), ("/mappa", "Mappa del sito")]),
    ("de", [("/kontakt", "Kontakt"), ("/presse", "Presse")]),
])
def test_privacy_link_fails_and_says_where_it_looked(lang: str, links: list) -> None:
    findings = PrivacyNoticeLink().evaluate(page(html_doc(footer(*links), lang=lang)))
    assert [f.outcome for f in findings] == [Outcome.FAILED]
    assert links[0][1] in findings[0].evidence[0].text  # the footer links examined


@pytest.mark.parametrize("lang,links", [
    ("fr", [("/mentions-legales", "Mentions légales")]),
    ("de", [("/impressum", "Impressum")]),
    ("en", [("/cookies", "Cookie policy")]),
])
def test_privacy_only_legal_or_cookie_link_is_cant_tell(lang: str, links: list) -> None:
    findings = PrivacyNoticeLink().evaluate(page(html_doc(footer(*links), lang=lang)))
    assert [f.outcome for f in findings] == [Outcome.CANT_TELL]
    assert findings[0].evidence[0].url.endswith(links[0][0])


@pytest.mark.parametrize("check", [PrivacyNoticeLink(), AccessibilityStatementLink()])
def test_link_checks_inapplicable_to_pdf_and_errors(check) -> None:  # noqa: ANN001
    pdf = page("%PDF-1.4", url="https://x.eu/a.pdf", content_type="application/pdf")
    assert [f.outcome for f in check.evaluate(pdf)] == [Outcome.INAPPLICABLE]
    missing = page(html_doc("<p>Not found</p>"), status=404)
    assert [f.outcome for f in check.evaluate(missing)] == [Outcome.INAPPLICABLE]


@pytest.mark.parametrize("check", [PrivacyNoticeLink(), AccessibilityStatementLink()])
def test_script_built_page_is_cant_tell_not_failed(check) -> None:  # noqa: ANN001
    shell = html_doc('<div id="app"></div><script src="/app.js"></script>')
    assert [f.outcome for f in check.evaluate(page(shell))] == [Outcome.CANT_TELL]


STATEMENT_PASSES = [
    ("it", [("/accessibilita", "Dichiarazione di accessibilità")]),
    ("de", [("/barrierefreiheit", "Erklärung zur Barrierefreiheit")]),
    ("fr", [("/accessibilite", "Accessibilité : partiellement conforme")]),
    ("fr", [("/accessibilite", "Déclaration d’accessibilité")]),
    ("nl", [("/toegankelijkheid", "Toegankelijkheidsverklaring")]),
    ("pl", [("/deklaracja", "Deklaracja dostępności")]),
    ("sv", [("/tillganglighet", "Tillgänglighetsredogörelse")]),
    ("fi", [("/saavutettavuus", "Saavutettavuusseloste")]),
    ("es", [("/accesibilidad", "Declaración de accesibilidad")]),
    ("en", [("/accessibility-statement", "Accessibility")]),  # the slug names the statement
    ("it", [("https://form.agid.gov.it/view/3f1a2b3c-0000-4000-8000-123456789abc", "Accessibilità")]),
    ("nl", [("https://www.toegankelijkheidsverklaring.nl/register/1234", "Toegankelijkheid")]),
]


@pytest.mark.parametrize("lang,links", STATEMENT_PASSES)
def test_statement_link_passes_in_many_languages(lang: str, links: list) -> None:
    findings = AccessibilityStatementLink().evaluate(page(html_doc(footer(*links), lang=lang)))
    assert [f.outcome for f in findings] == [Outcome.PASSED], findings[0].message
    assert findings[0].evidence[0].url.startswith(("https://www.example.eu/", "https://form", "https://www.toeg"))


def test_statement_polish_meta_element_passes() -> None:
    html = ('<html lang="pl"><head><meta name="deklaracja-dostępności" '
            'content="https://bip.gmina.pl/deklaracja"><title>x</title></head>'
            f"<body>{footer(('/kontakt', 'Kontakt'))}</body></html>")
    findings = AccessibilityStatementLink().evaluate(page(html))
    assert [f.outcome for f in findings] == [Outcome.PASSED]
    assert findings[0].evidence[0].text == "https://bip.gmina.pl/deklaracja"


@pytest.mark.parametrize("lang,text", [("de", "Barrierefreiheit"), ("it", "Accessibilità"),
                                       ("nl", "Toegankelijkheid")])
def test_statement_generic_accessibility_link_is_cant_tell(lang: str, text: str) -> None:
    findings = AccessibilityStatementLink().evaluate(page(html_doc(footer(("/a11y", text)), lang=lang)))
    assert [f.outcome for f in findings] == [Outcome.CANT_TELL]


@pytest.mark.parametrize("lang,links", [
    ("fr", [("/mentions-legales", "Mentions légales"), ("/contact", "Contact")]),
    ("de", [("/datenschutz", "Datenschutz"), ("/impressum", "Impressum")]),
])
def test_statement_link_fails_without_any_accessibility_link(lang: str, links: list) -> None:
    findings = AccessibilityStatementLink().evaluate(page(html_doc(footer(*links), lang=lang)))
    assert [f.outcome for f in findings] == [Outcome.FAILED]


def test_words_inside_other_words_do_not_match() -> None:
    # "privacy" inside a longer word, and a statement phrase only in body text, not a link
    html = html_doc(footer(("/x", "Privacyschutzgebiet")) + "<p>Erklärung zur Barrierefreiheit</p>")
    assert PrivacyNoticeLink().evaluate(page(html))[0].outcome == Outcome.FAILED
    assert AccessibilityStatementLink().evaluate(page(html))[0].outcome == Outcome.FAILED
