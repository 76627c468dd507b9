"""Issue 5 end to end: service delivery, once-only, engagement, redress and openness.

The fixture portals under tests/fixtures/portals/ (Italian, German, French,
Dutch) were written apart from the detectors, modelled on real municipal
portals, with a ``portal.json`` of ground-truth facts. Each is served on
127.0.0.1 and audited once (no browser); every assertion compares the report
with the facts.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.artifacts import PageArtifact
from checks.forms import read_forms
from citylabel.demo.server import PortalServer
from tests.helpers import ROOT, report_json, run_cli

FIXTURES = ROOT / "tests/fixtures/portals"
PORTALS = {d.name: json.loads((d / "portal.json").read_text("utf-8"))
           for d in sorted(FIXTURES.iterdir()) if (d / "portal.json").is_file()}


def site_file(slug: str, path: str) -> Path:
    f = FIXTURES / slug / "site" / path.lstrip("/").split("?")[0]
    return f / "index.html" if f.is_dir() else f


def fixture_page(slug: str, path: str) -> PageArtifact:
    return PageArtifact(url="https://www.example.eu" + path, status=200, body=site_file(slug, path).read_bytes(),
                        content_type="text/html")


@pytest.fixture(scope="module")
def audits(tmp_path_factory) -> dict:  # noqa: ANN001
    out = {}
    for slug in PORTALS:
        db = f"sqlite:///{tmp_path_factory.mktemp(slug)}/a.db"
        with PortalServer(FIXTURES / slug / "site") as server:
            run_cli("audit", server.url, "--db", db, "--browser-pages", "0", "-q", "--max-pages", "300",
                    "--country", PORTALS[slug]["country"])
        out[slug] = report_json(db)
    return out


def findings(rep: dict, check: str) -> list[dict]:
    return [f for f in rep["findings"] if f["check"] == check]


def site_finding(rep: dict, check: str) -> dict:
    [f] = [f for f in findings(rep, check) if f["url"] is None][:1] or [None]
    return f


def path_of(rep: dict, url: str) -> str:
    base = rep["portal"]["start_url"].rstrip("/")
    return url[len(base):] if url and url.startswith(base) else url


def test_fixtures_cover_four_languages() -> None:
    assert len({p["language"] for p in PORTALS.values()}) >= 3 and len(PORTALS) >= 3


# -- forms ---------------------------------------------------------------------------

@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_every_form_is_classified_as_its_author_meant(slug: str) -> None:
    wrong = {}
    for path, forms in PORTALS[slug]["facts"]["forms"].items():
        got = [f.kind for f in read_forms(fixture_page(slug, path))]
        want = [f["kind"] for f in forms]
        if got != want:
            wrong[path] = (got, want)
    assert not wrong, wrong


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_online_forms_and_look_alikes(audits: dict, slug: str) -> None:
    rep, facts = audits[slug], PORTALS[slug]["facts"]
    service_pages = {p for p, fs in facts["forms"].items()
                     if any(f["kind"] in ("service_application", "booking", "report_problem") for f in fs)}
    got = {path_of(rep, f["url"]) for f in findings(rep, "forms.online") if f["outcome"] == "passed"}
    assert got == service_pages
    newsletter_only = {p for p, fs in facts["forms"].items() if {f["kind"] for f in fs} <= {"newsletter", "search", "rating", "login", "contact_feedback"}}
    assert not got & newsletter_only  # a newsletter box or a rating widget is no online service
    assert site_finding(rep, "forms.online-summary")["outcome"] == "passed"


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_pdf_forms_fillable_paper_only_and_not_forms(audits: dict, slug: str) -> None:
    rep, facts = audits[slug], PORTALS[slug]["facts"]
    by_path = {path_of(rep, f["url"]): f for f in findings(rep, "forms.pdf")}
    for path, info in facts["pdf_forms"].items():
        assert by_path[path]["outcome"] == ("passed" if info["fillable"] else "failed"), (path, by_path.get(path))
    for path in facts["not_forms"]:
        assert path not in by_path, by_path.get(path)  # an annual report or minutes is not a form
    pdf_only = [p for p, mode in facts["services"].items() if mode == "pdf"]
    assert all(by_path[p]["outcome"] == "failed" for p in pdf_only), [by_path.get(p) for p in pdf_only]
    assert site_finding(rep, "forms.pdf-summary")["outcome"] == "failed"


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_service_catalogue_counts_delivery_routes(audits: dict, slug: str) -> None:
    rep, facts = audits[slug], PORTALS[slug]["facts"]
    cat = site_finding(rep, "services.catalogue")
    assert cat["outcome"] == "passed" and facts["catalogue"] in path_of(rep, cat["details"]["catalogue_pages"][0]) + "/"
    modes = facts["services"].values()
    assert cat["details"]["online"] >= sum(1 for m in modes if "online" in m)
    assert cat["details"]["pdf"] >= sum(1 for m in modes if "pdf" in m)


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_once_only_signals(audits: dict, slug: str) -> None:
    rep, facts = audits[slug], PORTALS[slug]["facts"]
    by_path = {path_of(rep, f["url"]): f for f in findings(rep, "forms.once-only")}
    for path, asked in facts["once_only"].items():
        f = by_path.get(path)
        strong = {"national_id", "certificate_upload"} & set(asked)
        assert f is not None and f["outcome"] == ("failed" if strong else "cantTell"), (path, f)
        assert strong <= set(f["details"]["asked"])
    for path in facts["prefilled_after_login"]:
        assert by_path.get(path, {}).get("outcome") in ("passed", "cantTell", None), by_path.get(path)


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_autocomplete_tokens(audits: dict, slug: str) -> None:
    rep, facts = audits[slug], PORTALS[slug]["facts"]
    by_path = {path_of(rep, f["url"]): f for f in findings(rep, "forms.autocomplete")}
    for path, fields in facts["autocomplete"].items():
        f = by_path.get(path)
        if fields["missing_or_wrong"]:
            assert f is not None and f["outcome"] == "failed", (path, f)
        elif fields["good"]:
            assert f is not None and f["outcome"] == "passed", (path, f)


# -- engagement, redress, openness --------------------------------------------------------

@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_participation(audits: dict, slug: str) -> None:
    rep, facts = audits[slug], PORTALS[slug]["facts"]
    platform = site_finding(rep, "participation.platform")
    if facts["participation_platform"]:
        assert platform["outcome"] == "passed" and facts["participation_platform"]["name"].split()[0] in platform["message"]
    activity = site_finding(rep, "participation.activity")
    assert activity["outcome"] == "passed"
    expected = {k for k, v in facts["participation_activity"].items() if v}
    found = set(activity["details"]["activities"])
    assert len(found & expected) >= max(1, len(expected) - 1), (found, expected)
    report = site_finding(rep, "participation.report-problem")
    assert report["outcome"] == ("passed" if facts["report_problem"] or facts["open311"] else "failed")


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_complaint_and_contact(audits: dict, slug: str) -> None:
    rep, facts = audits[slug], PORTALS[slug]["facts"]
    complaint = site_finding(rep, "redress.complaint")
    assert complaint["outcome"] in (("passed", "cantTell") if facts["complaint"] else ("failed",))
    contact = {(f["details"] or {}).get("element", "located"): f["outcome"] for f in findings(rep, "support.contact")}
    c = facts["contact"]
    assert contact == {"located": "passed", "email": "passed" if c["email"] else "failed",
                       "telephone": "passed" if c["telephone"] else "failed",
                       "postal_address": "passed" if c["postal_address"] else "failed",
                       "opening_hours": "passed" if c["opening_hours"] else "failed"}


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_status_languages_your_europe_open_data_search(audits: dict, slug: str) -> None:
    rep, facts = audits[slug], PORTALS[slug]["facts"]
    outcome = {c: site_finding(rep, c)["outcome"] for c in (
        "services.status-tracking", "multilingual.versions", "sdg.your-europe", "opendata.portal", "usability.search")}
    assert outcome == {
        "services.status-tracking": "passed" if facts["status_tracking"] else "failed",
        "multilingual.versions": "passed" if len(facts["languages"]) > 1 else "failed",
        "sdg.your-europe": "passed" if facts["your_europe"] else "failed",
        "opendata.portal": "passed" if facts["opendata"] else "failed",
        "usability.search": "passed"}


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_mobile_viewport(audits: dict, slug: str) -> None:
    rep, facts = audits[slug], PORTALS[slug]["facts"]
    failed = {path_of(rep, f["url"]) for f in findings(rep, "usability.mobile") if f["outcome"] == "failed"}
    assert failed == set(facts["pages_without_viewport"])


@pytest.mark.parametrize("answer,outcome", [("georeport", "passed"), ("missing", "cantTell")])
def test_a_linked_open311_endpoint_is_fetched_once_at_its_standard_path(tmp_path, answer: str, outcome: str) -> None:  # noqa: ANN001
    from tests.helpers import html_doc, send, serve_routes
    hits: list[str] = []
    discovery = '{"changeset": "2025-01-01", "contact": "open311@gemeente.example", "endpoints": []}'

    def endpoint(h):  # noqa: ANN001, ANN202
        hits.append(h.path)
        if answer == "georeport":
            send(h, 200, discovery, "application/json")
        else:
            send(h, 404, "not found")
    home = html_doc('<main><p>Meldingen openbare ruimte kunt u ook via de '
                    '<a href="/open311/v2/">Open311-koppeling</a> doorgeven.</p></main>', "nl")
    db = f"sqlite:///{tmp_path}/o.db"
    with serve_routes({"/": lambda h: send(h, 200, home), "/open311/v2/discovery.json": endpoint}) as url:
        run_cli("audit", url, "--db", db, "--browser-pages", "0", "-q", "--check", "participation.report-problem")
    f = site_finding(report_json(db), "participation.report-problem")
    assert f["outcome"] == outcome and hits == ["/open311/v2/discovery.json"]
    assert f["details"]["open311_endpoint"]["url"].endswith("/open311/v2/discovery.json")
