"""eid.login: national eID schemes found by IdP links, official markup and local routes."""
from __future__ import annotations

import json

import pytest

from checks.base import Outcome
from checks.eid_login import EidLogin
from tests.helpers import ROOT, html_doc, page

CHECK = EidLogin()
URL = "https://www.comune.example.it/accedi"


def run(body: str, lang: str = "en", url: str = URL):
    return CHECK.evaluate(page(html_doc(body, lang), url=url))


def by_scheme(findings):
    assert all(f.outcome == Outcome.PASSED for f in findings), [(f.outcome, f.message) for f in findings]
    return {f.details["scheme"]: f for f in findings}


def test_registry_covers_many_countries_and_is_well_formed():
    data = json.loads((ROOT / "checks/eid_schemes.json").read_text("utf-8"))
    schemes = data["schemes"]
    assert len({s["country"] for s in schemes}) >= 25
    assert len({s["id"] for s in schemes}) == len(schemes)
    for s in schemes:
        assert {"id", "name", "country", "notified", "idp_hosts", "endpoint_patterns", "markup",
                "texts", "route_words"} <= set(s), s["id"]
        assert s["notified"] in (True, False, None)
        assert set(s["markup"]) == {"classes", "attributes", "assets"}
    assert "accedi con eidas" in data["eidas_texts"] and "_comment" in data


def test_spid_official_button_and_idp_link():
    f = by_scheme(run("""
      <a href="#spid-idp" class="italia-it-button italia-it-button-size-m button-spid"
         spid-idp-button="#spid-idp"><img src="/img/spid-ico-circle-bb.svg" alt="">
         <span class="italia-it-button-text">Entra con SPID</span></a>
      <div id="spid-idp" class="spid-idp-button"><ul data-spid-remote>
        <li class="spid-idp-button-link" data-idp="arubaid">
          <a href="https://loginspid.aruba.it/ServiceLoginWelcome?SAMLRequest=x">Aruba ID</a></li>
      </ul></div>""", "it"))["spid"]
    assert f.details["how"] == "idp-link" and f.details["country"] == "IT" and f.details["notified"] is True
    assert f.details["target"].startswith("https://loginspid.aruba.it/")
    assert f.message == "eID login: SPID (IT) via idp-link"
    assert f.evidence[0].url.startswith("https://loginspid.aruba.it/") and "/a" in f.evidence[0].selector
    assert any(e.url == URL + "#spid-idp" for e in f.evidence[1:])  # the markup is cited too


def test_spid_markup_alone_is_enough():
    f = by_scheme(run('<link rel="stylesheet" href="/css/spid-sp-access-button.min.css">'
                      '<a class="italia-it-button button-spid" href="#x">Entra con SPID</a>', "it"))["spid"]
    assert f.details["how"] == "markup"


def test_cie_idp_endpoint():
    f = by_scheme(run('<a href="https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO">'
                      'Entra con CIE</a>', "it"))["cie"]
    assert f.details["how"] == "idp-link"
    assert f.details["target"] == "https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO"


def test_franceconnect_dsfr_button_posting_to_local_route():
    findings = run("""<form method="post" action="/auth/franceconnect"><div class="fr-connect-group">
      <button class="fr-connect"><span class="fr-connect__login">S’identifier avec</span>
      <span class="fr-connect__brand">FranceConnect</span></button>
      <p><a href="https://franceconnect.gouv.fr/">Qu’est-ce que FranceConnect ?</a></p></div></form>""",
                   "fr", url="https://www.mairie.example.fr/connexion")
    f = by_scheme(findings)["franceconnect"]
    assert f.details["how"] == "markup"
    assert f.details["target"] == "https://www.mairie.example.fr/auth/franceconnect"
    kinds = {(e.url, e.selector.rsplit("/", 1)[-1]) for e in f.evidence}
    assert ("https://www.mairie.example.fr/auth/franceconnect", "form") in kinds  # the local route


def test_franceconnect_local_route_without_markup():
    f = by_scheme(run('<form action="/auth/franceconnect" method="post">'
                      '<button type="submit">S\'identifier avec FranceConnect</button></form>', "fr"))
    assert f["franceconnect"].details["how"] == "local-route"


def test_local_route_needs_login_or_scheme_text():
    findings = run('<a href="/news/spid-2024">SPID statistics for 2024</a>'
                   '<a href="/login/digid">Over ons</a>')
    assert [f.outcome for f in findings] == [Outcome.INAPPLICABLE]


@pytest.mark.parametrize("body, scheme, target", [
    ('<a href="https://digid.nl/saml/idp/request_authentication?x=1">Inloggen met DigiD</a>',
     "digid", "https://digid.nl/saml/idp/request_authentication?x=1"),
    ('<a class="btn" href="https://idp.prd.itsme.services/v2/authorization?client_id=gent">'
     'Aanmelden met itsme</a>', "itsme", "https://idp.prd.itsme.services/v2/authorization?client_id=gent"),
    ('<a href="https://id.bund.de/idp/profile/SAML2/Redirect/SSO?SAMLRequest=abc">Anmelden mit BundID</a>',
     "bundid", "https://id.bund.de/idp/profile/SAML2/Redirect/SSO?SAMLRequest=abc"),
    ('<form action="https://login.nemlog-in.dk/idp/saml/3.0/" method="post">'
     '<button>Log på med MitID</button></form>', "mitid", "https://login.nemlog-in.dk/idp/saml/3.0/"),
    ('<a href="https://pasarela.clave.gob.es/Proxy2/ServiceProvider">Acceder con Cl@ve</a>',
     "clave", "https://pasarela.clave.gob.es/Proxy2/ServiceProvider"),
    ('<a href="https://tara.ria.ee/oidc/authorize?scope=openid">Sisene</a>',
     "tara", "https://tara.ria.ee/oidc/authorize?scope=openid"),
])
def test_idp_links(body, scheme, target):
    findings = run(body)
    f = by_scheme(findings)[scheme]
    assert len(findings) == 1
    assert f.details["how"] == "idp-link" and f.details["target"] == target
    assert f.evidence[0].url == target and f.evidence[0].snippet


def test_info_link_to_scheme_site_is_not_a_login():
    findings = run('<a href="https://www.digid.nl/over-digid">Wat is DigiD?</a>'
                   '<a href="https://franceconnect.gouv.fr/">Qu’est-ce que FranceConnect ?</a>')
    assert [f.outcome for f in findings] == [Outcome.INAPPLICABLE]


def test_password_only_login_fails():
    findings = run('<form id="login" action="/login" method="post"><input name="user">'
                   '<input type="password" name="pw"><button>Log in</button></form>')
    assert [f.outcome for f in findings] == [Outcome.FAILED]
    assert findings[0].message == "Password-only login: no eID scheme offered"
    assert findings[0].evidence[0].selector.endswith("/form")
    assert 'type="password"' in findings[0].evidence[0].snippet


def test_password_plus_scheme_passes():
    findings = run('<form action="/login"><input type="password"></form>'
                   '<a href="https://digid.nl/saml/idp/request_authentication">Inloggen met DigiD</a>', "nl")
    assert [(f.outcome, f.details["scheme"]) for f in findings] == [(Outcome.PASSED, "digid")]


def test_page_without_login_is_inapplicable():
    findings = run("<h1>Opening hours</h1><p>The town hall opens at 8.</p><a href='/contact'>Contact</a>")
    assert [f.outcome for f in findings] == [Outcome.INAPPLICABLE]


def test_eidas_wording_only_cant_tell():
    findings = run('<a href="/eu-node/start">Anmelden mit eIDAS (europäische eID)</a>', "de")
    assert [f.outcome for f in findings] == [Outcome.CANT_TELL]
    assert findings[0].details["eidas"] is True


def test_scheme_text_without_target_cant_tell():
    findings = run('<button type="button" onclick="go()">Entra con SPID</button>', "it")
    assert [f.outcome for f in findings] == [Outcome.CANT_TELL]
    assert findings[0].details["mentions"] == ["spid"]


def test_eidas_wording_reported_with_scheme():
    f = by_scheme(run('<a href="https://id.bund.de/idp/profile/SAML2/POST/SSO">Anmelden mit BundID</a>'
                      '<p>Bürgerinnen und Bürger anderer EU-Staaten: Anmelden mit eIDAS.</p>', "de"))["bundid"]
    assert f.details["eidas"] is True and "eIDAS" in f.message


def test_not_html_is_inapplicable():
    findings = CHECK.evaluate(page("%PDF-1.4", url="https://x.example/a.pdf", content_type="application/pdf"))
    assert [f.outcome for f in findings] == [Outcome.INAPPLICABLE]


def demo(slug: str, name: str):
    html = (ROOT / "citylabel/demo/portals" / slug / "site" / name).read_text("utf-8")
    return CHECK.evaluate(page(html, url=f"https://www.{slug}.example/{name}"))


def test_demo_valdoria_spid_and_cie():
    found = by_scheme(demo("comune-valdoria", "accedi.html"))
    assert set(found) == {"spid", "cie"}
    assert found["spid"].details["target"] == "https://loginspid.aruba.it/ServiceLoginWelcome"
    # the CIE button leads to a local route (/auth/cie, which redirects to the CIE IdP;
    # eid.available shows the redirect); the page also offers an eIDAS login
    assert found["cie"].details == {
        "scheme": "cie", "country": "IT", "how": "markup", "notified": True, "eidas": True,
        "target": "https://www.comune-valdoria.example/auth/cie"}


def test_demo_lindenau_password_only():
    [f] = demo("stadt-lindenau", "anmelden.html")
    assert f.outcome == Outcome.FAILED and f.message == "Password-only login: no eID scheme offered"
    assert f.evidence[0].selector.endswith("/form") and "Passwort" in f.evidence[0].snippet


def test_demo_belmont_franceconnect():
    found = by_scheme(demo("commune-belmont", "connexion.html"))
    assert set(found) == {"franceconnect"}
    assert found["franceconnect"].details["target"] == "https://www.commune-belmont.example/auth/franceconnect"


@pytest.mark.parametrize("href, text, scheme", [
    ("/login/digid", "DigiD", "digid"),
    ("/spid/login", "Accedi", "spid"),
    ("/auth/itsme?next=/mijn", "via itsme", "itsme"),
])
def test_local_routes(href, text, scheme):
    f = by_scheme(run(f'<a href="{href}">{text}</a>'))[scheme]
    assert f.details["how"] == "local-route" and f.details["target"] == "https://www.comune.example.it" + href
