"""security.mixed-content: subresources and form targets over plain HTTP, by page."""
from __future__ import annotations

from checks.base import Outcome
from checks.security_mixed_content import MixedContent
from tests.helpers import html_doc, page

HTTPS = "https://www.gemeente.example.nl/"


def judge(body: str, url: str = HTTPS):
    return MixedContent().evaluate(page(html_doc(body, "nl"), url=url))[0]


def test_clean_https_page_passes_relative_and_https_references() -> None:
    f = judge('<img src="/logo.png" alt="x"><script src="https://cdn.example.com/a.js"></script>'
              '<link rel="stylesheet" href="//static.example.com/s.css"><a href="http://elders.example.org/">link</a>'
              '<form action="/zoeken"><input name="q"></form>')
    assert f.outcome == Outcome.PASSED  # plain links to http:// sites are not mixed content


def test_blockable_and_upgradable_content_over_http_fail_with_the_element() -> None:
    f = judge('<script src="http://cdn.example.com/jquery.js"></script>'
              '<link rel="stylesheet" href="HTTP://static.example.com/site.css">'
              '<img src="http://images.example.com/a.png" alt="a"><iframe src="http://maps.example.com/"></iframe>'
              '<link rel="alternate" href="http://www.gemeente.example.nl/en/">')
    assert f.outcome == Outcome.FAILED
    assert f.details == {"forms_over_http": 0, "blockable": 3, "upgradable": 1}
    assert f.evidence[0].text.startswith("blockable content over HTTP: http://cdn.example.com/jquery.js")
    assert "<script" in f.evidence[0].snippet and f.evidence[0].selector.endswith("script")


def test_forms_posting_over_http_fail_on_any_page() -> None:
    f = judge('<form method="post" action="http://formulieren.example.nl/melding"><input name="naam">'
              '<input type="password" name="p"></form>')
    assert f.outcome == Outcome.FAILED and f.details["forms_over_http"] == 1
    assert "form sends to http://formulieren.example.nl/melding over plain HTTP (POST)" == f.evidence[0].text
    plain = judge('<form method="post" action="/contact"><input name="naam"></form>', "http://www.example.eu/")
    assert plain.outcome == Outcome.FAILED and "http://www.example.eu/contact" in plain.evidence[0].text
    base = judge('<base href="http://old.example.eu/"><form action="send"><input name="x"></form>')
    assert base.outcome == Outcome.FAILED  # the base element decides where a relative action goes


def test_http_page_without_form_and_non_html_are_inapplicable() -> None:
    assert judge("<p>hallo</p>", "http://www.example.eu/").outcome == Outcome.INAPPLICABLE
    pdf = MixedContent().evaluate(page("%PDF", content_type="application/pdf"))[0]
    assert pdf.outcome == Outcome.INAPPLICABLE
