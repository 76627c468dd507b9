"""Telling a blocked fetch, a failed fetch and an ordinary page apart.

A 403, 429 or a bot-challenge page says nothing about the portal's quality:
it is recorded as ``blocked``, never judged as if it were the page. Network
failures are sorted into types (as GSA's site scanner does) so an assessor
sees whether to retry.
"""
from __future__ import annotations

BLOCK_STATUSES = {401, 403, 429}
# Markers of bot-protection and CAPTCHA interstitials (Cloudflare, Akamai,
# Imperva/Incapsula, DataDome, PerimeterX, Sucuri, DDoS-Guard, AWS WAF, hCaptcha),
# looked for as plain lower-case substrings of the first bytes: fast on every page.
CHALLENGE_MARKERS = tuple(m.encode() for m in (
    "cf-chl-", "cf_chl_opt", "/cdn-cgi/challenge-platform", "<title>just a moment",
    "attention required! | cloudflare", "checking your browser before", "_incapsula_resource",
    "incapsula incident", "captcha-delivery.com", "px-captcha", "_pxcaptcha",
    "sucuri website firewall", "ddos-guard", "aws-waf-token", "awswafintegration",
    "<title>access denied</title>", "request unsuccessful. incapsula",
    "verify you are human", "please enable js and disable any ad blocker",
))
CHALLENGE_HEAD = 32 * 1024
# A real page with a CAPTCHA in a contact form is large; an interstitial is small.
CHALLENGE_MAX_BYTES = 64 * 1024


def fetch_status_for(status: int, body_head: bytes) -> str:
    """ok | blocked | http-error | redirect, for a response that arrived."""
    if status in BLOCK_STATUSES:
        return "blocked"
    if status in (503, 200) and len(body_head) <= CHALLENGE_MAX_BYTES:
        head = body_head[:CHALLENGE_HEAD].lower()
        if any(marker in head for marker in CHALLENGE_MARKERS):
            return "blocked"
    if 300 <= status < 400:
        return "redirect"
    if status >= 400:
        return "http-error"
    return "ok"


def fetch_status_for_error(failure_type: str, message: str) -> str:
    """Sort a Twisted/Scrapy failure into a fetch-error type."""
    text = f"{failure_type} {message}".lower()
    if "robots.txt" in text or "forbidden by robots" in text:
        return "robots-disallowed"
    if "max redirections" in text or "redirect" in text:
        return "too-many-redirects"
    if "timeout" in text or "timedout" in text:
        return "timeout"
    if "dnslookup" in text or "dns lookup" in text or "no address associated" in text:
        return "dns-error"
    if "connectionrefused" in text or "connection refused" in text:
        return "connection-refused"
    if "ssl" in text or "tls" in text or "certificate" in text or "handshake" in text:
        return "tls-error"
    if "maxsize" in text or "cancelled" in text and "size" in text:
        return "too-large"
    return "fetch-error"
