"""a11y.statement: the accessibility statement against the EU model (Implementing
Decision (EU) 2018/1523, Annex section 1), on statement pages in several languages."""
from __future__ import annotations

import json
import time
from datetime import date
from importlib import resources

import pytest

from checks.a11y_statement import AccessibilityStatement, compile_phrase, find_dates, split_sentences
from checks.artifacts import StatementArtifact
from checks.base import Finding, Outcome
from tests.helpers import html_doc, page

TODAY = date(2026, 11, 28)
ELEMENTS = ("Located", "Compliance status", "Non-accessible content", "Preparation/review date",
            "Feedback and contact", "Enforcement procedure")

HEADER = ('<header class="site-header"><nav><ul><li><a href="/">Home</a></li>'
          '<li><a href="/services">Services</a></li><li><a href="/news">News</a></li></ul></nav></header>')
FOOTER = ('<footer><ul><li><a href="/privacy">Privacy</a></li>'
          '<li><a href="/accessibility">Accessibility</a></li></ul></footer>')


def wrap(main: str, lang: str, title: str, footer: str = FOOTER) -> str:
    return html_doc(f"{HEADER}<main>{main}</main>{footer}", lang=lang, title=title)


# -- complete statements, one per language ---------------------------------

EN = wrap("""
<h1>Accessibility statement</h1>
<p>Dublin City Council is committed to making its website accessible, in accordance with the European
Union (Accessibility of Websites and Mobile Applications of Public Sector Bodies) Regulations 2020.
This accessibility statement applies to www.example.ie.</p>
<h2>Compliance status</h2>
<p>This website is partially compliant with EN 301 549 V3.2.1 due to the non-compliances listed below.</p>
<h2>Non-accessible content</h2>
<p>The content listed below is non-accessible for the following reasons:</p>
<h3>Non-compliance with the accessibility regulations</h3>
<ul><li>Some images do not have a text alternative (success criterion 1.1.1).</li>
<li>Some older PDF documents are not tagged.</li></ul>
<h3>Disproportionate burden</h3>
<p>The interactive planning map is not accessible; fixing it now would be a disproportionate burden.</p>
<h2>Preparation of this accessibility statement</h2>
<p>This statement was prepared on 14 March 2022. The method used to prepare the statement was a
self-assessment carried out by the Council. The statement was last reviewed on 2 February 2026.</p>
<h2>Feedback and contact information</h2>
<p>If you notice any accessibility problems, please email
<a href="mailto:accessibility@example.ie">accessibility@example.ie</a> or phone 01 222 2222.</p>
<h2>Enforcement procedure</h2>
<p>If you are not happy with how we respond, you can contact the
<a href="https://www.ihrec.ie/">Irish Human Rights and Equality Commission</a>.</p>
""", "en", "Accessibility statement | Dublin City Council")

DE = wrap("""
<h1>Erklärung zur Barrierefreiheit</h1>
<p>Die Stadt Musterstadt ist bemüht, ihre Website im Einklang mit den Bestimmungen des
Behindertengleichstellungsgesetzes des Bundes (BGG) sowie der Barrierefreie-Informationstechnik-Verordnung
(BITV 2.0) barrierefrei zugänglich zu machen.</p>
<h2>Stand der Vereinbarkeit mit den Anforderungen</h2>
<p>Diese Website ist wegen der folgenden Unvereinbarkeiten teilweise mit der BITV 2.0 vereinbar.</p>
<h2>Nicht barrierefreie Inhalte</h2>
<p>Die nachstehend aufgeführten Inhalte sind aus folgenden Gründen nicht barrierefrei:</p>
<ul><li>Unvereinbarkeit mit der BITV 2.0: Einige PDF-Dokumente sind nicht vollständig zugänglich.</li>
<li>Unverhältnismäßige Belastung: Der historische Stadtplan wird nicht barrierefrei umgesetzt.</li></ul>
<h2>Erstellung dieser Erklärung zur Barrierefreiheit</h2>
<p>Diese Erklärung wurde am 14. März 2022 erstellt und zuletzt am 10. Januar 2026 überprüft.</p>
<p>Die Bewertung beruht auf einer Selbstbewertung.</p>
<h2>Feedback und Kontaktangaben</h2>
<p>Sie können uns Mängel in Bezug auf die Einhaltung der Barrierefreiheitsanforderungen mitteilen.
Kontakt: Amt für Digitalisierung, E-Mail: barrierefreiheit(at)musterstadt.de, Telefon: 0351 488-0.</p>
<h2>Schlichtungsverfahren</h2>
<p>Bei nicht zufriedenstellenden Antworten können Sie sich an die
<a href="https://www.schlichtungsstelle-bgg.de/">Schlichtungsstelle nach § 16 BGG</a> wenden.</p>
""", "de", "Erklärung zur Barrierefreiheit - Stadt Musterstadt")

FR = """
<h1>Déclaration d’accessibilité</h1>
<p>La Ville de Lyon s’engage à rendre ses sites internet, intranet, extranet et ses progiciels accessibles
conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005.</p>
<h2>État de conformité</h2>
<p>Le site www.lyon.fr est partiellement conforme avec le référentiel général d’amélioration de
l’accessibilité (RGAA), version 4.1, en raison des non-conformités et des dérogations énumérées ci-dessous.</p>
<h2>Résultats des tests</h2>
<p>L’audit de conformité réalisé par la société Access42 révèle que 72 % des critères du RGAA version 4.1
sont respectés.</p>
<h2>Contenus non accessibles</h2>
<h3>Non-conformités</h3>
<ul><li>Certaines images porteuses d’information n’ont pas d’alternative textuelle (critère 1.1).</li></ul>
<h3>Dérogations pour charge disproportionnée</h3>
<ul><li>Les cartes interactives de l’agenda culturel.</li></ul>
<h2>Établissement de cette déclaration d’accessibilité</h2>
<p>Cette déclaration a été établie le {prepared}. Elle a été mise à jour le {updated}.</p>
<h2>Retour d’information et contact</h2>
<p>Si vous n’arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter le responsable du
site pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme.</p>
<ul><li>Envoyer un message via le <a href="/contact/formulaire-accessibilite">formulaire de contact</a></li>
<li>Contacter la Mairie de Lyon par courrier.</li></ul>
<h2>Voies de recours</h2>
<p>Si vous constatez un défaut d’accessibilité vous empêchant d’accéder à un contenu ou une fonctionnalité
du site, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse de notre part, vous
êtes en droit de faire parvenir vos doléances ou une demande de saisine au Défenseur des droits.</p>
<ul><li>Écrire un message au <a href="https://formulaire.defenseurdesdroits.fr/">Défenseur des droits</a></li>
<li>Envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits,
Libre réponse 71120, 75342 Paris CEDEX 07</li></ul>
"""


def fr_page(prepared: str = "14 mars 2022", updated: str = "3 septembre 2026") -> str:
    return wrap(FR.replace("{prepared}", prepared).replace("{updated}", updated), "fr",
                "Déclaration d’accessibilité - Ville de Lyon")


IT = wrap("""
<h1>Dichiarazione di accessibilità</h1>
<p>Il Comune di Bologna si impegna a rendere il proprio sito web accessibile, conformemente alla
legge 9 gennaio 2004, n. 4.</p>
<h2>Stato di conformità</h2>
<p>Il sito web www.comune.bologna.it è parzialmente conforme ai requisiti previsti dall'allegato A alla
norma UNI CEI EN 301549:2018, in ragione dei casi di non conformità elencati di seguito.</p>
<h2>Contenuti non accessibili</h2>
<p>I contenuti di seguito elencati non sono accessibili per i seguenti motivi:</p>
<ul><li>Inosservanza della legge 4/2004: alcuni documenti PDF non hanno una struttura a titoli.</li>
<li>Onere sproporzionato: l'archivio storico delle delibere anteriori al 2010.</li></ul>
<h2>Redazione della dichiarazione di accessibilità</h2>
<p>La presente dichiarazione è stata redatta il 23/09/2025.</p>
<p>La dichiarazione è stata riesaminata l’ultima volta il 15/06/2026.</p>
<h2>Meccanismo di feedback e informazioni di contatto</h2>
<p>Per segnalare casi di mancata conformità è possibile scrivere a
<a href="mailto:accessibilita@comune.bologna.it">accessibilita@comune.bologna.it</a>.</p>
<h2>Procedura di attuazione</h2>
<p>In caso di risposta insoddisfacente o di mancata risposta, l'utente può inoltrare una segnalazione al
<a href="https://form.agid.gov.it/segnalazione">Difensore civico per il digitale</a> istituito presso l'AgID.</p>
""", "it", "Dichiarazione di accessibilità | Comune di Bologna")

NL = wrap("""
<h1>Toegankelijkheidsverklaring</h1>
<p>De gemeente Utrecht streeft ernaar om haar website toegankelijk te maken, in overeenstemming met het
Besluit digitale toegankelijkheid overheid.</p>
<h2>Nalevingsstatus</h2>
<p>Deze website voldoet gedeeltelijk aan de eisen van EN 301 549 en WCAG 2.1 niveau AA.</p>
<h2>Niet-toegankelijke inhoud</h2>
<p>De hieronder vermelde inhoud is om de volgende redenen niet toegankelijk:</p>
<ul><li>Niet-naleving: het zoekformulier voldoet niet aan succescriterium 3.3.2 (labels).</li>
<li>Onevenredige last: de bouwtekeningen in het archief van vóór 2015.</li></ul>
<h2>Opstelling van deze toegankelijkheidsverklaring</h2>
<p>Deze verklaring is opgesteld op 14 maart 2022 en laatst herzien op 21 april 2026.</p>
<h2>Feedback en contactgegevens</h2>
<p>Loopt u tegen een toegankelijkheidsprobleem aan? Gebruik dan het
<a href="https://www.utrecht.nl/contactformulier/">contactformulier</a>.</p>
<h2>Handhavingsprocedure</h2>
<p>Bent u niet tevreden met de afhandeling van uw klacht? Dan kunt u contact opnemen met de
<a href="https://www.nationaleombudsman.nl/">Nationale ombudsman</a>.</p>
""", "nl", "Toegankelijkheidsverklaring - Gemeente Utrecht")

ES = wrap("""
<h1>Declaración de accesibilidad</h1>
<p>El Ayuntamiento de Valencia se ha comprometido a hacer accesible su sitio web de conformidad con el
Real Decreto 1112/2018, de 7 de septiembre, sobre accesibilidad de los sitios web y aplicaciones para
dispositivos móviles del sector público.</p>
<h2>Situación de cumplimiento</h2>
<p>Este sitio web es parcialmente conforme con el RD 1112/2018 debido a las excepciones y a la falta de
conformidad de los aspectos que se indican a continuación.</p>
<h2>Contenido no accesible</h2>
<p>El contenido que se recoge a continuación no es accesible por lo siguiente:</p>
<ul><li>Falta de conformidad con el RD 1112/2018: algunos vídeos carecen de subtítulos.</li>
<li>Carga desproporcionada: no aplica.</li></ul>
<h2>Preparación de la presente declaración de accesibilidad</h2>
<p>La presente declaración fue preparada el 15 de septiembre de 2025.</p>
<p>El método empleado para preparar la declaración ha sido una autoevaluación llevada a cabo por el propio
organismo.</p>
<p>Última revisión de la declaración: 14 de marzo de 2026.</p>
<h2>Observaciones y datos de contacto</h2>
<p>Puede realizar comunicaciones sobre requisitos de accesibilidad a través del
<a href="/formulario-contacto">formulario de contacto</a> o por correo electrónico a accesibilidad@valencia.es.</p>
<h2>Procedimiento de aplicación</h2>
<p>Si una vez realizada una solicitud de información accesible o queja, ésta hubiera sido desestimada,
puede iniciar una <a href="/sede/reclamacion-accesibilidad">reclamación</a>.</p>
""", "es", "Declaración de accesibilidad - Ajuntament de València")

PL = wrap("""
<h1>Deklaracja dostępności</h1>
<p id="a11y-wstep"><span id="a11y-podmiot">Urząd Miasta Krakowa</span> zobowiązuje się zapewnić dostępność
swojej strony internetowej zgodnie z przepisami ustawy z dnia 4 kwietnia 2019 r. o dostępności cyfrowej
stron internetowych i aplikacji mobilnych podmiotów publicznych. Deklaracja dostępności dotyczy strony
<a id="a11y-url" href="https://www.krakow.pl">www.krakow.pl</a>.</p>
<ul><li>Data publikacji strony internetowej: <span id="a11y-data-publikacja">2015-01-10</span></li>
<li>Data ostatniej istotnej aktualizacji: <span id="a11y-data-aktualizacja">2026-05-04</span></li></ul>
<h2 id="a11y-status">Status pod względem zgodności z ustawą</h2>
<p>Strona internetowa jest częściowo zgodna z ustawą o dostępności cyfrowej stron internetowych i aplikacji
mobilnych podmiotów publicznych z powodu niezgodności lub wyłączeń wymienionych poniżej.</p>
<h3>Treści niedostępne</h3>
<ul><li>niektóre pliki PDF nie są dostępne cyfrowo,</li><li>część filmów nie ma napisów.</li></ul>
<h3>Wyłączenia</h3>
<ul><li>mapy są wyłączone z obowiązku zapewniania dostępności.</li></ul>
<h2>Przygotowanie deklaracji w sprawie dostępności</h2>
<p>Deklarację sporządzono dnia: <span id="a11y-data-sporzadzenie">2026-02-20</span>.</p>
<p>Deklarację sporządzono na podstawie samooceny przeprowadzonej przez podmiot publiczny.</p>
<h2 id="a11y-kontakt">Informacje zwrotne i dane kontaktowe</h2>
<p>Za rozpatrywanie uwag i wniosków odpowiada: Jan Kowalski. E-mail:
<a id="a11y-email" href="mailto:dostepnosc@um.krakow.pl">dostepnosc@um.krakow.pl</a>.
Telefon: <span id="a11y-telefon">12 616 12 00</span>.</p>
<h2 id="a11y-procedura">Procedura wnioskowo-skargowa</h2>
<p>Każdy ma prawo zgłosić uwagi dotyczące dostępności cyfrowej strony lub jej elementu. Po wyczerpaniu
wszystkich możliwości skargę można przesłać także do
<a href="https://bip.brpo.gov.pl/">Rzecznika Praw Obywatelskich</a>.</p>
""", "pl", "Deklaracja dostępności - Magiczny Kraków")

SV = wrap("""
<h1>Tillgänglighetsredogörelse</h1>
<p>Malmö stad står bakom den här webbplatsen. Vi vill att så många som möjligt ska kunna använda
webbplatsen. Här beskriver vi hur webbplatsen uppfyller lagen om tillgänglighet till digital offentlig
service.</p>
<h2>Hur tillgänglig är webbplatsen?</h2>
<p>Webbplatsen är delvis förenlig med lagen om tillgänglighet till digital offentlig service, på grund av
de brister som beskrivs nedan.</p>
<h2>Innehåll som inte är tillgängligt</h2>
<h3>Bristande förenlighet med lagkraven</h3>
<ul><li>Vissa PDF-dokument saknar rubrikstruktur.</li></ul>
<h3>Oskäligt betungande anpassning</h3>
<p>Vi har gjort undantag för äldre protokoll från nämnderna.</p>
<h2>Hur vi testat webbplatsen</h2>
<p>Vi har gjort en självskattning av webbplatsen. Senaste bedömningen gjordes den 12 maj 2026.</p>
<p>Redogörelsen uppdaterades senast den 1 oktober 2026.</p>
<h2>Vad kan du göra om du inte kan använda delar av webbplatsen?</h2>
<p>Om du behöver innehåll i ett annat format kan du kontakta oss på e-post
<a href="mailto:kontaktcenter@malmo.se">kontaktcenter@malmo.se</a> eller telefon 040-34 10 00.</p>
<h2>Tillsyn</h2>
<p>Myndigheten för digital förvaltning har ansvaret för tillsyn för lagen om tillgänglighet till digital
offentlig service. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du
<a href="https://www.digg.se/tdosanmalan">kontakta Myndigheten för digital förvaltning</a> och påtala det.</p>
""", "sv", "Tillgänglighetsredogörelse - Malmö stad")

# lang, html, expected status, expected last date, a quote each element's evidence must hold
COMPLETE = [
    ("en", EN, "partial", "2026-02-02", {
        "Compliance status": "This website is partially compliant with EN 301 549 V3.2.1",
        "Non-accessible content": "fixing it now would be a disproportionate burden.",
        "Preparation/review date": "The statement was last reviewed on 2 February 2026.",
        "Feedback and contact": "mailto:accessibility@example.ie",
        "Enforcement procedure": "Irish Human Rights and Equality Commission",
    }),
    ("de", DE, "partial", "2026-01-10", {
        "Compliance status": "teilweise mit der BITV 2.0 vereinbar",
        "Non-accessible content": "Unvereinbarkeit mit der BITV 2.0",
        "Preparation/review date": ("Diese Erklärung wurde am 14. März 2022 erstellt und zuletzt am "
                                    "10. Januar 2026 überprüft."),
        "Feedback and contact": "barrierefreiheit(at)musterstadt.de",
        "Enforcement procedure": "Schlichtungsstelle nach § 16 BGG",
    }),
    ("fr", fr_page(), "partial", "2026-09-03", {
        "Compliance status": "est partiellement conforme avec le référentiel général",
        "Non-accessible content": "Non-conformités",
        "Preparation/review date": "Elle a été mise à jour le 3 septembre 2026.",
        "Feedback and contact": "formulaire de contact",
        "Enforcement procedure": "Défenseur des droits",
    }),
    ("it", IT, "partial", "2026-06-15", {
        "Compliance status": "è parzialmente conforme ai requisiti previsti",
        "Non-accessible content": "Inosservanza della legge 4/2004",
        "Preparation/review date": "La dichiarazione è stata riesaminata l’ultima volta il 15/06/2026.",
        "Feedback and contact": "mailto:accessibilita@comune.bologna.it",
        "Enforcement procedure": "Difensore civico per il digitale",
    }),
    ("nl", NL, "partial", "2026-04-21", {
        "Compliance status": "Deze website voldoet gedeeltelijk aan de eisen",
        "Non-accessible content": "Niet-naleving",
        "Preparation/review date": "laatst herzien op 21 april 2026",
        "Feedback and contact": "contactformulier",
        "Enforcement procedure": "Nationale ombudsman",
    }),
    ("es", ES, "partial", "2026-03-14", {
        "Compliance status": "Este sitio web es parcialmente conforme con el RD 1112/2018",
        "Non-accessible content": "Falta de conformidad con el RD 1112/2018",
        "Preparation/review date": "Última revisión de la declaración: 14 de marzo de 2026.",
        "Feedback and contact": "formulario de contacto",
        "Enforcement procedure": "Procedimiento de aplicación",
    }),
    ("pl", PL, "partial", "2026-02-20", {
        "Compliance status": "Strona internetowa jest częściowo zgodna z ustawą",
        "Non-accessible content": "mapy są wyłączone z obowiązku zapewniania dostępności.",
        "Preparation/review date": "Deklarację sporządzono dnia: 2026-02-20.",
        "Feedback and contact": "mailto:dostepnosc@um.krakow.pl",
        "Enforcement procedure": "Rzecznika Praw Obywatelskich",
    }),
    ("sv", SV, "partial", "2026-10-01", {
        "Compliance status": "Webbplatsen är delvis förenlig med lagen",
        "Non-accessible content": "Innehåll som inte är tillgängligt",
        "Preparation/review date": "Redogörelsen uppdaterades senast den 1 oktober 2026.",
        "Feedback and contact": "mailto:kontaktcenter@malmo.se",
        "Enforcement procedure": "Myndigheten för digital förvaltning",
    }),
]


def artifact(html: str, url: str = "https://www.example.eu/accessibility", linked: int = 12,
             **page_kw) -> StatementArtifact:
    return StatementArtifact(links=[(url, linked)], pages={url: page(html, url=url, **page_kw)},
                             pages_examined=40, today=TODAY)


def by_element(findings: list[Finding]) -> dict[str, Finding]:
    out: dict[str, Finding] = {}
    for f in findings:
        name = f.message.split(":", 1)[0]
        assert name in ELEMENTS, f.message
        assert name not in out, f"two findings for {name}"
        out[name] = f
    return out


def evidence_text(f: Finding) -> str:
    return " | ".join(filter(None, (e.text for e in f.evidence))) + " | " + " | ".join(
        filter(None, (e.snippet for e in f.evidence)))


def evaluate(art: StatementArtifact) -> dict[str, Finding]:
    findings = AccessibilityStatement().evaluate(art)
    for f in findings:
        assert f.check == "a11y.statement"
        assert f.url is None  # site-level
        assert f.check_version == "1.0" and f.principles == ("accessibility",)
        f.to_dict()  # serialisable
    return by_element(findings)


@pytest.mark.parametrize("lang,html,status,last,quotes", COMPLETE, ids=[c[0] for c in COMPLETE])
def test_complete_statement_passes_every_element(lang, html, status, last, quotes) -> None:  # noqa: ANN001
    url = f"https://www.example.eu/{lang}/accessibility"
    found = evaluate(artifact(html, url=url))
    assert list(found) == list(ELEMENTS)
    for name, f in found.items():
        assert f.outcome == Outcome.PASSED, f"{lang} {name}: {f.outcome} {f.message} {f.evidence}"
        assert f.evidence and all(e.url == url for e in f.evidence), f.evidence
    assert found["Located"].message.startswith(f"Located: Accessibility statement found at {url}")
    assert "linked from 12 pages" in found["Located"].message
    assert "12 of 40 pages examined" in found["Located"].evidence[0].text
    assert found["Compliance status"].message.startswith(f"Compliance status: {status} ")
    assert f"on {last} " in found["Preparation/review date"].message
    assert "no link" not in found["Enforcement procedure"].message
    for name, quote in quotes.items():
        assert quote in evidence_text(found[name]), f"{lang} {name}: {quote!r} not in {found[name].evidence}"
    # the sentence evidence points at the element holding it
    ev = found["Compliance status"].evidence[0]
    assert ev.selector.startswith("/html/body/main/") and len(ev.text) <= 300


def test_statement_evidence_selector_finds_the_sentence() -> None:
    art = artifact(DE)
    found = evaluate(art)
    ev = found["Preparation/review date"].evidence[0]
    tree = art.pages[art.links[0][0]].tree
    el = tree.getroottree().xpath(ev.selector)[0]
    assert el.tag == "p" and ev.text in " ".join(el.text_content().split())


# -- incomplete, outdated, unreachable ----------------------------------

INCOMPLETE_DE = wrap("""
<h1>Erklärung zur Barrierefreiheit</h1>
<p>Die Gemeinde Beispielheim ist bemüht, ihren Internetauftritt für alle Menschen gut nutzbar zu gestalten.
Wir überarbeiten unsere Seiten laufend und ergänzen Texte in Leichter Sprache.</p>
<p>Diese Website ist teilweise barrierefrei. Wir arbeiten daran, die verbleibenden Hürden nach und nach
zu beseitigen.</p>
<h2>Feedback</h2>
<p>Wenn Ihnen Mängel auffallen, teilen Sie uns das bitte mit. Wir freuen uns über jede Rückmeldung.</p>
""", "de", "Barrierefreiheit - Gemeinde Beispielheim")


def test_incomplete_statement_fails_the_missing_elements() -> None:
    found = evaluate(artifact(INCOMPLETE_DE))
    outcomes = {k: f.outcome for k, f in found.items()}
    assert outcomes == {
        "Located": Outcome.PASSED,
        "Compliance status": Outcome.PASSED,
        "Non-accessible content": Outcome.FAILED,
        "Preparation/review date": Outcome.FAILED,
        "Feedback and contact": Outcome.FAILED,
        "Enforcement procedure": Outcome.FAILED,
    }
    assert found["Compliance status"].message.startswith("Compliance status: partial")
    assert "Diese Website ist teilweise barrierefrei." in found["Compliance status"].evidence[0].text
    assert "partial compliance" in found["Non-accessible content"].message
    # a failure says where it looked, and for what
    for name in ("Non-accessible content", "Preparation/review date", "Enforcement procedure"):
        text = found[name].evidence[-1].text
        assert text.startswith("searched ") and " words of the statement for: " in text, text
    assert "nicht barrierefreie inhalte" in found["Non-accessible content"].evidence[0].text
    assert "durchsetzungsverfahren" in found["Enforcement procedure"].evidence[0].text
    assert "Feedback" in found["Feedback and contact"].evidence[0].text


def test_outdated_statement_fails_the_date() -> None:
    found = evaluate(artifact(fr_page(prepared="14 mars 2022", updated="2 octobre 2024")))
    f = found["Preparation/review date"]
    assert f.outcome == Outcome.FAILED
    assert "older than one year (last: 2024-10-02" in f.message
    assert "Elle a été mise à jour le 2 octobre 2024." in f.evidence[0].text
    assert found["Compliance status"].outcome == Outcome.PASSED  # the rest is judged as usual


@pytest.mark.parametrize("written,expected", [
    ("29 novembre 2025", Outcome.PASSED),    # 364 days before 28 November 2026
    ("28 novembre 2025", Outcome.PASSED),    # 365 days: still within one year
    ("27 novembre 2025", Outcome.FAILED),    # 366 days
])
def test_date_limit_is_one_year(written: str, expected: Outcome) -> None:
    found = evaluate(artifact(fr_page(prepared="1 janvier 2020", updated=written)))
    assert found["Preparation/review date"].outcome == expected, found["Preparation/review date"].message


def test_future_date_is_cant_tell() -> None:
    found = evaluate(artifact(fr_page(updated="3 septembre 2027")))
    f = found["Preparation/review date"]
    assert f.outcome == Outcome.CANT_TELL and "in the future" in f.message


def test_date_phrase_without_a_date_is_cant_tell() -> None:
    html = DE.replace("am 14. März 2022 erstellt und zuletzt am 10. Januar 2026 überprüft",
                      "am Anfang des Jahres erstellt und zuletzt überprüft")
    f = evaluate(artifact(html))["Preparation/review date"]
    assert f.outcome == Outcome.CANT_TELL, f.message
    assert "am Anfang des Jahres erstellt und zuletzt überprüft" in f.evidence[0].text


def test_month_only_date() -> None:
    recent = DE.replace("am 14. März 2022 erstellt und zuletzt am 10. Januar 2026 überprüft",
                        "im Juni 2026 erstellt")
    assert evaluate(artifact(recent))["Preparation/review date"].outcome == Outcome.PASSED
    borderline = recent.replace("im Juni 2026", "im November 2025")
    assert evaluate(artifact(borderline))["Preparation/review date"].outcome == Outcome.CANT_TELL


def test_date_on_the_next_line_after_a_label() -> None:
    html = wrap(INCOMPLETE_DE.split("<main>")[1].split("</main>")[0]
                + "<dl><dt>Datum der Erstellung</dt><dd>01.07.2026</dd></dl>", "de", "x")
    f = evaluate(artifact(html))["Preparation/review date"]
    assert f.outcome == Outcome.PASSED and "2026-07-01" in f.message
    assert any(e.text == "01.07.2026" for e in f.evidence)


def test_registry_only_statement_is_cant_tell() -> None:
    url = "https://form.agid.gov.it/view/3f1a2b3c-0000-4000-8000-123456789abc"
    art = StatementArtifact(links=[(url, 37)], pages={}, pages_examined=40, today=TODAY)
    findings = AccessibilityStatement().evaluate(art)
    assert [f.outcome for f in findings] == [Outcome.CANT_TELL]
    assert f"The statement is at {url}, which was not fetched; verify it by hand" in findings[0].message
    assert findings[0].message.startswith("Located: ")
    assert findings[0].evidence[0].url == url and findings[0].url is None


def test_no_statement_link_fails() -> None:
    art = StatementArtifact(links=[], pages={}, pages_examined=40, today=TODAY)
    findings = AccessibilityStatement().evaluate(art)
    assert [f.outcome for f in findings] == [Outcome.FAILED]
    assert "No accessibility statement found" in findings[0].message
    assert findings[0].check == "a11y.statement"
    assert "40 pages examined" in findings[0].evidence[0].text
    assert "no link" in findings[0].evidence[0].text


def test_first_fetched_candidate_is_read() -> None:
    registry = "https://form.agid.gov.it/view/abc"
    local = "https://www.example.eu/it/accessibilita"
    art = StatementArtifact(links=[(registry, 30), (local, 5)], pages={local: page(IT, url=local)},
                            pages_examined=40, today=TODAY)
    found = evaluate(art)
    assert found["Located"].outcome == Outcome.PASSED and local in found["Located"].message
    assert "linked from 5 pages" in found["Located"].message
    assert registry in found["Located"].evidence[0].text


def test_unreadable_statement_pages() -> None:
    url = "https://www.example.eu/accessibility.pdf"
    pdf = StatementArtifact(links=[(url, 3)], pages={url: page("%PDF-1.4", url=url, content_type="application/pdf")},
                            pages_examined=40, today=TODAY)
    findings = AccessibilityStatement().evaluate(pdf)
    assert [f.outcome for f in findings] == [Outcome.CANT_TELL] and "application/pdf" in findings[0].message
    missing = artifact(html_doc("<p>Not found</p>"), status=404)
    findings = AccessibilityStatement().evaluate(missing)
    assert [f.outcome for f in findings] == [Outcome.FAILED] and "404" in findings[0].message


def test_script_built_statement_is_cant_tell() -> None:
    found = evaluate(artifact(html_doc('<div id="app"></div><script src="/app.js"></script>')))
    assert found["Located"].outcome == Outcome.PASSED
    assert {f.outcome for k, f in found.items() if k != "Located"} == {Outcome.CANT_TELL}


# -- the elements' finer rules --------------------------------------------

def test_two_statuses_are_cant_tell() -> None:
    html = EN.replace("due to the non-compliances listed below.",
                      "due to the non-compliances listed below. Our e-services are fully compliant.")
    f = evaluate(artifact(html))["Compliance status"]
    assert f.outcome == Outcome.CANT_TELL and "partial" in f.message and "full" in f.message
    assert len(f.evidence) == 2


def test_negated_full_status_is_partial_and_criterion_findings_are_not_a_status() -> None:
    html = EN.replace("is partially compliant with", "is not fully compliant with").replace(
        "(success criterion 1.1.1)", "(not compliant with success criterion 1.1.1)")
    f = evaluate(artifact(html))["Compliance status"]
    assert f.outcome == Outcome.PASSED and f.message.startswith("Compliance status: partial")
    nl = NL.replace("voldoet gedeeltelijk aan", "voldoet niet aan")
    f = evaluate(artifact(nl))["Compliance status"]   # "voldoet niet aan succescriterium" is ignored
    assert f.outcome == Outcome.PASSED and f.message.startswith("Compliance status: none"), f.message


@pytest.mark.parametrize("lang,html,old,new,status", [
    ("it", IT, "è parzialmente conforme", "non è conforme", "none"),
    ("it", IT, "è parzialmente conforme", "è conforme", "full"),
    ("pl", PL, "jest częściowo zgodna", "jest niezgodna", "none"),
    ("pl", PL, "jest częściowo zgodna", "jest zgodna", "full"),
    ("es", ES, "es parcialmente conforme", "no es conforme", "none"),
    ("sv", SV, "är delvis förenlig", "är inte förenlig", "none"),
    ("de", DE, "teilweise mit der BITV 2.0 vereinbar", "nicht vollständig mit der BITV 2.0 vereinbar", "partial"),
    ("de", DE, "teilweise mit der BITV 2.0 vereinbar", "vollständig mit der BITV 2.0 vereinbar", "full"),
    ("nl", NL, "voldoet gedeeltelijk aan de eisen van EN 301 549 en WCAG 2.1 niveau AA.",
     "heeft status A: voldoet volledig aan de eisen.", "full"),
    ("nl", NL, "voldoet gedeeltelijk aan de eisen van EN 301 549 en WCAG 2.1 niveau AA.",
     "heeft Status B.", "partial"),
])
def test_status_wordings(lang: str, html: str, old: str, new: str, status: str) -> None:
    assert old in html
    f = evaluate(artifact(html.replace(old, new)))["Compliance status"]
    assert f.outcome == Outcome.PASSED and f.message.startswith(f"Compliance status: {status} "), f.message


def test_rgaa_rate_contradicting_the_wording_is_cant_tell() -> None:
    html = fr_page().replace("est partiellement conforme", "est totalement conforme")
    found = evaluate(artifact(html))
    f = found["Compliance status"]
    assert f.outcome == Outcome.CANT_TELL and "full" in f.message and "partial" in f.message
    assert any("72 % des critères" in e.text for e in f.evidence)


def test_unclear_status_and_no_list_is_cant_tell() -> None:
    html = INCOMPLETE_DE.replace("Wir arbeiten daran", "Unsere Apps sind vollständig barrierefrei. Wir arbeiten daran")
    found = evaluate(artifact(html))
    assert found["Compliance status"].outcome == Outcome.CANT_TELL
    assert found["Non-accessible content"].outcome == Outcome.CANT_TELL


def test_rgaa_rate_alone_gives_the_status() -> None:
    html = fr_page().replace("est partiellement conforme avec", "se réfère au")
    f = evaluate(artifact(html))["Compliance status"]
    assert f.outcome == Outcome.PASSED and f.message.startswith("Compliance status: partial")
    assert "72 % des critères" in f.evidence[0].text


def test_full_compliance_makes_non_accessible_content_inapplicable() -> None:
    main = """<h1>Accessibility statement</h1>
    <p>Example County Council is committed to making its website accessible in accordance with the
    European Union (Accessibility of Websites and Mobile Applications of Public Sector Bodies) Regulations 2020.</p>
    <p>This website is fully compliant with EN 301 549 V3.2.1 and WCAG 2.1 level AA.</p>
    <p>This statement was prepared on 12/05/2026 after an audit by an external company.</p>
    <p>Feedback and contact information: write to <a href="mailto:web@example.eu">web@example.eu</a>.</p>
    <p>Enforcement procedure: you can complain to the <a href="https://www.ombudsman.ie/">Ombudsman</a>.</p>"""
    found = evaluate(artifact(wrap(main, "en", "Accessibility")))
    assert found["Compliance status"].message.startswith("Compliance status: full")
    assert found["Non-accessible content"].outcome == Outcome.INAPPLICABLE
    assert found["Preparation/review date"].outcome == Outcome.PASSED
    assert found["Feedback and contact"].outcome == Outcome.PASSED
    assert found["Enforcement procedure"].outcome == Outcome.PASSED
    assert "www.ombudsman.ie" in found["Enforcement procedure"].message


def test_non_accessible_section_without_reasons_is_cant_tell() -> None:
    html = EN.replace("Non-compliance with the accessibility regulations", "Images").replace(
        "fixing it now would be a disproportionate burden", "we will fix it").replace(
        "Disproportionate burden", "Maps").replace("due to the non-compliances listed below", "")
    f = evaluate(artifact(html))["Non-accessible content"]
    assert f.outcome == Outcome.CANT_TELL, f.message
    assert "non-accessible for the following reasons" in f.evidence[0].text


def test_contact_only_in_the_site_footer_is_cant_tell() -> None:
    main = INCOMPLETE_DE.split("<main>")[1].split("</main>")[0]
    footer = ('<footer><p>Gemeinde Beispielheim, Rathausplatz 1, '
              '<a href="mailto:info@beispielheim.de">info@beispielheim.de</a></p></footer>')
    f = evaluate(artifact(wrap(main, "de", "x", footer=footer)))["Feedback and contact"]
    assert f.outcome == Outcome.CANT_TELL, f.message
    assert any(e.text == "mailto:info@beispielheim.de" for e in f.evidence)


def test_contact_without_feedback_section_passes() -> None:
    main = INCOMPLETE_DE.split("<main>")[1].split("</main>")[0].replace(
        "<h2>Feedback</h2>", "").replace("Wenn Ihnen Mängel auffallen, teilen Sie uns das bitte mit.",
                                         "Schreiben Sie an web@beispielheim.de oder rufen Sie an: Tel. 07071 204-0.")
    f = evaluate(artifact(wrap(main, "de", "x")))["Feedback and contact"]
    assert f.outcome == Outcome.PASSED and "no section names the feedback mechanism" in f.message
    assert "web@beispielheim.de" in evidence_text(f)


def test_enforcement_words_without_link_pass_with_a_note() -> None:
    html = DE.replace('<a href="https://www.schlichtungsstelle-bgg.de/">Schlichtungsstelle nach § 16 BGG</a>',
                      "Schlichtungsstelle nach § 16 BGG")
    f = evaluate(artifact(html))["Enforcement procedure"]
    assert f.outcome == Outcome.PASSED and "no link" in f.message
    assert "Schlichtungsstelle nach § 16 BGG" in f.evidence[0].text


def test_agid_named_for_its_guidelines_is_not_an_enforcement_procedure() -> None:
    html = IT.replace("<h2>Procedura di attuazione</h2>", "").replace(
        """In caso di risposta insoddisfacente o di mancata risposta, l'utente può inoltrare una segnalazione al
<a href="https://form.agid.gov.it/segnalazione">Difensore civico per il digitale</a> istituito presso l'AgID.""",
        "La dichiarazione segue il modello delle linee guida AgID.")
    assert evaluate(artifact(html))["Enforcement procedure"].outcome == Outcome.FAILED


def test_header_and_footer_words_are_not_the_statement() -> None:
    # "Kontakt" and "Feedback" in navigation do not make a feedback section
    header = ('<header><nav><a href="/kontakt">Kontakt</a> <a href="/feedback">Feedback</a> '
              '<a href="/beschwerden">Schlichtungsstelle</a></nav></header>')
    main = INCOMPLETE_DE.split("<main>")[1].split("</main>")[0].replace("<h2>Feedback</h2>", "")
    html = html_doc(f"{header}<main>{main}</main>", lang="de")
    found = evaluate(artifact(html))
    assert found["Feedback and contact"].outcome == Outcome.FAILED
    assert found["Enforcement procedure"].outcome == Outcome.FAILED


def test_hidden_text_and_scripts_are_not_read() -> None:
    main = INCOMPLETE_DE.split("<main>")[1].split("</main>")[0] + (
        '<div hidden><p>Diese Erklärung wurde am 01.07.2026 erstellt.</p></div>'
        '<script>var s = "zuletzt überprüft am 01.07.2026";</script>')
    found = evaluate(artifact(wrap(main, "de", "x")))
    assert found["Preparation/review date"].outcome == Outcome.FAILED


def test_work_is_bounded_on_huge_pages() -> None:
    filler = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 40 + "</p>"
    html = wrap(INCOMPLETE_DE.split("<main>")[1].split("</main>")[0] + filler * 2000
                + "<p>Diese Erklärung wurde am 01.07.2026 erstellt.</p>", "de", "x")
    started = time.monotonic()
    found = evaluate(artifact(html))
    assert time.monotonic() - started < 20
    # the date sits after the first 200,000 characters: not read
    assert found["Preparation/review date"].outcome == Outcome.FAILED
    words = int(found["Preparation/review date"].evidence[-1].text.split()[1].replace(",", ""))
    assert words < 40_000


# -- the parts --------------------------------------------------------------

@pytest.mark.parametrize("text,iso", [
    ("14.03.2022", "2022-03-14"), ("14/03/2022", "2022-03-14"), ("2022-03-14", "2022-03-14"),
    ("14 March 2022", "2022-03-14"), ("March 14, 2022", "2022-03-14"), ("14. März 2022", "2022-03-14"),
    ("14 mars 2022", "2022-03-14"), ("1er mars 2022", "2022-03-01"), ("14 marzo 2022", "2022-03-14"),
    ("14 maart 2022", "2022-03-14"), ("14 marca 2022", "2022-03-14"), ("14 de marzo de 2022", "2022-03-14"),
    ("14. Jänner 2022", "2022-01-14"), ("14. 3. 2022", "2022-03-14"), ("14. března 2022", "2022-03-14"),
    ("14. maaliskuuta 2022", "2022-03-14"), ("14. marts 2022", "2022-03-14"), ("14 de março de 2022", "2022-03-14"),
    ("14 września 2022", "2022-09-14"), ("2 augusti 2022", "2022-08-02"),
])
def test_dates_in_many_formats(text: str, iso: str) -> None:
    found = find_dates(f"am {text} erstellt")
    assert [str(d) for _, _, d in found] == [iso]


@pytest.mark.parametrize("text", ["31.02.2022", "WCAG 2.1.1", "EN 301 549 V3.2.1", "2016/2102", "1.4.10"])
def test_non_dates_are_not_dates(text: str) -> None:
    assert find_dates(text) == []


def test_sentences_do_not_break_at_day_numbers_or_abbreviations() -> None:
    text = "Diese Erklärung wurde am 14. März 2022 erstellt, z. B. per Selbstbewertung. Sie gilt weiter."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "Diese Erklärung wurde am 14. März 2022 erstellt, z. B. per Selbstbewertung.", "Sie gilt weiter."]


def test_phrase_syntax() -> None:
    assert compile_phrase("teilweise ... vereinbar").search("teilweise mit der BITV 2.0 vereinbar")
    assert not compile_phrase("teilweise ... vereinbar").search("teilweise. Das ist vereinbar")
    assert compile_phrase("niet-toegankelijk*").search("Niet toegankelijke inhoud")
    assert compile_phrase("riesaminata l'ultima volta").search("riesaminata l’ultima volta")
    assert compile_phrase("défenseur des droits").search("Defenseur des droits")
    assert not compile_phrase("kontakt").search("Kontaktformular")


def test_phrase_data_covers_every_element_in_the_core_languages() -> None:
    data = json.loads(resources.files("checks").joinpath("statement_phrases.json").read_text("utf-8"))
    core = {"en", "de", "fr", "it", "nl", "es", "pl", "sv"}
    tables = [data["status"][s] for s in ("full", "partial", "none")] + [
        data["non_accessible"]["section"], data["non_accessible"]["reasons"],
        data["date"]["prepared"], data["date"]["reviewed"], data["feedback"]["section"],
        data["enforcement"]["phrases"]]
    for table in tables:
        assert core <= set(table), set(table)
        for lang, phrases in table.items():
            if not lang.startswith("_"):
                for p in phrases:
                    compile_phrase(p)
    months: dict[str, int] = {}
    for lang, names in data["months"].items():
        if lang.startswith("_"):
            continue
        assert len(names) == 12, lang
        for n, variants in enumerate(names, 1):
            for v in [variants] if isinstance(variants, str) else variants:
                assert months.setdefault(v, n) == n, f"{v} is two months"


FILLER_P = ("<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 6
            + "</p>")


@pytest.mark.parametrize("lang,sentence,status", [
    ("fi", "Tämä verkkosivusto täyttää saavutettavuusvaatimukset osittain.", "partial"),
    ("fi", "Verkkopalvelu ei täytä saavutettavuusvaatimuksia.", "none"),
    ("da", "Dette websted er delvist i overensstemmelse med WCAG 2.1 AA.", "partial"),
    ("da", "Dette websted er fuldt ud i overensstemmelse med WCAG 2.1 AA.", "full"),
    ("cs", "Tyto internetové stránky jsou částečně v souladu se zákonem č. 99/2019 Sb.", "partial"),
    ("cs", "Tyto internetové stránky nejsou v souladu se zákonem č. 99/2019 Sb.", "none"),
    ("pt", "O sítio Web do Município está parcialmente conforme com o Decreto-Lei n.º 83/2018.", "partial"),
    ("de", "Diese Website ist teilweise barrierefrei. Von 98 Prüfschritten sind 80 erfüllt.", "partial"),
])
def test_status_in_more_languages(lang: str, sentence: str, status: str) -> None:
    found = evaluate(artifact(wrap(f"<h1>Statement</h1>{FILLER_P}<p>{sentence}</p>", lang, "x")))
    f = found["Compliance status"]
    assert f.outcome == Outcome.PASSED and f.message.startswith(f"Compliance status: {status} "), f.message
    assert sentence.split(". Von")[0] in f.evidence[0].text


def test_statement_registry_link_is_not_the_enforcement_link() -> None:
    html = IT.replace(
        "<h2>Stato di conformità</h2>",
        '<p>La dichiarazione è pubblicata anche sulla piattaforma AgID: <a href="https://form.agid.gov.it/view/'
        '7c1e4a52">Dichiarazione su form.agid.gov.it</a>.</p><h2>Stato di conformità</h2>').replace(
        '<a href="https://form.agid.gov.it/segnalazione">Difensore civico per il digitale</a>',
        "Difensore civico per il digitale")
    f = evaluate(artifact(html))["Enforcement procedure"]
    assert f.outcome == Outcome.PASSED and "no link" in f.message, f.message
    assert "Difensore civico per il digitale" in f.evidence[0].text


@pytest.mark.parametrize("portal,path,status,date_outcome,last", [
    ("comune-valdoria", "dichiarazione-accessibilita.html", "full", Outcome.PASSED, "2026-09-15"),
    ("stadt-lindenau", "barrierefreiheit.html", "partial", Outcome.FAILED, "2022-03-14"),
])
def test_demo_portal_statements(portal: str, path: str, status: str, date_outcome: Outcome, last: str) -> None:
    from tests.helpers import ROOT
    html = (ROOT / "citylabel" / "demo" / "portals" / portal / "site" / path).read_text(encoding="utf-8")
    found = evaluate(artifact(html, url=f"https://demo.example/{path}"))
    assert found["Compliance status"].message.startswith(f"Compliance status: {status} ")
    assert found["Preparation/review date"].outcome == date_outcome
    assert last in found["Preparation/review date"].message
    assert found["Feedback and contact"].outcome == Outcome.PASSED
    assert found["Enforcement procedure"].outcome == Outcome.PASSED
