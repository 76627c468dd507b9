"""privacy.pre-consent on rendered-page artifacts."""
from __future__ import annotations

from checks.artifacts import BrowserArtifact
from checks.base import Outcome
from checks.privacy_pre_consent import PreConsentTracking, tracker_of_request


def req(url: str, third_party: bool = True) -> dict:
    return {"url": url, "method": "GET", "resource_type": "script", "third_party": third_party,
            "blocked": third_party}


def art(url: str = "https://www.comune.example.it/", requests=(), cookies=(), dom: str = "<html></html>",
        error: str | None = None) -> BrowserArtifact:
    return BrowserArtifact(url=url, final_url=url, status=200, requests=list(requests),
                           cookies=list(cookies), dom=dom, error=error)


def test_tracker_hosts_and_paths() -> None:
    assert tracker_of_request("https://www.googletagmanager.com/gtag/js?id=G-1") == "Google Analytics / Google Tag"
    assert tracker_of_request("https://www.googletagmanager.com/gtm.js?id=GTM-1") == "Google Tag Manager"
    assert tracker_of_request("https://connect.facebook.net/fr_FR/fbevents.js") == "Meta Pixel"
    assert tracker_of_request("https://static.hotjar.com/c/hotjar-1.js") == "Hotjar"
    assert tracker_of_request("https://cdn.jsdelivr.net/npm/x.js") is None
    assert tracker_of_request("https://notgoogle-analytics.com/x.js") is None


def test_tracker_request_before_consent_fails_with_evidence() -> None:
    pages = [art(requests=[req("https://www.comune.example.it/app.js", False),
                           req("https://www.google-analytics.com/analytics.js")])]
    [f] = PreConsentTracking().evaluate(pages)
    assert f.outcome == Outcome.FAILED and "Google Analytics" in f.message
    assert f.evidence[0].url == "https://www.comune.example.it/"
    assert "https://www.google-analytics.com/analytics.js" in f.evidence[0].text
    assert f.details["trackers"] == {"Google Analytics / Google Tag": 1}


def test_first_party_tracking_cookie_fails() -> None:
    pages = [art(cookies=[{"name": "_ga", "domain": ".stadt.example.de"}])]
    [f] = PreConsentTracking().evaluate(pages)
    assert f.outcome == Outcome.FAILED and "cookie _ga" in f.evidence[0].text


def test_clean_pages_pass_and_name_the_consent_platform() -> None:
    pages = [art(requests=[req("https://consent.cookiebot.com/uc.js"), req("https://cdn.jsdelivr.net/x.js")],
                 dom='<div id="CybotCookiebotDialog"></div>'),
             art(url="https://www.commune.example.fr/", dom='<div id="tarteaucitronRoot"></div>')]
    [f] = PreConsentTracking().evaluate(pages)
    assert f.outcome == Outcome.PASSED
    assert "Cookiebot" in f.message and "tarteaucitron" in f.message
    assert "cdn.jsdelivr.net" in f.evidence[0].text


def test_nothing_rendered() -> None:
    assert [f.outcome for f in PreConsentTracking().evaluate([])] == [Outcome.INAPPLICABLE]
    broken = [art(error="timeout")]
    assert [f.outcome for f in PreConsentTracking().evaluate(broken)] == [Outcome.CANT_TELL]
