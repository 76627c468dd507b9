"""The bundled demo portals audited end to end with `citylabel demo`, checked
against the facts each portal declares about itself (portal.json)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from citylabel.demo.server import bundled_portals
from tests.helpers import ROOT, report_json, run_cli

PORTALS = {p.slug: p for p in bundled_portals()}
SCHEMA = json.loads((ROOT / "reports" / "schema" / "report.schema.json").read_text())


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:  # noqa: ANN001
    tmp = tmp_path_factory.mktemp("demo")
    db = f"sqlite:///{tmp / 'demo.db'}"
    # --as-of: the statements' dates are fixed in the fixtures, so judge them on a fixed day
    proc = run_cli("demo", "--db", db, "--report-dir", str(tmp / "reports"), "-q",
                   "--as-of", "2026-11-28")
    reports = {}
    for run_id in (1, 2, 3):
        rep = report_json(db, run_id)
        slug = next(s for s, p in PORTALS.items() if p.name == rep["portal"]["name"])
        reports[slug] = rep
    return {"db": db, "stdout": proc.stdout, "reports": reports, "dir": tmp}


def path_of(rep: dict, url: str) -> str:
    base = rep["portal"]["start_url"].rstrip("/")
    return url[len(base):] if url.startswith(base) else url


def outcomes(rep: dict, check: str) -> dict[str, str]:
    return {path_of(rep, f["url"]): f["outcome"] for f in rep["findings"]
            if f["check"] == check and f["url"]}


def pages(rep: dict) -> dict[str, dict]:
    return {path_of(rep, p["url"]): p for p in rep["pages"]}


def html_files(slug: str) -> set[str]:
    root = PORTALS[slug].root
    out = set()
    for f in root.rglob("*.html"):
        rel = "/" + f.relative_to(root).as_posix()
        out.add(rel[: -len("index.html")] if rel.endswith("/index.html") or rel == "/index.html" else rel)
    return out


def test_three_portals_in_three_countries_of_three_qualities() -> None:
    assert {(p.country, p.quality) for p in PORTALS.values()} == {
        ("IT", "strong"), ("DE", "middling"), ("FR", "weak")}
    for p in PORTALS.values():
        assert 30 <= len(html_files(p.slug)) <= 100


def test_summary_table_and_reports_are_printed(demo: dict) -> None:
    for p in PORTALS.values():
        assert p.name.split()[-1] in demo["stdout"]
    paths = re.findall(r"HTML report for run \d+ .*?: (\S+\.html)", demo["stdout"])
    assert len(paths) == 3
    for path in paths:
        html = Path(path).read_text(encoding="utf-8")
        assert "<html" in html and "security.https" in html


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_reports_follow_the_json_schema(demo: dict, slug: str) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(demo["reports"][slug])
    assert demo["reports"][slug]["run"]["status"] == "finished"


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_every_reachable_page_is_crawled_including_sitemap_only_ones(demo: dict, slug: str) -> None:
    rep, facts = demo["reports"][slug], PORTALS[slug].facts
    got = {path for path, p in pages(rep).items() if p["fetch_status"] == "ok"
           and p["content_type"] == "text/html"}
    disallowed = tuple(facts["robots_disallowed"])
    expected = {p for p in html_files(slug) if not p.startswith(disallowed)}
    # the site search's results page is fetched once with a harmless query (usability.search)
    searched = {p for p in got if "?" in p}
    assert {p.split("?")[0] for p in searched} == ({facts["search_results_page"]} if "search_results_page" in facts
                                                   else set())
    assert got - searched == expected


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_defects_are_recorded(demo: dict, slug: str) -> None:
    rep, facts = demo["reports"][slug], PORTALS[slug].facts
    by_path = pages(rep)
    for broken in facts["broken_links"]:
        assert by_path[broken]["status"] == 404 and by_path[broken]["fetch_status"] == "http-error"
    for path in facts["robots_disallowed"]:
        assert by_path[path]["fetch_status"] == "robots-disallowed"
    for pdf in facts["pdf_forms"]:
        assert by_path[pdf]["content_type"] == "application/pdf" and by_path[pdf]["size"] > 500


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_privacy_link_outcomes_match_the_facts(demo: dict, slug: str) -> None:
    rep, facts = demo["reports"][slug], PORTALS[slug].facts
    got = outcomes(rep, "privacy.notice-link")
    linking = set(got) if facts["pages_linking_privacy"] == "all" else set(facts["pages_linking_privacy"])
    assert {p for p, o in got.items() if o == "passed"} == linking
    # pages whose footer only names the legal notice are "can't tell", never "failed"
    assert {o for p, o in got.items() if p not in linking} <= {"cantTell"}


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_statement_link_outcomes_match_the_facts(demo: dict, slug: str) -> None:
    rep, facts = demo["reports"][slug], PORTALS[slug].facts
    got = outcomes(rep, "a11y.statement-link")
    linking = set(got) if facts["pages_linking_statement"] == "all" else set(facts["pages_linking_statement"])
    assert {p for p, o in got.items() if o == "passed"} == linking
    others = [o for p, o in got.items() if p not in linking]
    assert others.count("failed") >= 0.9 * len(others)


def test_findings_carry_evidence(demo: dict) -> None:
    rep = demo["reports"]["comune-valdoria"]
    passed = [f for f in rep["findings"] if f["check"] == "a11y.statement-link"]
    ev = passed[0]["evidence"][0]
    assert ev["url"].endswith(PORTALS["comune-valdoria"].facts["accessibility_statement"])
    assert ev["selector"].startswith("/html/") and "<a" in ev["snippet"] and ev["text"]


def test_plain_http_demo_fails_https(demo: dict) -> None:
    for rep in demo["reports"].values():
        https = {f["details"]["aspect"]: f for f in rep["findings"] if f["check"] == "security.https"}
        # served over HTTP, no redirect, and every form posts over plain HTTP; no TLS to judge
        assert {a: f["outcome"] for a, f in https.items()} == {
            "https": "failed", "redirect": "failed", "mixed-content": "failed"}
        assert "send forms over plain HTTP" in https["mixed-content"]["message"]
        assert https["https"]["url"] is None  # a site-level finding


def test_recheck_rejudges_offline_as_a_linked_run(demo: dict) -> None:
    original = demo["reports"]["stadt-lindenau"]
    run_cli("recheck", str(original["run"]["id"]), "--db", demo["db"], "--report-dir",
            str(demo["dir"] / "reports"))
    again = report_json(demo["db"], "latest")
    assert again["run"]["kind"] == "recheck"
    assert again["run"]["parent_run_id"] == original["run"]["id"]
    key = lambda r: sorted((f["check"], f["url"] or "", f["outcome"]) for f in r["findings"])  # noqa: E731
    assert key(again) == key(original)
    assert len(again["pages"]) == len(original["pages"])


def test_runs_lists_every_run(demo: dict) -> None:
    listing = run_cli("runs", "--db", demo["db"]).stdout
    assert "Lindenau" in listing and "Valdoria" in listing and "Belmont" in listing


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_lang_outcomes_match_the_facts(demo: dict, slug: str) -> None:
    got = outcomes(demo["reports"][slug], "a11y.lang")
    assert {p for p, o in got.items() if o == "failed"} == set(PORTALS[slug].facts["pages_without_lang"])
    assert {p for p, o in got.items() if o != "failed"} and all(
        o == "passed" for p, o in got.items() if p not in PORTALS[slug].facts["pages_without_lang"])


def test_earl_report_holds_the_accessibility_findings(demo: dict) -> None:
    rep = demo["reports"]["commune-belmont"]
    earl = json.loads(run_cli("report", str(rep["run"]["id"]), "--format", "earl", "--db",
                              demo["db"]).stdout)
    assert earl["@context"]["earl"] == "http://www.w3.org/ns/earl#"
    subjects = [n for n in earl["@graph"] if "TestSubject" in n["@type"]]
    assertions = [a for s in subjects for a in s["assertions"]]
    a11y = [f for f in rep["findings"] if "accessibility" in f["principles"]]
    assert len(assertions) == len(a11y) > 0
    assert not any(a["test"]["title"].startswith("privacy.") for a in assertions)
    failed_lang = [a for a in assertions if a["test"]["title"] == "a11y.lang"
                   and a["result"]["outcome"] == "earl:failed"]
    assert len(failed_lang) == len(PORTALS["commune-belmont"].facts["pages_without_lang"])
    assert failed_lang[0]["result"]["pointer"][0]["ptr:expression"] == "/html"


def test_statement_content_is_judged_per_element(demo: dict) -> None:
    def elements(slug: str) -> dict[str, str]:
        return {f["message"].split(":", 1)[0]: f["outcome"] for f in demo["reports"][slug]["findings"]
                if f["check"] == "a11y.statement"}
    assert elements("commune-belmont") == {"Located": "failed"}
    strong = elements("comune-valdoria")
    assert strong["Located"] == "passed" and strong["Compliance status"] == "passed"
    assert strong["Preparation/review date"] == "passed"
    middling = elements("stadt-lindenau")
    assert middling["Located"] == "passed"
    assert middling["Preparation/review date"] == "failed"  # prepared in 2022, never reviewed
    statement = [f for f in demo["reports"]["stadt-lindenau"]["findings"]
                 if f["check"] == "a11y.statement" and f["message"].startswith("Compliance")][0]
    assert "teilweise vereinbar" in statement["evidence"][0]["text"]


def test_browser_sample_starts_with_key_pages_and_covers_templates(demo: dict) -> None:
    rep = demo["reports"]["comune-valdoria"]
    browser = rep["run"]["stats"]["browser"]
    assert browser["pages"] == 20 and browser["errors"] == 0 and browser["axe_version"].startswith("4.")
    reasons = {path_of(rep, s["url"]): s["reason"] for s in browser["sample"]}
    facts = PORTALS["comune-valdoria"].facts
    assert reasons["/"] == "key page: home"
    assert reasons[facts["accessibility_statement"]] == "key page: accessibility statement"
    assert reasons[facts["privacy_notice"]] == "key page: privacy notice"
    assert reasons[facts["eid_login_page"]] == "key page: login"
    assert reasons[facts["search_results_page"] + "?q=comune"] == "key page: search results"
    assert browser["templates"] >= 5 and browser["templates_sampled"] == browser["templates"]
    a11y = rep["summary"]["accessibility"]
    assert a11y["pages_rendered"] == 20 and a11y["templates"] == browser["templates"]


def test_axe_finds_the_planted_images_without_alt(demo: dict) -> None:
    rep = demo["reports"]["commune-belmont"]
    facts = PORTALS["commune-belmont"].facts
    rendered = {path_of(rep, s["url"]) for s in rep["run"]["stats"]["browser"]["sample"]}
    image_alt = {path_of(rep, f["url"]) for f in rep["findings"] if f["check"] == "a11y.axe"
                 and f["outcome"] == "failed" and f["details"]["rule"] == "image-alt"}
    expected = rendered & set(facts["images_without_alt"])
    assert expected and image_alt == expected
    summary = rep["summary"]["accessibility"]
    assert summary["violations_by_wcag"]["1.1.1"] >= len(expected)
    assert any(r["rule"] == "image-alt" and r["impact"] == "critical" for r in summary["rules"])
    strong = demo["reports"]["comune-valdoria"]
    assert not [f for f in strong["findings"] if f["check"] == "a11y.axe" and f["outcome"] == "failed"]


def test_trackers_before_consent_are_found_and_never_contacted(demo: dict) -> None:
    weak = [f for f in demo["reports"]["commune-belmont"]["findings"] if f["check"] == "privacy.pre-consent"]
    assert [f["outcome"] for f in weak] == ["failed"]
    planted = PORTALS["commune-belmont"].facts["trackers_before_consent"]
    texts = " ".join(e["text"] for e in weak[0]["evidence"])
    assert all(t in texts for t in planted) and "blocked by citylabel" in texts
    strong = [f for f in demo["reports"]["comune-valdoria"]["findings"] if f["check"] == "privacy.pre-consent"]
    assert [f["outcome"] for f in strong] == ["passed"]


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_eid_schemes_on_the_login_page_and_for_the_portal(demo: dict, slug: str) -> None:
    rep, facts = demo["reports"][slug], PORTALS[slug].facts
    schemes = set(facts["eid_schemes"])
    found = {f["details"]["scheme"] for f in rep["findings"] if f["check"] == "eid.login"
             and f["outcome"] == "passed" and path_of(rep, f["url"]) == facts["eid_login_page"]}
    assert found == schemes
    avail = [f for f in rep["findings"] if f["check"] == "eid.available"]
    summary = avail[0]
    if not schemes:  # only a password login
        assert [f["outcome"] for f in avail] == ["failed"] and "Password-only" in summary["message"]
        assert path_of(rep, summary["evidence"][0]["url"]) == facts["eid_login_page"]
        return
    assert summary["outcome"] == "passed" and summary["details"]["eidas"] is facts["eidas_login"]
    by_scheme = {f["details"]["scheme"]: f for f in avail[1:]}
    assert set(by_scheme) == schemes
    for path, scheme in facts.get("eid_redirects", {}).items():
        assert by_scheme[scheme]["details"]["how"] == "redirect"
        assert path_of(rep, by_scheme[scheme]["evidence"][0]["url"]) == path


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_privacy_notice_elements_and_link_coverage(demo: dict, slug: str) -> None:
    rep, facts = demo["reports"][slug], PORTALS[slug].facts
    notice = [f for f in rep["findings"] if f["check"] == "privacy.notice"]
    assert notice[0]["outcome"] == "passed" and facts["privacy_notice"] in notice[0]["message"]
    by = {f["details"]["element"]: f["outcome"] for f in notice[1:]}
    expected = {e: ("failed" if e in facts["privacy_notice_missing"] else
                    "cantTell" if e in facts["privacy_notice_unsure"] else "passed") for e in by}
    assert by == expected and len(by) == 10
    [cov] = [f for f in rep["findings"] if f["check"] == "privacy.notice-link-coverage"]
    # Belmont's other pages link only "Mentions légales", which may hold the information
    assert cov["outcome"] == facts["privacy_link_coverage"], cov["message"]


@pytest.mark.parametrize("slug", sorted(PORTALS))
def test_service_delivery_and_engagement_summaries(demo: dict, slug: str) -> None:
    rep, facts = demo["reports"][slug], PORTALS[slug].facts
    site = {f["check"]: f for f in rep["findings"] if f["url"] is None}
    pdf_pages = {path_of(rep, f["url"]) for f in rep["findings"] if f["check"] == "forms.pdf"}
    assert set(facts["pdf_forms"]) <= pdf_pages  # every planted PDF form is judged as a document
    online = {path_of(rep, f["url"]) for f in rep["findings"] if f["check"] == "forms.online"}
    assert online and online <= set(facts["online_forms"]) | {facts.get("eid_login_page")}
    assert site["forms.pdf-summary"]["outcome"] == "failed"  # all three demos plant paper-only forms
    assert site["usability.search"]["outcome"] == ("passed" if "search_results_page" in facts else "failed")
    for check in ("participation.activity", "support.contact", "services.catalogue"):
        assert site[check]["outcome"] in ("passed", "failed", "cantTell") and site[check]["evidence"]
