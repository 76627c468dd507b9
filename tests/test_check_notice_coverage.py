"""privacy.notice-link-coverage and check options (--check-option)."""
from __future__ import annotations

import pytest

from checks.artifacts import PageFindings, SiteArtifact
from checks.base import Outcome
from checks.privacy_notice_coverage import PrivacyNoticeCoverage
from checks.privacy_notice_link import PrivacyNoticeLink
from checks.registry import CheckLoadError, load, parse_option
from tests.helpers import html_doc, page, report_json, run_cli, send, serve_routes

LINKED = {"it": '<footer><a href="/privacy">Informativa sulla privacy</a></footer>',
          "de": '<footer><a href="/datenschutz">Datenschutzerklärung</a></footer>',
          "fr": '<footer><a href="/donnees">Données personnelles</a></footer>',
          "es": '<footer><a href="/privacidad">Política de privacidad</a></footer>'}
UNLINKED = "<p>" + "Testo della pagina senza collegamenti. " * 20 + "</p><a href='/a'>a</a><a href='/b'>b</a><a href='/c'>c</a>"
MAYBE = '<footer><a href="/note-legali">Note legali</a><a href="/a">a</a><a href="/b">b</a></footer>'


def digest(bodies: list[tuple[str, str]]) -> PageFindings:
    out = PageFindings()
    for i, (lang, body) in enumerate(bodies):
        url = f"https://www.example.eu/p{i}"
        out.add_page([f.to_dict() for f in PrivacyNoticeLink().evaluate(page(html_doc(body, lang), url=url))])
    return out


def judge(bodies, **options):
    return PrivacyNoticeCoverage(options).evaluate(SiteArtifact("https://www.example.eu/"), digest(bodies))[0]


def test_every_page_linking_in_four_languages_passes() -> None:
    f = judge([(lang, body) for lang, body in LINKED.items()] * 5)
    assert f.outcome == Outcome.PASSED and f.details["share"] == 1.0 and "20 of 20" in f.message


def test_below_the_default_threshold_fails_with_the_pages_as_evidence() -> None:
    f = judge([("de", LINKED["de"])] * 18 + [("it", UNLINKED)] * 2)  # 90 %
    assert f.outcome == Outcome.FAILED and f.details["threshold"] == 0.95
    assert [e.url for e in f.evidence] == ["https://www.example.eu/p18", "https://www.example.eu/p19"]
    assert judge([("de", LINKED["de"])] * 18 + [("it", UNLINKED)] * 2, threshold=0.9).outcome == Outcome.PASSED


def test_legal_notice_links_keep_it_cant_tell_and_no_pages_is_inapplicable() -> None:
    assert judge([("fr", LINKED["fr"])] * 18 + [("it", MAYBE)] * 2).outcome == Outcome.CANT_TELL
    assert judge([]).outcome == Outcome.INAPPLICABLE


def test_options_are_declared_typed_and_validated() -> None:
    assert parse_option("privacy.notice-link-coverage.threshold=0.8") == (
        "privacy.notice-link-coverage", "threshold", "0.8")
    loaded = load(["privacy.notice-link-coverage"], (), {"privacy.notice-link-coverage": {"threshold": "0.8"}})
    assert loaded.site[0].options == {"threshold": 0.8}
    for bad in ({"privacy.notice-link-coverage": {"treshold": "1"}},
                {"privacy.notice-link-coverage": {"threshold": "most"}}, {"nope.check": {"x": "1"}}):
        with pytest.raises(CheckLoadError):
            load(None, (), bad)
    with pytest.raises(CheckLoadError):
        parse_option("threshold=0.8")


def test_threshold_from_the_command_line_is_used_and_recorded(tmp_path) -> None:  # noqa: ANN001
    footer = '<footer><a href="/datenschutz">Datenschutz</a></footer>'
    pages = {"/": '<a href="/a">A</a><a href="/b">B</a><a href="/c">C</a><a href="/d">D</a>' + footer,
             "/a": "<p>" + "Inhalt ohne Fußzeile. " * 20 + "</p>", "/b": footer, "/c": footer, "/d": footer,
             "/datenschutz": footer}
    routes = {p: (lambda body: lambda h: send(h, 200, html_doc(body, "de")))(b) for p, b in pages.items()}
    db = f"sqlite:///{tmp_path}/cov.db"
    with serve_routes(routes) as url:
        run_cli("audit", url, "--db", db, "--browser-pages", "0", "-q",
                "--check", "privacy.notice-link", "--check", "privacy.notice-link-coverage",
                "--check-option", "privacy.notice-link-coverage.threshold=0.8")
        bad = run_cli("audit", url, "--db", db, "--check-option", "privacy.notice-link-coverage.x=1", check=False)
    rep = report_json(db)
    cov = next(f for f in rep["findings"] if f["check"] == "privacy.notice-link-coverage")
    assert cov["outcome"] == "passed" and "5 of 6" in cov["message"] and cov["details"]["threshold"] == 0.8
    assert rep["run"]["settings"]["check_options"] == {"privacy.notice-link-coverage": {"threshold": "0.8"}}
    assert bad.returncode == 2 and "has no option 'x'" in bad.stderr
