"""The hostile web: one route per hazard on a local server, one test per route.

Each hazard is linked from the home page of one small portal, audited once with a
short timeout and a small size limit; every test checks that the audit ended
within its budget and that the fault was recorded as what it is. Separate
portals cover a robots.txt that disallows everything and a JavaScript-only site,
and the HTML report of a page whose title and text are markup is opened in
headless Chromium to show that nothing in it ran.
"""
from __future__ import annotations

import os
import time
import zlib

import pytest

from tests.helpers import html_doc, report_json, run_cli, send, serve_routes

TIMEOUT = "3"          # --timeout: seconds before a response counts as timed out
MAX_PAGES = "150"
LINKS = 50_000
XSS_TITLE = "<script>alert('title')</script>Comune"
XSS_TEXT = '"><img src=x onerror="document.title=\'pwned\'">'


def _stream(h, chunks, status: int = 200, headers: dict | None = None) -> None:  # noqa: ANN001
    h.send_response(status)
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    try:
        for c in chunks:
            h.wfile.write(c)
            h.wfile.flush()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the crawler hung up: what we want


def drip(h) -> None:  # noqa: ANN001 - one byte a second, for longer than the timeout
    def chunks():  # noqa: ANN202
        for _ in range(20):
            yield b"<"
            time.sleep(1)
    _stream(h, chunks(), headers={"Content-Type": "text/html", "Content-Length": "20"})


def gzip_bomb(h) -> None:  # noqa: ANN001 - 1 MiB on the wire, 1 GiB once inflated
    _stream(h, [BOMB], headers={"Content-Type": "text/html", "Content-Encoding": "gzip",
                                "Content-Length": str(len(BOMB))})


def huge(h) -> None:  # noqa: ANN001 - far beyond the size limit
    block = b"<p>" + b"x" * (1024 * 1024 - 3)
    _stream(h, (block for _ in range(30)), headers={"Content-Type": "text/html", "Content-Length": str(30 * len(block))})


def _bomb() -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    zero = bytes(1024 * 1024)
    return b"".join([*(comp.compress(zero) for _ in range(1024)), comp.flush()])


BOMB = _bomb()
BURSTS: dict[str, int] = {}


def burst(h) -> None:  # noqa: ANN001 - 500 and 503 in turns
    n = BURSTS[h.path] = BURSTS.get(h.path, 0) + 1
    send(h, 500 if n % 2 else 503, "<p>busy</p>")


def routes() -> dict:
    links = ["/chain/0", "/many-links", "/drip", "/burst", "/retry-after", "/gzip-bomb", "/huge", "/no-type",
             "/wrong-type", "/json-as-html", "/bad-encoding", "/bogus-charset", "/binary", "/xss", "/loop?x=1"]
    home = html_doc("".join(f'<a href="{u}">{u}</a> ' for u in links), "it", title="Comune di Prova")
    many = html_doc("".join(f'<a href="/p/{i}">{i}</a>' for i in range(LINKS)), "it")
    r = {
        "/": lambda h: send(h, 200, home),
        "/many-links": lambda h: send(h, 200, many),
        "/drip": drip,
        "/burst": burst,
        "/retry-after": lambda h: send(h, 429, "too many", headers={"Retry-After": "86400"}),
        "/gzip-bomb": gzip_bomb,
        "/huge": huge,
        "/no-type": lambda h: _stream(h, [html_doc("<p>no type</p>").encode()]),
        "/wrong-type": lambda h: send(h, 200, html_doc("<p>html as text</p>"), "text/plain"),
        "/json-as-html": lambda h: send(h, 200, '{"a": [1, 2, 3]}', "text/html"),
        "/bad-encoding": lambda h: send(h, 200, b"<html lang='it'><title>Citt\xe0 \xff\xfe</title><p>\xc3\x28</p></html>",
                                        "text/html; charset=utf-8"),
        "/bogus-charset": lambda h: send(h, 200, html_doc("<p>charset</p>"), "text/html; charset=utf-42"),
        "/binary": lambda h: send(h, 200, os.urandom(64 * 1024), "text/html"),
        "/xss": lambda h: send(h, 200, f"<!doctype html><html lang='it'><head><title>{XSS_TITLE}</title></head>"
                                       f"<body><p>{XSS_TEXT}</p><a href='javascript:alert(1)'>{XSS_TEXT}</a></body></html>"),
    }

    def lookup(path: str):  # noqa: ANN202
        if path in r:
            return r[path]
        if path.startswith("/chain/"):  # a redirect chain longer than the limit
            n = int(path.rsplit("/", 1)[1])
            return lambda h: send(h, 302, b"", headers={"Location": f"/chain/{n + 1}"})
        if path.startswith("/p/"):
            return lambda h: send(h, 200, html_doc(f"<p>{path}</p>", "it"))
        if path.startswith("/loop"):
            return lambda h: send(h, 200, html_doc(f'<a href="{path}&x=1">again</a>', "it"))
        return None
    return lookup


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict:  # noqa: ANN001
    d = tmp_path_factory.mktemp("hostile")
    db = f"sqlite:///{d}/h.db"
    started = time.monotonic()
    with serve_routes(routes()) as url:
        proc = run_cli("audit", url, "--db", db, "--timeout", TIMEOUT, "--max-pages", MAX_PAGES,
                       "--browser-pages", "0", "-q", "--report-dir", str(d), timeout=240)
    elapsed = time.monotonic() - started
    rep = report_json(db)
    base = rep["portal"]["start_url"].rstrip("/")
    pages = {p["url"][len(base):]: p for p in rep["pages"]}
    return {"rep": rep, "pages": pages, "elapsed": elapsed, "proc": proc, "db": db, "dir": d}


def test_the_audit_ends_within_its_budget(hostile: dict) -> None:
    assert hostile["rep"]["run"]["status"] == "finished"
    assert hostile["elapsed"] < 150, hostile["elapsed"]
    assert len([p for p in hostile["rep"]["pages"] if p["status"] is not None]) <= int(MAX_PAGES)


def test_a_long_redirect_chain_stops_at_the_limit(hostile: dict) -> None:
    assert hostile["pages"]["/chain/0"]["fetch_status"] == "too-many-redirects"


def test_fifty_thousand_links_are_bounded(hostile: dict) -> None:
    page = hostile["pages"]["/many-links"]
    assert page["fetch_status"] == "ok"
    followed = [u for u in hostile["pages"] if u.startswith("/p/")]
    assert len(followed) < int(MAX_PAGES)  # the budget, not the page, decides


def test_a_dripping_response_times_out(hostile: dict) -> None:
    assert hostile["pages"]["/drip"]["fetch_status"] == "timeout"


def test_bursts_of_500_and_503_are_http_errors_after_retries(hostile: dict) -> None:
    p = hostile["pages"]["/burst"]
    assert p["fetch_status"] == "http-error" and p["status"] in (500, 503)
    assert BURSTS["/burst"] <= 3  # the first try and two retries, no more


def test_429_with_retry_after_is_blocked_not_hammered(hostile: dict) -> None:
    p = hostile["pages"]["/retry-after"]
    assert p["fetch_status"] == "blocked" and p["status"] == 429


def test_a_gzip_bomb_is_refused(hostile: dict) -> None:
    assert hostile["pages"]["/gzip-bomb"]["fetch_status"] in ("too-large", "fetch-error")
    assert hostile["pages"]["/gzip-bomb"]["error"]


def test_a_body_beyond_the_size_limit_is_refused(hostile: dict) -> None:
    assert hostile["pages"]["/huge"]["fetch_status"] == "too-large"


@pytest.mark.parametrize("path", ["/no-type", "/wrong-type", "/json-as-html", "/bad-encoding", "/bogus-charset", "/binary"])
def test_wrong_types_encodings_and_binaries_are_recorded_not_fatal(hostile: dict, path: str) -> None:
    p = hostile["pages"][path]
    assert p["fetch_status"] == "ok" and p["status"] == 200
    judged = [f for f in hostile["rep"]["findings"] if (f["url"] or "").endswith(path)]
    assert all(f["outcome"] != "error" for f in judged), [f["message"] for f in judged if f["outcome"] == "error"]


def test_the_bad_encoding_page_is_still_read(hostile: dict) -> None:
    assert hostile["pages"]["/bad-encoding"]["title"].startswith("Citt")


def test_an_endless_query_loop_is_cut(hostile: dict) -> None:
    assert sum(u.startswith("/loop") for u in hostile["pages"]) <= 12


def test_markup_in_titles_and_text_never_runs_in_the_report(hostile: dict) -> None:
    """Open the HTML report in headless Chromium: no dialog, no injected element, the
    hostile strings shown as text."""
    from playwright.sync_api import sync_playwright
    from crawler.browser import CHROME_ARGS, find_chromium
    html = hostile["dir"] / "hostile.html"
    run_cli("report", "latest", "--db", hostile["db"], "-o", str(html))
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROME_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(html.as_uri())
            page.wait_for_timeout(300)
            injected = page.evaluate("document.querySelectorAll('img[onerror], script:not([nonce]):not([src])').length")
            title = page.title()
            body = page.inner_text("body")
        finally:
            browser.close()
    assert dialogs == [] and title != "pwned"
    assert injected <= 1  # the report's own print script, allowed by hash
    assert "<script>alert('title')</script>Comune" in body or "alert('title')" in body


def test_robots_txt_disallowing_everything_is_obeyed(tmp_path) -> None:  # noqa: ANN001
    seen: list[str] = []

    def log(body: str, ctype: str = "text/html"):  # noqa: ANN202
        def handler(h):  # noqa: ANN001, ANN202
            seen.append(h.path)
            send(h, 200, body, ctype)
        return handler
    db = f"sqlite:///{tmp_path}/r.db"
    with serve_routes({"/robots.txt": log("User-agent: *\nDisallow: /\n", "text/plain"),
                       "/": log(html_doc('<a href="/a">a</a>')), "/a": log(html_doc("a"))}) as url:
        run_cli("audit", url, "--db", db, "--browser-pages", "0", "-q", timeout=120)
    rep = report_json(db)
    assert rep["run"]["status"] == "finished"
    assert rep["pages"][0]["fetch_status"] == "robots-disallowed"
    assert "/" not in seen and "/a" not in seen  # only robots.txt (and the bookkeeping files) were asked for


def test_a_javascript_only_site_is_said_to_be_unreadable_not_failed(tmp_path) -> None:  # noqa: ANN001
    app = ("<!doctype html><html lang='de'><head><title>Stadt</title></head><body><div id='app'></div>"
           "<script>document.getElementById('app').innerHTML='<footer><a href=\"/datenschutz\">Datenschutz</a>"
           "</footer>'</script></body></html>")
    db = f"sqlite:///{tmp_path}/j.db"
    with serve_routes({"/": lambda h: send(h, 200, app)}) as url:
        run_cli("audit", url, "--db", db, "--browser-pages", "0", "-q", timeout=120)
    rep = report_json(db)
    links = [f for f in rep["findings"] if f["check"] == "privacy.notice-link"]
    assert [f["outcome"] for f in links] == ["cantTell"] and "JavaScript" in links[0]["message"]


@pytest.mark.parametrize("encoding", [None, "utf-8", "utf-16-le", "utf-32", "x-user-defined", "bogus"])
def test_random_bytes_in_any_declared_encoding_never_lose_the_page(tmp_path, encoding) -> None:  # noqa: ANN001
    from citylabel.config import AuditConfig
    from citylabel.stage import JudgeStage
    stage = JudgeStage(AuditConfig(start_url="http://127.0.0.1:9/", db_url=f"sqlite:///{tmp_path}/f.db",
                                   progress=False, browser_pages=0))
    for i in range(10):
        out = stage.handle({"kind": "page", "url": f"http://127.0.0.1:9/b{i}", "status": 200, "depth": 1,
                            "headers": [("Content-Type", "text/html")], "body": os.urandom(8192),
                            "content_type": "text/html", "encoding": encoding})
        assert out["fetch_status"] == "ok"
    result = stage.finish()
    assert result["stats"]["pages"] == 10 and result["stats"]["judge_errors"] == []
    assert result["stats"]["outcomes"]["error"] == 0
