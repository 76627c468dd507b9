"""The browser gatherer in Debian's headless Chromium, on 127.0.0.1 only."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from crawler.browser import gather_sync
from crawler.urls import Scope
from tests.helpers import html_doc, send, serve_routes

TRACKER = "https://www.googletagmanager.com/gtag/js?id=G-TEST"
PAGE = html_doc(f'<script async src="{TRACKER}"></script>'
                "<script>document.cookie='visited=1; path=/'; localStorage.setItem('seen','1');</script>"
                '<main><h1>Benvenuti</h1><img src="/logo.svg"><a href="/a">Servizi</a></main>', "it")
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):  # noqa: ANN001, ANN201
    def hang(h):  # noqa: ANN001, ANN202
        time.sleep(6)
        send(h, 200, html_doc("late"))
    routes = {"/": lambda h: send(h, 200, PAGE), "/logo.svg": lambda h: send(h, 200, LOGO, "image/svg+xml"),
              "/hang": hang, "/missing-alt": lambda h: send(h, 200, PAGE)}
    with serve_routes(routes) as url:
        shots = tmp_path_factory.mktemp("shots")
        arts = gather_sync(Scope(url), [url, url + "hang", url + "missing-alt"], concurrency=2,
                           page_timeout=3, screenshot_dir=shots)
    return url, arts


def test_axe_runs_and_finds_the_image_without_alt(rendered) -> None:  # noqa: ANN001
    url, arts = rendered
    home = arts[0]
    assert home.error is None and home.status == 200
    assert home.axe["version"].startswith("4.")
    image_alt = [v for v in home.axe["violations"] if v["id"] == "image-alt"]
    assert image_alt and image_alt[0]["nodes"][0]["html"].startswith("<img")
    assert "wcag2a" in image_alt[0]["tags"] and "wcag111" in image_alt[0]["tags"]
    assert any(p["id"] == "document-title" for p in home.axe["passes"])
    assert "<h1>Benvenuti</h1>" in home.dom  # the rendered DOM is kept


def test_out_of_scope_requests_are_recorded_and_never_sent(rendered) -> None:  # noqa: ANN001
    _, arts = rendered
    tracker = [r for r in arts[0].requests if r["url"].startswith("https://www.googletagmanager.com/")]
    assert tracker and tracker[0]["blocked"] and tracker[0]["third_party"]
    local = [r for r in arts[0].requests if r["url"].endswith("/logo.svg")]
    assert local and not local[0]["blocked"]


def test_cookies_storage_and_screenshot_are_recorded(rendered) -> None:  # noqa: ANN001
    _, arts = rendered
    assert [c["name"] for c in arts[0].cookies] == ["visited"]
    assert arts[0].local_storage == ["seen"]
    assert arts[0].screenshot and arts[0].screenshot.endswith(".jpg")
    assert Path(arts[0].screenshot).read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG


def test_a_hung_page_is_an_error_and_the_rest_go_on(rendered) -> None:  # noqa: ANN001
    _, arts = rendered
    assert arts[1].error and arts[1].error.startswith("timeout")
    assert arts[2].error is None and arts[2].axe is not None


def test_our_own_html_report_has_no_axe_violations(tmp_path) -> None:  # noqa: ANN001
    """An accessibility tool's report must itself be accessible."""
    from reports.html import render_html
    from tests.test_report_html import build_report
    (tmp_path / "report.html").write_text(render_html(build_report()), encoding="utf-8")
    routes = {"/report.html": lambda h: send(h, 200, (tmp_path / "report.html").read_text(encoding="utf-8"))}
    with serve_routes(routes) as url:
        art = gather_sync(Scope(url), [url + "report.html"], page_timeout=20)[0]
    assert art.error is None
    assert [(v["id"], v["nodes"][0]["html"]) for v in art.axe["violations"]] == []


def test_axe_check_on_a_real_rendering(rendered) -> None:  # noqa: ANN001
    from checks.a11y_axe import AxeResults
    from checks.base import Outcome
    findings = AxeResults().evaluate(rendered[1][0])
    failed = {f.details["rule"]: f for f in findings if f.outcome == Outcome.FAILED}
    assert "image-alt" in failed and failed["image-alt"].evidence[0].selector
    assert [f.outcome for f in AxeResults().evaluate(rendered[1][1])] == [Outcome.ERROR]


def test_a_browser_that_dies_is_restarted_and_only_its_page_fails() -> None:
    import asyncio

    from crawler.browser import BrowserGatherer

    class DyingBrowser(BrowserGatherer):
        async def _render(self, index: int, url: str):  # noqa: ANN202
            if url.endswith("slow"):
                browser = await self._ensure_browser()

                async def die() -> None:
                    await asyncio.sleep(0.5)
                    await browser.close()  # the browser goes away under this page
                asyncio.get_running_loop().create_task(die())
            return await super()._render(index, url)

    def slow(h):  # noqa: ANN001, ANN202
        time.sleep(2)
        send(h, 200, html_doc("late"))
    with serve_routes({"/": lambda h: send(h, 200, PAGE), "/slow": slow,
                       "/logo.svg": lambda h: send(h, 200, LOGO, "image/svg+xml")}) as url:
        gatherer = DyingBrowser(Scope(url), concurrency=1, page_timeout=10)
        arts = asyncio.run(gatherer.gather([url, url + "slow", url + "?after"]))
    assert arts[0].error is None
    assert arts[1].error is not None
    assert arts[2].error is None and arts[2].axe is not None
    assert gatherer.restarts >= 1


def test_a_page_that_navigates_itself_is_tested_where_it_lands() -> None:
    refresh_in = html_doc('<meta http-equiv="refresh" content="0; url=/landing"><p>moving</p>')
    refresh_out = html_doc('<meta http-equiv="refresh" content="0; url=https://elsewhere.example/">'
                           '<p>moving away</p>')
    with serve_routes({"/in": lambda h: send(h, 200, refresh_in),
                       "/out": lambda h: send(h, 200, refresh_out),
                       "/landing": lambda h: send(h, 200, PAGE),
                       "/logo.svg": lambda h: send(h, 200, LOGO, "image/svg+xml")}) as url:
        arts = gather_sync(Scope(url), [url + "in", url + "out"], concurrency=1, page_timeout=10)
    assert arts[0].error is None and arts[0].axe is not None
    assert arts[0].final_url == url + "landing"
    out = arts[1]
    # either axe ran before the refresh fired, or the page is marked as having left the scope
    assert (out.error and ("outside" in out.error or "navigat" in out.error)) or out.axe is not None
    assert any(r["url"].startswith("https://elsewhere.example/") and r["blocked"] for r in out.requests)
