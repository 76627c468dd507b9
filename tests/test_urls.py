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
