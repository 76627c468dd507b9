"""security.hsts, security.headers, security.txt."""
from __future__ import annotations

from datetime import date

from checks.artifacts import SiteArtifact
from checks.base import Outcome
from checks.security_headers import Hsts, SecurityHeaders, SecurityTxt


def site(url: str = "https://www.comune.example.it/", headers: dict | None = None, txt: dict | None = None,
         fetch_status: str = "ok") -> SiteArtifact:
    return SiteArtifact(url, home={"url": url, "final_url": url, "status": 200, "fetch_status": fetch_status,
                                   "headers": headers or {}},
                        security_txt=txt, today=date(2026, 11, 28))


def test_hsts() -> None:
    assert Hsts().evaluate(site(headers={"strict-transport-security": "max-age=63072000; includeSubDomains"}))[0].outcome == Outcome.PASSED
    short = Hsts().evaluate(site(headers={"strict-transport-security": "max-age=300"}))[0]
    assert short.outcome == Outcome.FAILED and short.details["max_age"] == 300
    assert Hsts().evaluate(site(headers={}))[0].outcome == Outcome.FAILED
    assert Hsts().evaluate(site("http://stadt.example.de/"))[0].outcome == Outcome.INAPPLICABLE
    assert Hsts().evaluate(site(fetch_status="timeout"))[0].outcome == Outcome.CANT_TELL


def test_security_headers_are_informative_one_finding_each() -> None:
    findings = SecurityHeaders().evaluate(site(headers={
        "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
        "x-content-type-options": "nosniff"}))
    got = {f.details["header"]: f.outcome for f in findings}
    assert got == {"Content-Security-Policy": Outcome.PASSED, "X-Content-Type-Options": Outcome.PASSED,
                   "Referrer-Policy": Outcome.FAILED,
                   "Frame protection (X-Frame-Options or CSP frame-ancestors)": Outcome.PASSED}
    assert all(f.details["informative"] for f in findings)
    assert "nosniff" in findings[1].evidence[0].text


GOOD = "Contact: mailto:security@comune.example.it\nExpires: 2027-06-30T23:00:00Z\nPreferred-Languages: it, en\n"


def txt(text: str | None, status: int = 200, ctype: str = "text/plain; charset=utf-8") -> dict:
    return {"url": "https://www.comune.example.it/.well-known/security.txt", "status": status,
            "content_type": ctype, "text": text, "error": None}


def test_security_txt() -> None:
    good = SecurityTxt().evaluate(site(txt=txt(GOOD)))[0]
    assert good.outcome == Outcome.PASSED and "security@comune.example.it" in good.message
    expired = SecurityTxt().evaluate(site(txt=txt(GOOD.replace("2027-06-30", "2025-01-01"))))[0]
    assert expired.outcome == Outcome.FAILED and "expired" in expired.message
    no_contact = SecurityTxt().evaluate(site(txt=txt("Expires: 2027-01-01T00:00:00Z\n")))[0]
    assert no_contact.outcome == Outcome.FAILED and "no Contact" in no_contact.message
    html = SecurityTxt().evaluate(site(txt=txt(GOOD, ctype="text/html")))[0]
    assert html.outcome == Outcome.FAILED and "text/plain" in html.message
    missing = SecurityTxt().evaluate(site(txt=txt(None, status=404)))[0]
    assert missing.outcome == Outcome.FAILED and "HTTP 404" in missing.message
