"""privacy.consent-reject: the browser clicks "reject", reloads, and what still loads is judged.

Banners are imitations of recognised platforms (their documented element ids)
and one unrecognised banner found by its wording; every page is served on
127.0.0.1 and every tracker request is blocked before it leaves the browser.
"""
from __future__ import annotations

import pytest

from checks.artifacts import BrowserArtifact
from checks.base import Outcome
from checks.privacy_pre_consent import ConsentRejectTracking
from citylabel.browser_stage import consent_rules
from crawler.browser import ConsentRules, gather_sync
from crawler.urls import Scope
from tests.helpers import html_doc, send, serve_routes

GA = "https://www.google-analytics.com/analytics.js"
LOADER = """<script>
function load(u){var s=document.createElement('script');s.src=u;document.head.appendChild(s);}
var choice=(document.cookie.match(/choice=([a-z]+)/)||[])[1];
if (choice) { document.getElementById('%(root)s').style.display='none'; }
if (choice==='yes' || (choice==='no' && %(ignores)s)) { load('%(ga)s'); }
document.getElementById('%(reject)s').onclick=function(){document.cookie='choice=no; path=/';
  document.getElementById('%(root)s').style.display='none'; if (%(ignores)s) { load('%(ga)s'); }};
document.getElementById('%(accept)s').onclick=function(){document.cookie='choice=yes; path=/'; load('%(ga)s');};
</script>"""


def banner(lang: str, root: str, text: str, reject: tuple[str, str], accept: tuple[str, str],
           ignores: bool, extra_class: str = "") -> str:
    body = (f'<main><h1>Portal</h1><p>{"Inhalt " * 30}</p></main>'
            f'<div id="{root}" class="{extra_class}"><p>{text}</p>'
            f'<button id="{accept[0]}">{accept[1]}</button> <button id="{reject[0]}">{reject[1]}</button></div>'
            + LOADER % {"root": root, "reject": reject[0], "accept": accept[0], "ga": GA,
                        "ignores": "true" if ignores else "false"})
    return html_doc(body, lang)


PAGES = {
    # tarteaucitron (FR) whose refusal is ignored: Google Analytics loads anyway
    "/fr": banner("fr", "tarteaucitronRoot", "Ce site utilise des cookies.",
                  ("tarteaucitronAllDenied2", "Tout refuser"), ("tarteaucitronPersonalize2", "Tout accepter"), True),
    # Cookiebot (DE) that honours the refusal
    "/de": banner("de", "CybotCookiebotDialog", "Diese Website verwendet Cookies.",
                  ("CybotCookiebotDialogBodyButtonDecline", "Ablehnen"),
                  ("CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll", "Alle zulassen"), False),
    # an unrecognised banner (IT), found by its wording inside a cookie element; refusal ignored
    "/it": banner("it", "barra", "Questo sito usa cookie di profilazione.",
                  ("no", "Rifiuta tutti"), ("si", "Accetta tutti"), True, extra_class="cookie-bar"),
    # no banner at all (NL)
    "/nl": html_doc("<main><h1>Gemeente</h1><p>Welkom.</p></main>", "nl"),
}


@pytest.fixture(scope="module")
def rendered():  # noqa: ANN201
    routes = {path: (lambda body: lambda h: send(h, 200, body))(body) for path, body in PAGES.items()}
    with serve_routes(routes) as url:
        urls = [url + p.lstrip("/") for p in PAGES]
        arts = gather_sync(Scope(url), urls, concurrency=2, page_timeout=15, run_axe=False,
                           consent=consent_rules(False), reject_urls=set(urls))
    return dict(zip(PAGES, arts))


def test_recognised_platform_buttons_and_reject_wording_are_clicked(rendered) -> None:  # noqa: ANN001
    fr, de, it, nl = (rendered[p].consent for p in ("/fr", "/de", "/it", "/nl"))
    assert fr["clicked"] and fr["selector"] == "#tarteaucitronAllDenied2" and fr["text"] == "Tout refuser"
    assert de["clicked"] and de["selector"] == "#CybotCookiebotDialogBodyButtonDecline"
    assert it["clicked"] and it["selector"] == "text" and it["text"] == "Rifiuta tutti"
    assert not nl["clicked"] and nl["error"] is None
    assert any(c["name"] == "choice" for c in de["cookies_after"])  # the refusal was stored


def test_what_loads_after_the_refusal_is_recorded_apart_and_blocked(rendered) -> None:  # noqa: ANN001
    fr = rendered["/fr"]
    assert not any(r["url"] == GA for r in fr.requests)  # nothing before consent
    after = [r for r in fr.consent["requests_after"] if r["url"] == GA]
    assert after and after[0]["blocked"] and after[0]["third_party"]
    assert not any(r["url"] == GA for r in rendered["/de"].consent["requests_after"])


def test_check_fails_when_a_refusal_is_ignored_and_passes_when_honoured(rendered) -> None:  # noqa: ANN001
    check = ConsentRejectTracking()
    [bad] = check.evaluate([rendered["/fr"], rendered["/de"]])
    assert bad.outcome == Outcome.FAILED and "Google Analytics" in bad.message
    assert bad.evidence[0].url.endswith("/fr") and "after clicking 'Tout refuser'" in bad.evidence[0].text
    assert "tarteaucitron" in bad.details["consent_platforms"] and "Cookiebot" in bad.details["consent_platforms"]
    [good] = check.evaluate([rendered["/de"], rendered["/nl"]])
    assert good.outcome == Outcome.PASSED and "'Ablehnen'" in good.message
    [generic] = check.evaluate([rendered["/it"]])
    assert generic.outcome == Outcome.FAILED
    [none] = check.evaluate([rendered["/nl"]])
    assert none.outcome == Outcome.INAPPLICABLE


def test_recognised_platform_without_a_clickable_reject_is_cant_tell() -> None:
    art = BrowserArtifact("https://www.example.eu/", dom='<div id="onetrust-banner-sdk">Accept</div>',
                          consent={"clicked": False, "error": None})
    [f] = ConsentRejectTracking().evaluate([art])
    assert f.outcome == Outcome.CANT_TELL and "OneTrust" in f.message
    assert ConsentRejectTracking().evaluate([])[0].outcome == Outcome.INAPPLICABLE


def test_consent_platform_hosts_are_let_through_and_trackers_never() -> None:
    """A consent platform's host (here a second local server named 'localhost') loads;
    with --no-consent-platforms it is blocked like any other outside host."""
    with serve_routes({"/cmp.js": lambda h: send(h, 200, "window.cmpLoaded = true;", "text/javascript")}) as cmp_url:
        cmp = cmp_url.replace("127.0.0.1", "localhost") + "cmp.js"
        page = html_doc(f'<script src="{cmp}"></script><script src="{GA}"></script><p>x</p>')
        with serve_routes({"/": lambda h: send(h, 200, page)}) as url:
            allowed = gather_sync(Scope(url), [url], run_axe=False, consent=ConsentRules(hosts=("localhost",)))
            blocked = gather_sync(Scope(url), [url], run_axe=False, consent=ConsentRules())
    by_url = {r["url"]: r for r in allowed[0].requests}
    assert not by_url[cmp]["blocked"] and by_url[cmp]["consent_platform"] and by_url[GA]["blocked"]
    assert {r["url"]: r["blocked"] for r in blocked[0].requests}[cmp] is True
