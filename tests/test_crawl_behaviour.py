"""The crawler against a local server full of hazards: it stays in budget and
scope, records every fault as what it is, and fetches evidence first."""
from __future__ import annotations

import random

import pytest

from tests.helpers import html_doc, report_json, run_cli, send, serve_routes

FOOTER = ('<footer><a href="/privacy">Privacy</a> '
          '<a href="/dichiarazione">Dichiarazione di accessibilità</a></footer>')


def hazard_routes(seen: dict) -> dict:
    def home(h):  # noqa: ANN001, ANN202
        seen["user_agent"] = h.headers.get("User-Agent")
        port = h.server.server_address[1]
        links = "".join(f'<a href="/news/{i}">Notizia {i}</a>' for i in range(5))
        links += ('<a href="/agenda?month=2026-01">Agenda</a>'
                  '<a href="/sess?PHPSESSID=1">Sessione</a>'
                  '<a href="/loop/a/">Loop</a>'
                  '<a href="/forbidden">Riservato</a>'
                  '<a href="/challenge">Verifica</a>'
                  '<a href="/busy">Occupato</a>'
                  '<a href="/modulo.pdf">Modulo PDF</a>'
                  '<a href="/away">Fuori</a>'
                  '<a href="/redirect-loop">Giro</a>'
                  '<a href="/private/x">Privato</a>'
                  '<a href="/missing">Rotto</a>'
                  '<a href="mailto:a@b.it">Mail</a>'
                  '<a href="/logo.png">Logo</a>'
                  '<a href="/slow">Lento</a>'
                  f'<a href="https://127.0.0.1:{port}/secure">Sicuro</a>')
        send(h, 200, html_doc(f"<main>{links}</main>{FOOTER}", "it", "Home"))

    def agenda(h):  # noqa: ANN001, ANN202 - an endless calendar
        month = int(h.path.rsplit("-", 1)[1])
        year = int(h.path.split("=")[1][:4]) + (month // 12)
        nxt = f"{year}-{month % 12 + 1:02d}"
        send(h, 200, html_doc(f'<a href="/agenda?month={nxt}">Mese successivo</a>{FOOTER}', "it"))

    def sess(h):  # noqa: ANN001, ANN202 - a new session id on every link
        sid = random.randint(0, 10**9)
        send(h, 200, html_doc(f'<a href="/sess?PHPSESSID={sid}">Ancora</a>{FOOTER}', "it"))

    def loop(h):  # noqa: ANN001, ANN202 - relative links that nest forever
        send(h, 200, html_doc(f'<a href="a/">Avanti</a>{FOOTER}', "it"))

    def pdf(h):  # noqa: ANN001, ANN202
        send(h, 200, b"%PDF-1.4\n% test\n%%EOF\n", "application/pdf")

    def away(h):  # noqa: ANN001, ANN202 - redirect off-site (never followed)
        send(h, 302, b"", headers={"Location": "http://127.0.0.2:9/elsewhere"})

    def redirect_loop(h):  # noqa: ANN001, ANN202
        send(h, 302, b"", headers={"Location": "/redirect-loop2"})

    def redirect_loop2(h):  # noqa: ANN001, ANN202
        send(h, 302, b"", headers={"Location": "/redirect-loop"})

    def slow(h):  # noqa: ANN001, ANN202 - longer than the audit's --timeout
        import time
        time.sleep(4)
        send(h, 200, html_doc("finally"))

    routes = {
        "/": home,
        "/slow": slow,
        "/robots.txt": lambda h: send(h, 200, "User-agent: *\nDisallow: /private/\n",
                                      "text/plain"),
        "/privacy": lambda h: send(h, 200, html_doc(f"<h1>Informativa</h1>{FOOTER}", "it")),
        "/dichiarazione": lambda h: send(h, 200, html_doc(f"<h1>Dichiarazione</h1>{FOOTER}", "it")),
        "/forbidden": lambda h: send(h, 403, html_doc("Forbidden")),
        "/challenge": lambda h: send(h, 200, "<html><head><title>Just a moment...</title></head>"
                                            "<body><div id='cf-chl-widget'></div></body></html>"),
        "/busy": lambda h: send(h, 429, "slow down", headers={"Retry-After": "3600"}),
        "/modulo.pdf": pdf,
        "/away": away,
        "/redirect-loop": redirect_loop,
        "/redirect-loop2": redirect_loop2,
    }
    for i in range(5):
        routes[f"/news/{i}"] = lambda h, i=i: send(h, 200, html_doc(f"<p>Notizia {i}</p>{FOOTER}", "it"))

    def lookup(path: str):  # noqa: ANN202
        if path.startswith("/agenda"):
            return agenda
        if path.startswith("/sess"):
            return sess
        if path.startswith("/loop/"):
            return loop
        return routes.get(path)
    return lookup


@pytest.fixture(scope="module")
def hazard_report(tmp_path_factory) -> dict:  # noqa: ANN001
    tmp = tmp_path_factory.mktemp("hazard")
    db = f"sqlite:///{tmp / 'h.db'}"
    seen: dict = {}
    with serve_routes(hazard_routes(seen)) as url:
        proc = run_cli("audit", url, "--max-pages", "80", "--max-depth", "40", "--db", db, "-q",
                       "--browser-pages", "0",
                       "--timeout", "1.5", "--contact-url", "https://assessor.example.eu/contact",
                       "--report-dir", str(tmp))
    rep = report_json(db)
    rep["_seen"] = seen
    rep["_stderr"] = proc.stderr
    rep["_base"] = url
    return rep


def _by_status(rep: dict, status: str) -> list[str]:
    return [p["url"].replace(rep["_base"], "/") for p in rep["pages"] if p["fetch_status"] == status]


def test_run_finishes_within_budget(hazard_report: dict) -> None:
    assert hazard_report["run"]["status"] == "finished"
    fetched = [p for p in hazard_report["pages"] if p["status"] is not None]
    assert len(fetched) <= 80


def test_traps_are_cut_short_and_counted(hazard_report: dict) -> None:
    urls = [p["url"] for p in hazard_report["pages"]]
    assert sum("/agenda" in u for u in urls) <= 13
    assert sum("/sess" in u for u in urls) == 1  # session ids are one page
    assert sum("/loop/" in u for u in urls) <= 3
    skipped = hazard_report["run"]["stats"]["skipped_links"]
    assert skipped.get("calendar-trap", 0) >= 1
    assert skipped.get("repeating-path-segments", 0) >= 1


def test_faults_are_recorded_as_what_they_are(hazard_report: dict) -> None:
    assert set(_by_status(hazard_report, "blocked")) == {"/forbidden", "/challenge", "/busy"}
    assert _by_status(hazard_report, "robots-disallowed") == ["/private/x"]
    assert _by_status(hazard_report, "http-error") == ["/missing"]
    assert _by_status(hazard_report, "out-of-scope") == ["/away"]
    assert _by_status(hazard_report, "timeout") == ["/slow"]
    assert _by_status(hazard_report, "tls-error") == [hazard_report["_base"].replace("http://", "https://") + "secure"]
    loops = [p for p in hazard_report["pages"] if p["url"].endswith("/redirect-loop")]
    assert loops and loops[0]["fetch_status"] == "too-many-redirects"
    # blocked pages are not judged as if they were the portal's pages
    judged = {f["url"] for f in hazard_report["findings"] if f["url"]}
    assert not any(u.endswith(("/forbidden", "/challenge", "/busy")) for u in judged)


def test_user_agent_names_citylabel_and_a_contact(hazard_report: dict) -> None:
    ua = hazard_report["_seen"]["user_agent"]
    assert ua.startswith("citylabel/") and "https://assessor.example.eu/contact" in ua


def test_documents_are_recorded_with_type_and_size(hazard_report: dict) -> None:
    pdf = [p for p in hazard_report["pages"] if p["url"].endswith("/modulo.pdf")]
    assert pdf and pdf[0]["content_type"] == "application/pdf" and pdf[0]["size"] == 22
    assert not any(p["url"].endswith("/logo.png") for p in hazard_report["pages"])


def test_progress_is_shown(tmp_path) -> None:  # noqa: ANN001
    with serve_routes(hazard_routes({})) as url:
        proc = run_cli("audit", url, "--max-pages", "3", "--browser-pages", "0",
                       "--db", f"sqlite:///{tmp_path / 'p.db'}",
                       "--report-dir", str(tmp_path))
    assert "pages" in proc.stderr and "/3 pages" in proc.stderr


def test_small_budget_fetches_evidence_first(tmp_path) -> None:  # noqa: ANN001
    news = "".join(f'<a href="/notizie/{i}">Notizia numero {i}</a>' for i in range(40))
    home = html_doc(f"<main>{news}</main>{FOOTER}", "it")
    routes = {"/": lambda h: send(h, 200, home)}

    def any_page(path: str):  # noqa: ANN202
        return routes.get(path) or (lambda h: send(h, 200, html_doc(f"<p>{path}</p>{FOOTER}", "it")))
    db = f"sqlite:///{tmp_path / 'b.db'}"
    with serve_routes(any_page) as url:
        run_cli("audit", url, "--max-pages", "3", "--browser-pages", "0", "--db", db, "-q",
                "--report-dir", str(tmp_path))
    rep = report_json(db)
    fetched = {p["url"].replace(url, "/") for p in rep["pages"]}
    assert fetched == {"/", "/privacy", "/dichiarazione"}
