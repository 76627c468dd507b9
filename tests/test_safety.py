"""Safety: private, loopback and link-local addresses are refused unless allowed; forms are
never submitted and credentials never sent (the only GET with a query is the site search)."""
from __future__ import annotations

import pytest
from scrapy import Request

from crawler.middlewares import PrivateAddress, PrivateAddressMiddleware
from crawler.netguard import non_public, private_reason
from tests.helpers import html_doc, report_json, run_cli, send, serve_routes


@pytest.mark.parametrize("ip,private", [("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.10", True),
                                        ("172.20.0.1", True), ("169.254.169.254", True), ("::1", True),
                                        ("fe80::1", True), ("::ffff:10.0.0.1", True), ("0.0.0.0", True),
                                        ("8.8.8.8", False), ("2a00:1450:4001::1", False), ("193.2.1.66", False)])
def test_address_classes(ip: str, private: bool) -> None:
    assert non_public(ip) is private


def test_private_hosts_and_redirect_targets_are_refused_before_sending() -> None:
    class Spider:
        class config:  # noqa: N801 - a stand-in for AuditConfig
            allow_private = False

    class Crawler:
        spider = Spider()
    mw = PrivateAddressMiddleware(Crawler())
    for url in ("http://169.254.169.254/latest/meta-data/", "http://localhost:8080/admin", "https://[::1]/",
                "http://10.0.0.7/intranet"):
        with pytest.raises(PrivateAddress, match="--allow-private"):
            mw.process_request(Request(url))  # a redirect target goes through here again, too
    assert mw.process_request(Request("https://93.184.216.34/")) is None
    Spider.config.allow_private = True
    assert mw.process_request(Request("http://127.0.0.1/")) is None
    assert private_reason("https://www.comune.example.it/") is None  # unresolvable here: the fetch says so


def test_an_audit_of_a_loopback_portal_is_refused_unless_allowed(tmp_path) -> None:  # noqa: ANN001
    hits: list[str] = []

    def home(h):  # noqa: ANN001, ANN202
        hits.append(h.path)
        send(h, 200, html_doc("<p>intranet</p>"))
    db = f"sqlite:///{tmp_path}/s.db"
    with serve_routes({"/": home}) as url:
        run_cli("audit", url, "--db", db, "--browser-pages", "0", "-q", env={"CITYLABEL_ALLOW_PRIVATE": "0"})
        assert hits == []  # nothing reached the server: not the page, not robots.txt, not the probe
        rep = report_json(db)
        assert rep["pages"][0]["fetch_status"] == "private-address"
        assert "use --allow-private" in rep["pages"][0]["error"]
        run_cli("audit", url, "--db", db, "--browser-pages", "0", "-q", "--allow-private",
                env={"CITYLABEL_ALLOW_PRIVATE": "0"})
        assert "/" in hits


def test_forms_are_never_submitted_and_only_the_site_search_is_queried(tmp_path) -> None:  # noqa: ANN001
    seen: list[tuple[str, str]] = []

    def log(body):  # noqa: ANN001, ANN202
        def handler(h):  # noqa: ANN001, ANN202
            seen.append((h.command, h.path))
            send(h, 200, body)
        return handler
    page = html_doc('<form role="search" action="/zoeken"><input type="search" name="q"></form>'
                    '<form method="post" action="/aanvraag"><input name="naam"><input type="password" name="pw">'
                    '<button>Versturen</button></form><form action="/nieuwsbrief"><input type="email" name="e">'
                    '<button>Aanmelden</button></form><a href="/over">Over de gemeente</a>', "nl", title="Gemeente Waterlo")
    routes = {"/": log(page), "/over": log(page), "/zoeken": log(page), "/aanvraag": log(page), "/nieuwsbrief": log(page)}
    with serve_routes(routes) as url:
        run_cli("audit", url, "--db", f"sqlite:///{tmp_path}/f.db", "--browser-pages", "2", "-q")
    assert all(method == "GET" for method, _ in seen)
    queried = [p for _, p in seen if "?" in p and not p.startswith("/robots")]
    assert queried and all(p.startswith("/zoeken?q=") for p in queried)
    assert not any(p.startswith(("/aanvraag", "/nieuwsbrief")) for _, p in seen)
