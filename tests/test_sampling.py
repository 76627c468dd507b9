"""Sampling: deterministic, key pages first, every template, diverse details."""
from __future__ import annotations

import random

from crawler.sampling import choose, cluster, signature
from tests.helpers import html_doc, page

NEWS = "<main><article class='news'><h1>T</h1><p class='date'>d</p>{imgs}<div class='body'><p>x</p></div></article></main>"
SERVICE = ("<main><div class='service'><h1>S</h1><section class='req'><ul>{items}</ul></section>"
           "<form class='apply'><label for='a'>A</label><input id='a'>{extra}</form></div></main>")
LIST = "<main><section class='list'><h1>L</h1><table><tr><th>a</th></tr>{rows}</table></section></main>"


def sig(body: str):  # noqa: ANN201
    return signature(page(html_doc(body)).tree)


def portal() -> dict:
    pages = {}
    for i in range(12):
        imgs = "".join('<img src="x.png" alt="a">' for _ in range(i % 3))
        if i == 7:
            imgs += '<img src="y.png">'  # the only news page with an image missing alt
        pages[f"https://x.eu/news/{i}"] = sig(NEWS.format(imgs=imgs))
    for i in range(10):
        items = "".join("<li>r</li>" for _ in range(1 + i % 4))
        pages[f"https://x.eu/services/{i}"] = sig(SERVICE.format(items=items, extra=""))
    for i in range(8):
        rows = "".join("<tr><td>v</td></tr>" for _ in range(1 + i))
        pages[f"https://x.eu/list/{i}"] = sig(LIST.format(rows=rows))
    return pages


def test_templates_are_found() -> None:
    sizes = sorted(len(t.members) for t in cluster(portal()))
    assert sizes == [8, 10, 12]


def test_sample_is_deterministic_whatever_the_order() -> None:
    pages = portal()
    shuffled = dict(random.Random(3).sample(sorted(pages.items()), len(pages)))
    assert choose(pages, {}, 6).urls == choose(shuffled, {}, 6).urls


def test_key_pages_come_first_then_one_per_template() -> None:
    pages = portal()
    sample = choose(pages, {"https://x.eu/list/3": "home"}, 3)
    assert sample.urls[0] == "https://x.eu/list/3" and sample.reasons[sample.urls[0]] == "key page: home"
    assert sample.templates == 3 and sample.templates_sampled == 3
    assert {u.split("/")[3] for u in sample.urls} == {"news", "services", "list"}


def test_pages_with_different_details_are_picked_early() -> None:
    sample = choose(portal(), {}, 6)
    assert "https://x.eu/news/7" in sample.urls


def test_site_search_url_is_built_from_a_get_search_form_only() -> None:
    from citylabel.browser_stage import search_url
    home = page(html_doc('<form role="search" action="/suche" method="get"><input type="hidden" name="lang" '
                         'value="de"><input type="search" name="q"></form>', title="Stadt Lindenau"),
                url="https://www.lindenau.example.de/")
    assert search_url(home) == "https://www.lindenau.example.de/suche?lang=de&q=stadt"
    post = page(html_doc('<form action="/suche" method="post"><input type="search" name="q"></form>'))
    assert search_url(post) is None
    contact = page(html_doc('<form action="/kontakt"><input name="email"><textarea name="msg"></textarea></form>'))
    assert search_url(contact) is None
