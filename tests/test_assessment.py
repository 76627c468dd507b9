"""Label model and assessment: validation, scoring, levels, reports (JSON, HTML in Chromium, CSV, badge)."""
from __future__ import annotations

import csv
import io
import json

import pytest

from reports.assessment import assess, indicator_result
from reports.graphics import badge_svg
from reports.model import ModelError, load_model, parse_model
from tests.helpers import ROOT, html_doc, report_json, run_cli, send, serve_routes

MODEL = {
    "name": "test-model", "version": "1",
    "principles": [
        {"id": "privacy", "title": "Privacy", "indicators": [{"check": "privacy.notice", "weight": 3},
                                                             {"check": "privacy.pre-consent", "weight": 1}]},
        {"id": "security", "title": "Security", "indicators": [{"check": "security.https", "weight": 1},
                                                               {"check": "security.txt", "manual": True}]},
        {"id": "eid", "title": "eID", "indicators": [{"check": "eid.available"}]},
    ],
    "levels": [{"name": "Gold", "rank": 3, "min_score": {"default": 0.9}, "mandatory": ["security.https"]},
               {"name": "Bronze", "rank": 1, "min_score": {"default": 0.5}, "mandatory": []}],
}


def checks(**counts: dict) -> list[dict]:
    """Report summary rows; keyword names use "__" for "-" and "_" for "." in check ids."""
    return [{"check": c.replace("__", "-").replace("_", "."), "counts": v} for c, v in counts.items()]


def test_the_shipped_model_covers_installed_checks_and_loads() -> None:
    from checks.registry import discover
    model = load_model()
    assert model.name == "tallinn-user-centricity" and model.version and len(model.levels) == 3
    assert set(model.checks) <= set(discover())
    assert len(model.principles) >= 8


@pytest.mark.parametrize("change,message", [
    (lambda m: m.pop("levels"), "missing 'levels'"),
    (lambda m: m["principles"][0]["indicators"][0].update(weight=-1), "weight must be a positive number"),
    (lambda m: m["levels"][0]["min_score"].update(privcy=0.5), "unknown principle 'privcy'"),
    (lambda m: m["levels"][0].update(mandatory=["nope.check"]), "not in any principle"),
    (lambda m: m["principles"][1]["indicators"].append({"check": "privacy.notice"}), "listed twice"),
    (lambda m: m["levels"][1]["min_score"].update(default=1.5), "between 0 and 1"),
])
def test_bad_models_are_refused_with_the_reason(change, message: str) -> None:  # noqa: ANN001
    data = json.loads(json.dumps(MODEL))
    change(data)
    with pytest.raises(ModelError, match=message):
        parse_model(data, "my-model.yaml")


def test_cant_tell_and_errors_never_count_as_failed() -> None:
    assert indicator_result({"passed": 3, "cantTell": 5}) == {
        "outcome": "cantTell", "score": 1.0, "passed": 3, "failed": 0, "unsure": 5}
    assert indicator_result({"error": 2})["score"] is None
    assert indicator_result({"passed": 1, "failed": 3})["score"] == 0.25
    assert indicator_result({})["outcome"] == "inapplicable"


def test_scores_confidence_levels_and_review_queue() -> None:
    model = parse_model(MODEL)
    a = assess(checks(privacy_notice={"passed": 9, "failed": 1}, privacy_pre__consent={"cantTell": 1},
                      security_https={"passed": 2}, security_txt={"passed": 1},
                      eid_available={"inapplicable": 1}), model)
    by = {p["id"]: p for p in a["principles"]}
    assert by["privacy"]["score"] == 0.9 and by["privacy"]["confidence"] == 0.75  # pre-consent undecided
    assert by["eid"]["score"] is None and by["eid"]["confidence"] is None      # nothing applies: no condition
    assert a["level"] == {"name": "Gold", "rank": 3}
    assert {q["check"] for q in a["review_queue"]} == {"privacy.pre-consent", "security.txt"}  # txt is manual
    assert a["model"] == {"name": "test-model", "version": "1", "title": "test-model", "source": ""}
    worse = assess(checks(privacy_notice={"passed": 5, "failed": 5}, security_https={"failed": 1},
                          security_txt={"passed": 1}), model)
    assert worse["level"] == {"name": "Bronze", "rank": 1}
    assert any("security.https is failed, mandatory for Gold" in r for r in worse["reasons"])
    unsure = assess(checks(privacy_notice={"cantTell": 2}, security_https={"passed": 1}), model)
    assert unsure["level"]["pending_review"] is True  # undecided never fails a level: it waits for a person


def test_badge_escapes_and_names_the_level() -> None:
    svg = badge_svg({"name": "<Gold>", "rank": 3})
    assert "&lt;Gold&gt;" in svg and "<Gold>" not in svg and 'role="img"' in svg
    assert "no level" in badge_svg(None)


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> dict:  # noqa: ANN001
    d = tmp_path_factory.mktemp("assess")
    body = html_doc('<main><h1>Comune</h1><p>Benvenuti.</p></main><footer><a href="/privacy">Privacy</a>'
                    '<a href="/accessibilita">Dichiarazione di accessibilità</a></footer>', "it")
    db = f"sqlite:///{d}/a.db"
    with serve_routes({"/": lambda h: send(h, 200, body), "/privacy": lambda h: send(h, 200, body)}) as url:
        run_cli("audit", url, "--db", db, "--browser-pages", "0", "-q", "--report-dir", str(d))
    lenient = d / "lenient.yaml"
    lenient.write_text("name: lenient\nversion: '0.1'\nprinciples:\n  - id: privacy\n    title: Privacy\n"
                       "    indicators:\n      - {check: privacy.notice-link}\nlevels:\n"
                       "  - {name: Entry, rank: 1, min_score: {default: 0.5}}\n", encoding="utf-8")
    return {"db": db, "dir": d, "lenient": lenient}


def test_report_carries_the_assessment_and_the_model(audited: dict) -> None:
    import jsonschema
    rep = report_json(audited["db"])
    schema = json.loads((ROOT / "reports/schema/report.schema.json").read_text("utf-8"))
    jsonschema.validate(rep, schema)
    a = rep["assessment"]
    assert a["model"]["name"] == "tallinn-user-centricity" and a["level"] is None and a["reasons"]
    proc = run_cli("report", "latest", "-f", "json", "--db", audited["db"], "--model", str(audited["lenient"]))
    other = json.loads(proc.stdout)["assessment"]
    assert other["model"] == {"name": "lenient", "version": "0.1", "title": "lenient",
                              "source": str(audited["lenient"])}
    assert other["level"] == {"name": "Entry", "rank": 1}
    bad = audited["dir"] / "bad.yaml"
    bad.write_text("name: x\nversion: 1\nprinciples: []\nlevels: []\n", encoding="utf-8")
    refused = run_cli("report", "latest", "--db", audited["db"], "--model", str(bad), check=False)
    assert refused.returncode == 2 and "no levels" in refused.stderr


def test_csv_and_badge_exports(audited: dict) -> None:
    text = run_cli("report", "latest", "-f", "csv", "--db", audited["db"]).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {"check", "outcome", "url", "evidence_text"} <= set(rows[0])
    assert {r["check"] for r in rows} >= {"privacy.notice-link", "a11y.lang"}
    badge = run_cli("report", "latest", "-f", "badge", "--db", audited["db"], "--model",
                    str(audited["lenient"])).stdout
    assert badge.startswith("<svg") and "Entry" in badge


def test_csv_cells_cannot_become_formulas() -> None:
    from reports.export import findings_csv
    rep = {"run": {"id": 1}, "portal": {"name": "=HYPERLINK(\"http://x\")"},
           "findings": [{"check": "a", "outcome": "failed", "message": "+1", "evidence": [{"text": "@SUM(A1)"}]}]}
    row = list(csv.reader(io.StringIO(findings_csv(rep))))[1]
    assert row[1].startswith("'=") and row[7] == "'+1" and row[10] == "'@SUM(A1)"


def test_html_badge_and_chart_render_in_chromium(audited: dict, tmp_path) -> None:  # noqa: ANN001
    """Open the HTML report in headless Chromium, take a screenshot, and check that the
    badge and the principle chart are drawn with sizes that follow the scores."""
    from playwright.sync_api import sync_playwright
    from crawler.browser import CHROME_ARGS, find_chromium
    html = tmp_path / "report.html"
    run_cli("report", "latest", "-f", "html", "-o", str(html), "--db", audited["db"], "--model", str(audited["lenient"]))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROME_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(html.as_uri())
            shot = page.screenshot(full_page=True)
            badge = page.locator("#label svg.badge")
            chart = page.locator("#label svg.principles-chart")
            assert badge.bounding_box()["width"] > 60 and "Entry" in badge.text_content()
            bars = chart.locator("rect.score")
            assert bars.count() == 1 and bars.first.bounding_box()["width"] > 100  # 100 % of the bar
            heading = page.locator("#label-h").inner_text()
        finally:
            browser.close()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 5000
    assert heading == "Proposed label: Entry"


def test_review_trail_changes_the_assessment_not_the_finding_and_survives_re_rendering(audited: dict) -> None:
    import re
    db = audited["db"]

    def queued() -> int:
        return int(re.search(r"review queue of run \d+ \((\d+)\)", run_cli("review", "latest", "--db", db).stdout)[1])
    queue = run_cli("review", "latest", "--db", db).stdout
    waiting = queued()
    rep = report_json(db)
    unsure = [f for f in rep["findings"] if f["outcome"] == "cantTell"]
    assert unsure and str(unsure[0]["id"]) in queue
    target = unsure[0]
    before = {p["id"]: p for p in rep["assessment"]["principles"]}
    bad = run_cli("review", "latest", "--db", db, "--finding", str(target["id"]), "--confirm",
                  "--reviewer", "A. Rossi", "--reason", "seen", check=False)
    assert bad.returncode == 2 and "confirm only a passed or failed" in bad.stderr
    run_cli("review", "latest", "--db", db, "--finding", str(target["id"]), "--override", "failed",
            "--reviewer", "A. Rossi", "--reason", "The linked page is a cookie policy, not the notice")
    for _ in range(2):  # the trail is in the database: every rendering shows it
        after = report_json(db)
        f = next(x for x in after["findings"] if x["id"] == target["id"])
        assert f["outcome"] == "cantTell" and f["review"]["outcome"] == "failed"
        assert f["review"]["reviewer"] == "A. Rossi" and f["review"]["decision"] == "override"
    html = run_cli("report", "latest", "--db", db).stdout
    assert "Reviewed: override" in html and "A. Rossi" in html and "cookie policy, not the notice" in html
    principle = target["principle"]
    if principle in before and before[principle]["confidence"] not in (None, 1.0):
        assert {p["id"]: p for p in after["assessment"]["principles"]}[principle]["confidence"] > before[principle]["confidence"]
    assert queued() == waiting - 1
    wrong = run_cli("review", "latest", "--db", db, "--finding", "999999", "--override", "passed",
                    "--reviewer", "x", "--reason", "y", check=False)
    assert wrong.returncode == 2 and "has no finding 999999" in wrong.stderr


def test_explanations_are_shown_until_they_expire(audited: dict) -> None:
    db = audited["db"]
    name = report_json(db)["portal"]["name"]
    run_cli("explain", name, "--db", db, "--check", "a11y.statement", "--text", "New statement in preparation",
            "--author", "Comune (URP)", "--expires", "2999-12-31")
    run_cli("explain", name, "--db", db, "--check", "privacy.notice", "--text", "Old excuse",
            "--author", "Comune", "--expires", "2000-01-01")
    rep = report_json(db)
    assert [e["text"] for e in rep["explanations"]] == ["New statement in preparation"]
    assert "New statement in preparation" in run_cli("report", "latest", "--db", db).stdout
    bad = run_cli("explain", name, "--db", db, "--check", "x", "--text", "t", "--author", "a", "--expires", "soon",
                  check=False)
    assert bad.returncode == 2 and "--expires must be a date" in bad.stderr
