"""Canonicalisation, scope and traps."""
from __future__ import annotations

import pytest

from crawler.urls import Scope, TrapGuard, canonical, fetchable, registrable_domain


@pytest.mark.parametrize("a,b", [
    ("https://WWW.Stadt.de:443/a/index.html#top", "https://www.stadt.de/a/"),
    ("https://www.stadt.de/a/?utm_source=x&utm_medium=y&fbclid=1", "https://www.stadt.de/a/"),
    ("https://www.stadt.de/a;jsessionid=0A1B2C?b=2&a=1", "https://www.stadt.de/a?a=1&b=2"),
    ("https://www.stadt.de/a?PHPSESSID=abc&q=1&gclid=x", "https://www.stadt.de/a?q=1"),
    ("http://comune.it/default.aspx", "http://comune.it/"),
])
def test_canonical_collapses_spellings_of_one_page(a: str, b: str) -> None:
    assert canonical(a) == canonical(b)


def test_canonical_keeps_distinct_pages_apart() -> None:
    assert canonical("https://x.eu/a?page=2") != canonical("https://x.eu/a?page=3")
    assert canonical("https://x.eu/a") != canonical("https://x.eu/b")


def test_fetchable_keeps_path_but_drops_noise() -> None:
    assert fetchable("https://x.eu/a/index.html?utm_campaign=z#f") == "https://x.eu/a/index.html"


def test_scope_is_registrable_domain_plus_also_hosts() -> None:
    scope = Scope("https://www.comune.valdoria.it/", also_hosts=("servizi.regione.example.it",))
    assert registrable_domain("www.comune.valdoria.it") == "valdoria.it"
    assert scope.allows("https://servizi.valdoria.it/x")
    assert scope.allows("http://valdoria.it/")
    assert scope.allows("https://servizi.regione.example.it/pratiche")
    assert not scope.allows("https://regione.example.it/")
    assert not scope.allows("https://evilvaldoria.it/")
    assert not scope.allows("mailto:info@valdoria.it")


def test_scope_on_an_ip_is_the_exact_origin() -> None:
    scope = Scope("http://127.0.0.1:8001/")
    assert scope.allows("http://127.0.0.1:8001/x")
    assert not scope.allows("http://127.0.0.1:8002/x")


def test_bad_start_url_is_refused() -> None:
    with pytest.raises(ValueError):
        Scope("ftp://example.eu/")


def test_traps() -> None:
    guard = TrapGuard(max_dated=5, max_query_variants=10, max_per_template=20)
    months = [guard.check(f"https://x.eu/agenda?month=2026-{m:02d}") for m in range(1, 13)]
    assert months[:5] == [None] * 5 and set(months[5:]) == {"calendar-trap"}
    assert guard.check("https://x.eu/a/b/a/b/a/b/") == "repeating-path-segments"
    filters = [guard.check(f"https://x.eu/search?sort={i}&f=x") for i in range(15)]
    assert filters.count(None) == 10 and "query-permutations" in filters
    pages = [guard.check(f"https://x.eu/news/item/{i}") for i in range(25)]
    assert pages.count(None) == 20 and pages[-1] == "template-limit"
    assert guard.rejected["calendar-trap"] == 7


@pytest.mark.parametrize("kind,message,expected", [
    ("TimeoutError", "User timeout caused connection failure: Getting x took longer than 30.0 seconds.", "timeout"),
    ("DNSLookupError", "DNS lookup failed: no results for hostname lookup: x.invalid.", "dns-error"),
    ("ConnectionRefusedError", "Connection was refused by other side: 111: Connection refused.", "connection-refused"),
    ("DownloadFailedError", "[<Failure OpenSSL.SSL.Error: [('SSL routines', '', 'wrong version number')]>]", "tls-error"),
    ("IgnoreRequest", "Forbidden by robots.txt", "robots-disallowed"),
    ("IgnoreRequest", "max redirections reached", "too-many-redirects"),
    ("ResponseNeverReceived", "[<Failure ConnectionLost>]", "fetch-error"),
])
def test_fetch_errors_are_sorted_by_type(kind: str, message: str, expected: str) -> None:
    from crawler.classify import fetch_status_for_error
    assert fetch_status_for_error(kind, message) == expected


def test_challenge_pages_are_blocked_but_pages_with_a_captcha_form_are_not() -> None:
    from crawler.classify import fetch_status_for
    assert fetch_status_for(403, b"<html>nope</html>") == "blocked"
    assert fetch_status_for(429, b"") == "blocked"
    assert fetch_status_for(503, b"<title>Just a moment...</title><div id='cf-chl-x'>") == "blocked"
    form = b"<html><title>Contatti</title><form><div class='g-recaptcha'></div></form>" + b"x" * 70_000
    assert fetch_status_for(200, form) == "ok"
    assert fetch_status_for(404, b"<html>Not found</html>") == "http-error"


def test_url_set_membership_and_cap() -> None:
    from crawler.urls import UrlSet
    s = UrlSet(["https://p.eu/a"])
    assert "https://p.eu/a" in s and "https://p.eu/b" not in s and 42 not in s
    assert s.add_new("https://p.eu/b") and not s.add_new("https://p.eu/b") and len(s) == 2
    assert s.add_new("https://p.eu/c", cap=2) and "https://p.eu/c" not in s  # new, but the set is full
    assert s.add_new("https://p.eu/\ud800x")  # a lone surrogate is a URL like any other
    assert "https://p.eu/\ud800x" in s
