"""eid.available: the portal's eID schemes summed up, login redirects, password-only."""
from __future__ import annotations

from checks.artifacts import PageFindings, SiteArtifact
from checks.base import Outcome
from checks.eid_available import EidAvailable
from checks.eid_login import EidLogin
from tests.helpers import html_doc, page, report_json, run_cli, send, serve_routes

START = "https://www.gemeente.example.nl/"


def digest(*pages: tuple[str, str, str]) -> PageFindings:
    """PageFindings from eid.login run on (url, lang, body) pages, as the judge stage builds it."""
    out = PageFindings()
    for url, lang, body in pages:
        out.add_page([f.to_dict() for f in EidLogin().evaluate(page(html_doc(body, lang), url=url))])
    return out


def evaluate(findings: PageFindings, redirects: list | None = None):
    return EidAvailable().evaluate(SiteArtifact(START, redirects=redirects or []), findings)


NEWS = ("https://www.gemeente.example.nl/nieuws", "nl", "<p>Nieuws over de gemeente.</p>")
PASSWORD = ('<form action="/login" method="post"><label>Gebruikersnaam <input name="u"></label>'
            '<label>Wachtwoord <input type="password" name="p"></label><button>Inloggen</button></form>')


def test_schemes_of_four_countries_are_summed_up_with_the_strongest_evidence_first() -> None:
    findings = digest(
        NEWS,
        ("https://www.comune.example.it/accedi", "it",
         '<a class="italia-it-button button-spid" href="https://loginspid.aruba.it/sso">Entra con SPID</a>'),
        ("https://www.ville.example.fr/connexion", "fr",
         '<div class="fr-connect-group"><button class="fr-connect"><span class="fr-connect__login">'
         "S'identifier avec</span> <span class=\"fr-connect__brand\">FranceConnect</span></button></div>"),
        ("https://www.gemeente.example.nl/inloggen", "nl",
         '<a href="/auth/digid">Inloggen met DigiD</a>'),
        ("https://www.stad.example.be/aanmelden", "nl",
         '<a href="https://idp.prd.itsme.services/v2/authorization?client_id=x">Aanmelden via itsme</a>'),
    )
    out = evaluate(findings, redirects=[{"url": "https://www.gemeente.example.nl/auth/digid",
                                         "location": "https://digid.nl/saml/idp/request_authentication?x=1"}])
    summary, *per_scheme = out
    assert summary.outcome == Outcome.PASSED and all(f.outcome == Outcome.PASSED for f in per_scheme)
    got = {f.details["scheme"]: f for f in per_scheme}
    assert set(got) == {"spid", "franceconnect", "digid", "itsme"}
    assert got["digid"].details["how"] == "redirect"  # the redirect outranks the named local route
    assert "redirects to https://digid.nl/" in got["digid"].evidence[0].text
    assert got["spid"].details["how"] == "idp-link" and got["franceconnect"].details["how"] == "markup"
    assert "DigiD (NL)" in summary.message and "no cross-border eIDAS login" in summary.message
    assert summary.details["eidas"] is False and summary.details["password_only_pages"] == 0


def test_a_redirect_alone_proves_the_scheme() -> None:
    out = evaluate(digest(NEWS), redirects=[
        {"url": START + "login/clave", "location": "https://pasarela.clave.gob.es/Proxy2/ServiceProvider"},
        {"url": START + "cms", "location": "https://cdn.example.com/x"}])
    assert out[0].outcome == Outcome.PASSED and out[1].details["scheme"] == "clave"
    assert out[1].evidence[0].url == START + "login/clave"


def test_eidas_cross_border_login_is_reported() -> None:
    out = evaluate(digest(("https://www.comune.example.it/accedi", "it",
                           '<a class="button-spid" href="https://id.lepida.it/idp/profile/SAML2/POST/SSO">'
                           'Entra con SPID</a> <a href="/eidas">Login with eIDAS</a>')))
    assert out[0].details["eidas"] is True and "cross-border eIDAS login is offered" in out[0].message


def test_password_only_login_is_reported_as_such_not_as_eid() -> None:
    out = evaluate(digest(NEWS, (START + "mijn", "nl", PASSWORD), (START + "mijn/2", "nl", PASSWORD)))
    assert [f.outcome for f in out] == [Outcome.FAILED]
    assert "Password-only login: 2 page(s)" in out[0].message
    assert out[0].evidence[0].url == START + "mijn" and "password" in out[0].evidence[0].snippet


def test_password_pages_beside_an_eid_login_are_counted() -> None:
    out = evaluate(digest((START + "mijn", "nl", PASSWORD),
                          (START + "inloggen", "nl", '<a href="https://digid.nl/saml/idp/request_authentication">'
                                                     'Inloggen met DigiD</a>')))
    assert out[0].outcome == Outcome.PASSED and "1 page(s) take a password only" in out[0].message


def test_no_login_is_inapplicable_and_wording_only_is_cant_tell() -> None:
    assert [f.outcome for f in evaluate(digest(NEWS))] == [Outcome.INAPPLICABLE]
    vague = evaluate(digest((START + "x", "de", "<p>Login with eIDAS</p>")))
    assert [f.outcome for f in vague] == [Outcome.CANT_TELL]


def test_login_route_is_followed_one_hop_and_the_idp_is_never_contacted(tmp_path) -> None:  # noqa: ANN001
    """A real crawl: the login page links to /auth/digid, which redirects to DigiD.
    The crawler records the redirect (out of scope, never followed) and
    eid.available cites it; no credentials are sent, no form is submitted."""
    seen: list[str] = []

    def home(h):  # noqa: ANN001, ANN202
        send(h, 200, html_doc('<header><a href="/inloggen">Inloggen</a></header><p>Welkom bij de gemeente.</p>', "nl"))

    def login(h):  # noqa: ANN001, ANN202
        send(h, 200, html_doc('<h1>Inloggen</h1><p><a class="knop" href="/auth/digid">Inloggen met DigiD</a></p>'
                              + PASSWORD, "nl"))

    def auth(h):  # noqa: ANN001, ANN202
        seen.append(h.path)
        send(h, 302, b"", headers={"Location": "https://digid.nl/saml/idp/request_authentication?SAMLRequest=abc"})

    db = f"sqlite:///{tmp_path}/eid.db"
    with serve_routes({"/": home, "/inloggen": login, "/auth/digid": auth}) as url:
        run_cli("audit", url, "--db", db, "--browser-pages", "0", "-q", "--country", "NL")
    rep = report_json(db)
    avail = [f for f in rep["findings"] if f["check"] == "eid.available"]
    digid = next(f for f in avail if (f["details"] or {}).get("scheme") == "digid")
    assert digid["details"]["how"] == "redirect" and seen == ["/auth/digid"]
    assert digid["evidence"][0]["url"].endswith("/auth/digid")
    assert "https://digid.nl/saml/idp/request_authentication" in digid["evidence"][0]["text"]
    page_row = next(p for p in rep["pages"] if p["url"].endswith("/auth/digid"))
    assert page_row["fetch_status"] == "out-of-scope"
