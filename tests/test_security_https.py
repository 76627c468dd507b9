"""security.https: unit cases on artifacts, and a real audit over local TLS."""
from __future__ import annotations

from checks.artifacts import SiteArtifact
from checks.base import Outcome
from checks.security_https import HttpsCheck
from tests.helpers import html_doc, report_json, run_cli, send, serve_routes
from tests.tls import server_context


def home(url: str, final: str | None = None, status: int = 200, fetch_status: str = "ok") -> dict:
    return {"url": url, "final_url": final or url, "status": status, "fetch_status": fetch_status}


def outcomes(site: SiteArtifact) -> list[Outcome]:
    return [f.outcome for f in HttpsCheck().evaluate(site)]


def test_https_with_redirecting_http_passes() -> None:
    site = SiteArtifact("https://www.comune.example.it/", home=home("https://www.comune.example.it/"),
                        scheme_probe={"url": "http://www.comune.example.it/", "status": 301,
                                      "location": "https://www.comune.example.it/", "fetch_status": "ok"},
                        pages=[home("https://www.comune.example.it/")])
    assert outcomes(site) == [Outcome.PASSED, Outcome.PASSED]


def test_http_start_redirected_to_https_passes_first_part() -> None:
    site = SiteArtifact("http://stadt.example.de/", home=home("http://stadt.example.de/", "https://stadt.example.de/"),
                        scheme_probe={"url": "https://stadt.example.de/", "status": 200, "fetch_status": "ok"},
                        pages=[home("http://stadt.example.de/", "https://stadt.example.de/")])
    assert outcomes(site)[0] == Outcome.PASSED


def test_http_only_portal_fails_both() -> None:
    site = SiteArtifact("http://commune.example.fr/", home=home("http://commune.example.fr/"),
                        scheme_probe={"url": "https://commune.example.fr/", "status": None,
                                      "fetch_status": "connection-refused", "error": "refused"},
                        pages=[home("http://commune.example.fr/")])
    findings = HttpsCheck().evaluate(site)
    assert [f.outcome for f in findings] == [Outcome.FAILED, Outcome.FAILED]
    assert findings[0].evidence[0].url == "http://commune.example.fr/"


def test_https_but_http_serves_content_fails() -> None:
    site = SiteArtifact("https://a.example.eu/", home=home("https://a.example.eu/"),
                        scheme_probe={"url": "http://a.example.eu/", "status": 200, "fetch_status": "ok"})
    assert outcomes(site) == [Outcome.PASSED, Outcome.FAILED]


def test_mixed_pages_over_http_fail_first_part() -> None:
    site = SiteArtifact("https://a.example.eu/", home=home("https://a.example.eu/"),
                        scheme_probe={"url": "http://a.example.eu/", "status": 301,
                                      "location": "https://a.example.eu/", "fetch_status": "ok"},
                        pages=[home("https://a.example.eu/"), home("http://a.example.eu/old")])
    findings = HttpsCheck().evaluate(site)
    assert [f.outcome for f in findings] == [Outcome.FAILED, Outcome.PASSED]
    assert findings[0].evidence[0].url == "http://a.example.eu/old"


def test_probe_timeout_is_cant_tell_and_unreachable_home_is_cant_tell() -> None:
    site = SiteArtifact("https://a.example.eu/", home=home("https://a.example.eu/"),
                        scheme_probe={"url": "http://a.example.eu/", "status": None,
                                      "fetch_status": "timeout", "error": "TimeoutError"})
    assert outcomes(site) == [Outcome.PASSED, Outcome.CANT_TELL]
    down = SiteArtifact("https://a.example.eu/", home=home("https://a.example.eu/", status=None,
                                                            fetch_status="dns-error"))
    assert outcomes(down) == [Outcome.CANT_TELL]


def test_real_audit_over_local_https(tmp_path) -> None:  # noqa: ANN001
    body = html_doc('<main><p>Benvenuti</p><a href="/privacy">Informativa privacy</a></main>', "it")
    secure = {"Strict-Transport-Security": "max-age=31536000", "X-Content-Type-Options": "nosniff"}
    security_txt = "Contact: mailto:cert@comune.example.it\nExpires: 2099-01-01T00:00:00Z\n"
    with serve_routes({"/": lambda h: send(h, 200, body, headers=secure),
                       "/.well-known/security.txt": lambda h: send(h, 200, security_txt, "text/plain"),
                       "/privacy": lambda h: send(h, 200, html_doc("<p>privacy</p>", "it"))},
                      tls_context=server_context()) as https_url:
        def redirect(h):  # noqa: ANN001, ANN202
            send(h, 301, b"", headers={"Location": https_url})
        with serve_routes({"/": redirect}) as http_url:
            db = f"sqlite:///{tmp_path / 't.db'}"
            run_cli("audit", https_url, "--probe-url", http_url, "--db", db, "-q",
                    "--report-dir", str(tmp_path))
    rep = report_json(db)
    https = [f for f in rep["findings"] if f["check"] == "security.https"]
    assert [f["outcome"] for f in https] == ["passed", "passed"], https
    assert https[1]["evidence"][0]["text"].startswith("HTTP 301")
    assert rep["pages"][0]["url"] == https_url
    outcome = {f["check"]: f["outcome"] for f in rep["findings"]
               if f["check"] in ("security.hsts", "security.txt")}
    assert outcome == {"security.hsts": "passed", "security.txt": "passed"}
    headers = {f["details"]["header"]: f["outcome"] for f in rep["findings"] if f["check"] == "security.headers"}
    assert headers["X-Content-Type-Options"] == "passed" and headers["Referrer-Policy"] == "failed"
