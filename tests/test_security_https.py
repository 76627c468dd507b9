"""security.https: unit cases on artifacts, and a real audit over local TLS."""
from __future__ import annotations

from checks.artifacts import SiteArtifact
from checks.base import Outcome
from checks.security_https import HttpsCheck
from tests.helpers import html_doc, report_json, run_cli, send, serve_routes
from tests.tls import TestCA, server_context


def home(url: str, final: str | None = None, status: int = 200, fetch_status: str = "ok") -> dict:
    return {"url": url, "final_url": final or url, "status": status, "fetch_status": fetch_status}


def outcomes(site: SiteArtifact) -> list[Outcome]:
    """The outcomes of the first two aspects (served over HTTPS, HTTP redirects)."""
    return [f.outcome for f in HttpsCheck().evaluate(site) if f.details["aspect"] in ("https", "redirect")]


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
    assert [f.outcome for f in findings] == [Outcome.FAILED, Outcome.FAILED]  # no TLS aspects on HTTP
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
    findings = HttpsCheck().evaluate(site)[:2]
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
    ca = TestCA()
    body = html_doc('<main><p>Benvenuti</p><a href="/privacy">Informativa privacy</a></main>', "it")
    secure = {"Strict-Transport-Security": "max-age=31536000", "X-Content-Type-Options": "nosniff"}
    security_txt = "Contact: mailto:cert@comune.example.it\nExpires: 2099-01-01T00:00:00Z\n"
    with serve_routes({"/": lambda h: send(h, 200, body, headers=secure),
                       "/.well-known/security.txt": lambda h: send(h, 200, security_txt, "text/plain"),
                       "/privacy": lambda h: send(h, 200, html_doc("<p>privacy</p>", "it"))},
                      tls_context=ca.context()) as https_url:
        def redirect(h):  # noqa: ANN001, ANN202
            send(h, 301, b"", headers={"Location": https_url})
        with serve_routes({"/": redirect}) as http_url:
            db = f"sqlite:///{tmp_path / 't.db'}"
            run_cli("audit", https_url, "--probe-url", http_url, "--db", db, "-q",
                    "--report-dir", str(tmp_path), "--ca-file", str(ca.ca_file))
    rep = report_json(db)
    https = [f for f in rep["findings"] if f["check"] == "security.https"]
    assert [(f["details"]["aspect"], f["outcome"]) for f in https] == [
        ("https", "passed"), ("redirect", "passed"), ("certificate", "passed"),
        ("tls-version", "passed"), ("mixed-content", "passed")], https
    assert "issuer citylabel test CA" in https[2]["message"]
    assert https[3]["details"]["version"] in ("TLSv1.2", "TLSv1.3")
    assert https[1]["evidence"][0]["text"].startswith("HTTP 301")
    assert rep["pages"][0]["url"] == https_url
    outcome = {f["check"]: f["outcome"] for f in rep["findings"]
               if f["check"] in ("security.hsts", "security.txt")}
    assert outcome == {"security.hsts": "passed", "security.txt": "passed"}
    headers = {f["details"]["header"]: f["outcome"] for f in rep["findings"] if f["check"] == "security.headers"}
    assert headers["X-Content-Type-Options"] == "passed" and headers["Referrer-Policy"] == "failed"


# -- certificate, TLS version and mixed content ------------------------------------------

def tls_site(tls: dict | None, today=None) -> SiteArtifact:  # noqa: ANN001
    url = "https://127.0.0.1/"
    return SiteArtifact(url, home=home(url), tls=tls, today=today,
                        scheme_probe={"url": "http://127.0.0.1/", "status": 301, "location": url,
                                      "fetch_status": "ok"})


def aspects(site: SiteArtifact, **kw) -> dict:  # noqa: ANN003
    return {f.details["aspect"]: f for f in HttpsCheck().evaluate(site, **kw)}


def probe_server(ctx, ca_file=None) -> dict:  # noqa: ANN001
    from crawler.tls import probe_tls
    with serve_routes({"/": lambda h: send(h, 200, "ok")}, tls_context=ctx) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        return probe_tls("127.0.0.1", port, ca_file=str(ca_file) if ca_file else None, timeout=5)


def test_certificate_faults_over_real_handshakes() -> None:
    import datetime
    ca = TestCA()
    good = probe_server(ca.context(), ca.ca_file)
    assert good["verified"] and good["version"] in ("TLSv1.2", "TLSv1.3") and not good["error"]
    today = datetime.date.today()
    found = aspects(tls_site(good, today))
    assert found["certificate"].outcome == Outcome.PASSED and found["certificate"].details["days_left"] >= 18
    assert "127.0.0.1" in found["certificate"].evidence[0].text
    faults = {
        "untrusted": (ca.context(), None, "unable to get local issuer certificate"),
        "expired": (ca.context(expired=True), ca.ca_file, "expired"),
        "wrong host": (ca.context(names=[x509_dns("www.other.example")]), ca.ca_file, "mismatch"),
        "self-signed": (ca.context(self_signed=True), ca.ca_file, "self-signed"),
    }
    for what, (ctx, ca_file, words) in faults.items():
        tls = probe_server(ctx, ca_file)
        assert not tls["verified"] and words in tls["verify_error"].lower(), (what, tls)
        assert tls["version"] and tls["certificate"]["subject"].startswith("portal.test"), what
        cert = aspects(tls_site(tls, today))["certificate"]
        assert cert.outcome == Outcome.FAILED and words in cert.message.lower(), what


def x509_dns(name: str):  # noqa: ANN201
    from cryptography import x509
    return x509.DNSName(name)


def test_tls_version_below_1_2_fails_and_a_missing_handshake_is_cant_tell() -> None:
    old = {"host": "127.0.0.1", "port": 443, "verified": True, "version": "TLSv1.1", "cipher": "AES128-SHA",
           "verify_error": None, "error": None, "certificate": {"subject": "x", "not_after": "2030-01-01T00:00:00+00:00"}}
    assert aspects(tls_site(old))["tls-version"].outcome == Outcome.FAILED
    assert aspects(tls_site(None))["certificate"].outcome == Outcome.CANT_TELL
    broken = dict(old, version=None, error="SSLError: [SSL: UNSUPPORTED_PROTOCOL] unsupported protocol")
    assert aspects(tls_site(broken))["certificate"].outcome == Outcome.FAILED
    refused = dict(old, version=None, error="ConnectionRefusedError: [Errno 111] Connection refused")
    assert aspects(tls_site(refused))["certificate"].outcome == Outcome.CANT_TELL


def test_mixed_content_is_summed_up_from_pages_and_rendered_requests() -> None:
    from checks.artifacts import BrowserArtifact, PageFindings
    from checks.security_mixed_content import MixedContent
    from tests.helpers import page
    pf = PageFindings()
    for url, body in [("https://127.0.0.1/", "<p>ok</p>"),
                      ("https://127.0.0.1/a", '<script src="http://cdn.example.com/x.js"></script>')]:
        pf.add_page([f.to_dict() for f in MixedContent().evaluate(page(html_doc(body), url=url))])
    mixed = aspects(tls_site(None), page_findings=pf, rendered=[])["mixed-content"]
    assert mixed.outcome == Outcome.FAILED and "1 of 2 pages" in mixed.message
    assert mixed.evidence[0].url == "https://127.0.0.1/a" and "http://cdn.example.com/x.js" in mixed.evidence[0].text
    clean = PageFindings()
    clean.add_page([f.to_dict() for f in MixedContent().evaluate(page(html_doc("<p/>"), url="https://127.0.0.1/"))])
    art = BrowserArtifact("https://127.0.0.1/", final_url="https://127.0.0.1/",
                          requests=[{"url": "http://127.0.0.1/img.png", "method": "GET"}])
    dyn = aspects(tls_site(None), page_findings=clean, rendered=[art])["mixed-content"]
    assert dyn.outcome == Outcome.FAILED and "while rendering" in dyn.evidence[0].text
    assert aspects(tls_site(None), page_findings=clean, rendered=[])["mixed-content"].outcome == Outcome.PASSED
    assert aspects(tls_site(None), page_findings=PageFindings(), rendered=[])["mixed-content"].outcome == Outcome.CANT_TELL
