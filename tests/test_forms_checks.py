"""Issue 5 page checks on small pages: form kinds, look-alikes, PDFs, once-only, autocomplete."""
from __future__ import annotations

import pytest

from checks.a11y_static import MobileViewport
from checks.artifacts import PageArtifact
from checks.base import Outcome
from checks.engagement_checks import ParticipationActivity, ParticipationPlatform
from checks.forms import read_forms
from checks.forms_autocomplete import InputPurpose
from checks.forms_once_only import OnceOnly
from checks.forms_online import OnlineForms
from checks.forms_pdf import PdfForms
from checks.signals import SiteSignals, page_signals
from tests.helpers import html_doc, page
from tests.pdfgen import make_pdf


def kinds(body: str, lang: str) -> list[str]:
    return [f.kind for f in read_forms(page(html_doc(body, lang)))]


@pytest.mark.parametrize("lang,body,kind", [
    ("it", '<h2>Newsletter</h2><form action="/nl" method="post"><input type="email" name="email">'
           '<button>Iscriviti</button></form>', "newsletter"),
    ("de", '<form action="/newsletter"><label>E-Mail <input type="email" name="mail"></label>'
           '<button>Newsletter abonnieren</button></form>', "newsletter"),
    ("fr", '<form action="/avis" method="post"><p>Cette page vous a-t-elle été utile ?</p>'
           '<button name="u" value="oui">Oui</button><button name="u" value="non">Non</button></form>', "rating"),
    ("nl", '<form action="/zoeken"><input type="text" name="q"><button>Zoeken</button></form>', "search"),
    ("es", '<form action="/login" method="post"><input name="usuario"><input type="password" name="clave">'
           '<button>Acceder</button></form>', "login"),
    ("de", '<h2>Termin vereinbaren</h2><form action="/termine" method="post"><input type="date" name="tag">'
           '<input name="name"><button>Termin buchen</button></form>', "booking"),
    ("it", '<h2>Segnala un disservizio</h2><form action="/segnalazioni" method="post"><select name="categoria">'
           '</select><input name="luogo"><textarea name="descrizione"></textarea><button>Invia la segnalazione</button></form>',
     "report_problem"),
    ("fr", '<h2>Demande d\'acte de naissance</h2><form action="/demande" method="post"><input name="nom">'
           '<input name="prenom"><input name="date"><button>Envoyer ma demande</button></form>', "service_application"),
    ("nl", '<h2>Contactformulier</h2><form action="/contact" method="post"><input name="naam">'
           '<input type="email" name="email"><textarea name="vraag"></textarea><button>Verstuur</button></form>',
     "contact_feedback"),
])
def test_form_kinds_in_five_languages(lang: str, body: str, kind: str) -> None:
    assert kinds(body, lang) == [kind]


def test_a_newsletter_box_and_a_rating_widget_are_not_online_services() -> None:
    body = ('<form action="/nl" method="post"><input type="email" name="email"><button>Subscribe</button></form>'
            '<form action="/fb" method="post"><p>Was this page useful?</p><button>Yes</button><button>No</button></form>')
    assert OnlineForms().evaluate(page(html_doc(body))) == []
    signals = SiteSignals()
    signals.add(page_signals(page(html_doc(body), url="https://www.example.eu/a")))
    [activity] = ParticipationActivity().evaluate(signals)
    assert activity.outcome == Outcome.FAILED and "page-rating widget" in activity.message
    assert ParticipationPlatform().evaluate(signals)[0].outcome == Outcome.FAILED


def pdf_artifact(tmp_path, name: str, title: str, lines: list[str], fields=()) -> PageArtifact:  # noqa: ANN001
    path = make_pdf(tmp_path / name, title, lines, list(fields))
    return PageArtifact(url=f"https://www.example.eu/docs/{name}", status=200, body=path.read_bytes(),
                        content_type="application/pdf")


def test_pdf_documents_fillable_paper_and_not_forms(tmp_path) -> None:  # noqa: ANN001
    fillable = PdfForms().evaluate(pdf_artifact(tmp_path, "antrag.pdf", "Antrag auf Hundesteuer",
                                                ["Bitte ausfuellen"], ["name", "strasse", "hund"]))
    assert fillable[0].outcome == Outcome.PASSED and fillable[0].details["fields"] == 3
    paper = PdfForms().evaluate(pdf_artifact(tmp_path, "modulo.pdf", "Modulo di domanda",
                                             ["Da stampare, compilare e firmare", "Nome ....................",
                                              "Cognome ..................", "Firma ...................."]))
    assert paper[0].outcome == Outcome.FAILED and "Paper-only" in paper[0].message
    report = PdfForms().evaluate(pdf_artifact(tmp_path, "jaarverslag.pdf", "Jaarverslag 2025",
                                              ["De gemeente heeft in 2025 veel bereikt."]))
    assert report == []
    broken = PdfForms().evaluate(PageArtifact(url="https://www.example.eu/formulaire-demande.pdf", status=200,
                                              body=b"%PDF-1.4 garbage", content_type="application/pdf"))
    assert broken[0].outcome == Outcome.CANT_TELL


def test_page_with_a_downloadable_form_and_no_online_alternative_fails() -> None:
    body = ('<main><h1>Bauantrag</h1><p>Laden Sie das Formular herunter, drucken Sie es aus und senden Sie es '
            'unterschrieben per Post an das Bauamt.</p><p><a href="/docs/bauantrag.pdf">Antragsformular (PDF)</a>'
            '</p></main>')
    [f] = PdfForms().evaluate(page(html_doc(body, "de")))
    assert f.outcome == Outcome.FAILED and f.evidence[0].url == "https://www.example.eu/docs/bauantrag.pdf"
    online = body.replace("</main>", '<form method="post" action="/antrag"><input name="a"><input name="b">'
                                     '<input name="c"><input name="d"><button>Antrag stellen</button></form></main>')
    assert PdfForms().evaluate(page(html_doc(online, "de")))[0].outcome == Outcome.PASSED


def test_once_only_signals() -> None:
    cf = ('<h2>Domanda di contributo</h2><form method="post" action="/domanda"><label for="cf">Codice fiscale</label>'
          '<input id="cf" name="codice_fiscale"><label for="r">Certificato di residenza</label>'
          '<input type="file" id="r" name="allegato"><button>Invia la domanda</button></form>')
    [f] = OnceOnly().evaluate(page(html_doc(cf, "it")))
    assert f.outcome == Outcome.FAILED and set(f.details["asked"]) == {"national_id", "certificate_upload"}
    address = ('<h2>Hundesteuer</h2><form method="post" action="/antrag"><label for="s">Straße und Hausnummer</label>'
               '<input id="s" name="strasse"><button>Antrag absenden</button></form>')
    assert OnceOnly().evaluate(page(html_doc(address, "de")))[0].outcome == Outcome.CANT_TELL
    prefilled = ('<h2>Inschrijving</h2><p>Uw gegevens zijn vooraf ingevuld na inloggen met DigiD.</p>'
                 '<form method="post" action="/x"><label for="b">BSN</label><input id="b" name="bsn" readonly '
                 'value="123456782"><label for="e">E-mail</label><input id="e" type="email" name="email">'
                 '<button>Versturen</button></form>')
    assert OnceOnly().evaluate(page(html_doc(prefilled, "nl")))[0].outcome == Outcome.PASSED
    assert OnceOnly().evaluate(page(html_doc('<form action="/q"><input name="q"></form>'))) == []


def test_autocomplete_tokens_validity_purpose_and_scope() -> None:
    good = ('<form method="post" action="/c"><label for="n">Nom et prénom</label><input id="n" name="nom" '
            'autocomplete="name"><label for="m">Courriel</label><input id="m" type="email" name="courriel" '
            'autocomplete="section-a home email"><label for="p">Nom du père</label><input id="p" name="nom_pere">'
            '<button>Envoyer</button></form>')
    [ok] = InputPurpose().evaluate(page(html_doc(good, "fr")))
    assert ok.outcome == Outcome.PASSED and ok.details["fields"] == 2  # the father's name is not the user's
    bad = ('<form method="post" action="/c"><label for="t">Telefono</label><input id="t" name="telefono" '
           'autocomplete="phone"><label for="c">CAP</label><input id="c" name="cap" autocomplete="email">'
           '<label for="k">Captcha</label><input id="k" name="captcha_code"><button>Invia</button></form>')
    [f] = InputPurpose().evaluate(page(html_doc(bad, "it")))
    assert f.outcome == Outcome.FAILED and f.details["failing"] == 2
    assert "not a valid token" in f.evidence[0].text and "does not match the field" in f.evidence[1].text
    report = ('<h2>Mängel melden</h2><form method="post" action="/m"><label for="o">Straße und Hausnummer</label>'
              '<input id="o" name="ort"><button>Mangel melden</button></form>')
    assert InputPurpose().evaluate(page(html_doc(report, "de"))) == []  # where the problem is, not who


def test_mobile_viewport() -> None:
    with_vp = '<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"></head><body>x</body></html>'
    assert MobileViewport().evaluate(page(with_vp))[0].outcome == Outcome.PASSED
    assert MobileViewport().evaluate(page(html_doc("x")))[0].outcome == Outcome.FAILED
    fixed = with_vp.replace("width=device-width", "width=1024")
    assert MobileViewport().evaluate(page(fixed))[0].outcome == Outcome.FAILED


def test_platform_session_cookie_on_the_rendered_portal() -> None:
    from checks.artifacts import BrowserArtifact
    art = BrowserArtifact("https://participa.example.es/", cookies=[{"name": "_decidim_session", "domain": "participa.example.es"}])
    [f] = ParticipationPlatform().evaluate(SiteSignals(), [art])
    assert f.outcome == Outcome.PASSED and "Decidim" in f.message and "_decidim_session" in f.evidence[0].text
