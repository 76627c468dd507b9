"""Transport and disclosure hygiene read from the home page's response and
from ``/.well-known/security.txt``.

- ``security.hsts``: Strict-Transport-Security (RFC 6797) on the HTTPS home
  page, so browsers never fall back to plain HTTP.
- ``security.headers``: the protective response headers, one finding each
  with its value: informative (``details.informative``), since their absence
  is a weakness, not a breach.
- ``security.txt``: an RFC 9116 file with the required Contact and Expires
  fields, not expired, so people who find a vulnerability know where to report it.
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from checks.artifacts import SiteArtifact
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope

ONE_YEAR = 31_536_000


def _home(site: SiteArtifact) -> tuple[str | None, dict[str, str]]:
    home = site.home or {}
    return home.get("final_url") or home.get("url"), home.get("headers") or {}


def _unreachable(check: Check, site: SiteArtifact) -> list[Finding] | None:
    if not site.home or site.home.get("fetch_status") != "ok":
        return [check.finding(Outcome.CANT_TELL, "The home page could not be fetched",
                              evidence=[Evidence(url=site.start_url,
                                                 text=str((site.home or {}).get("fetch_status")))])]
    return None


class Hsts(Check):
    meta = CheckMeta(
        id="security.hsts", title="HTTPS home page sends Strict-Transport-Security",
        principles=("security",), scope=Scope.SITE, requires=("site",), version="1.0",
        standard="RFC 6797 (HSTS); ENISA and national web guidelines (AgID, ANSSI, BSI)")

    def evaluate(self, site: SiteArtifact) -> list[Finding]:
        skip = _unreachable(self, site)
        if skip:
            return skip
        url, headers = _home(site)
        if urlsplit(url or "").scheme != "https":
            return [self.finding(Outcome.INAPPLICABLE, "The home page is not served over HTTPS "
                                 "(see security.https)", evidence=[Evidence(url=url)])]
        value = headers.get("strict-transport-security")
        if not value:
            return [self.finding(Outcome.FAILED, "No Strict-Transport-Security header on the home page",
                                 evidence=[Evidence(url=url, text="response headers: " +
                                                    ", ".join(sorted(headers))[:280])])]
        m = re.search(r"max-age\s*=\s*\"?(\d+)", value, re.I)
        age = int(m.group(1)) if m else 0
        ev = [Evidence(url=url, text=f"Strict-Transport-Security: {value}")]
        if age < ONE_YEAR:
            return [self.finding(Outcome.FAILED, f"HSTS max-age is {age} s, less than one year", evidence=ev,
                                 details={"max_age": age})]
        return [self.finding(Outcome.PASSED, f"HSTS is set (max-age {age} s)", evidence=ev,
                             details={"max_age": age})]


HEADERS = (
    ("content-security-policy", "Content-Security-Policy"),
    ("x-content-type-options", "X-Content-Type-Options"),
    ("referrer-policy", "Referrer-Policy"),
)


class SecurityHeaders(Check):
    meta = CheckMeta(
        id="security.headers", title="Protective response headers (informative)",
        principles=("security",), scope=Scope.SITE, requires=("site",), version="1.0",
        standard="OWASP Secure Headers Project; W3C CSP Level 3; national web guidelines")

    def evaluate(self, site: SiteArtifact) -> list[Finding]:
        skip = _unreachable(self, site)
        if skip:
            return skip
        url, headers = _home(site)
        out = []
        for key, label in HEADERS:
            value = headers.get(key)
            out.append(self._one(url, label, value))
        frame = headers.get("x-frame-options")
        csp = headers.get("content-security-policy") or ""
        if not frame and "frame-ancestors" in csp.lower():
            frame = "CSP " + next(p.strip() for p in csp.split(";") if "frame-ancestors" in p.lower())
        out.append(self._one(url, "Frame protection (X-Frame-Options or CSP frame-ancestors)", frame))
        return out

    def _one(self, url: str | None, label: str, value: str | None) -> Finding:
        details = {"informative": True, "header": label, "value": value}
        if value:
            return self.finding(Outcome.PASSED, f"{label}: {value[:200]}", details=details,
                                evidence=[Evidence(url=url, text=f"{label}: {value}")])
        return self.finding(Outcome.FAILED, f"{label} is not set on the home page", details=details,
                            evidence=[Evidence(url=url, text=f"{label}: (absent)")])


class SecurityTxt(Check):
    meta = CheckMeta(
        id="security.txt", title="security.txt (RFC 9116) with Contact and Expires",
        principles=("security",), scope=Scope.SITE, requires=("site",), version="1.0",
        standard="RFC 9116; EU NIS2 Directive Art. 12 (coordinated vulnerability disclosure)")

    def evaluate(self, site: SiteArtifact) -> list[Finding]:
        st = site.security_txt
        if st is None:
            return [self.finding(Outcome.CANT_TELL, "/.well-known/security.txt was not requested")]
        url = st.get("url")
        if st.get("text") is None:
            why = f"HTTP {st['status']}" if st.get("status") else (st.get("error") or "not fetched")
            return [self.finding(Outcome.FAILED, f"No security.txt ({why})", evidence=[Evidence(url=url, text=why)])]
        fields: dict[str, list[str]] = {}
        for line in st["text"].splitlines():
            m = re.match(r"^\s*([A-Za-z-]+)\s*:\s*(.+?)\s*$", line)
            if m and not line.lstrip().startswith("#"):
                fields.setdefault(m.group(1).lower(), []).append(m.group(2))
        contact, expires = fields.get("contact"), fields.get("expires")
        problems = []
        if not contact:
            problems.append("no Contact field")
        if not expires:
            problems.append("no Expires field")
        else:
            try:
                when = datetime.fromisoformat(expires[0].replace("Z", "+00:00"))
                if site.today and when.date() < site.today:
                    problems.append(f"expired on {when.date().isoformat()}")
            except ValueError:
                problems.append(f"Expires is not an RFC 3339 date: {expires[0][:40]}")
        if "text/plain" not in (st.get("content_type") or "").lower():
            problems.append(f"served as {st.get('content_type') or 'unknown type'}, not text/plain")
        text = "; ".join(f"{k.title()}: {', '.join(v)[:120]}" for k, v in fields.items())[:300]
        ev = [Evidence(url=url, text=text or st["text"][:300])]
        if problems:
            return [self.finding(Outcome.FAILED, "security.txt is invalid: " + "; ".join(problems), evidence=ev)]
        return [self.finding(Outcome.PASSED, f"security.txt names a contact ({contact[0][:100]})",
                             evidence=ev)]
