"""Issue 6: a demo portal audited twice with a defect introduced in between shows the
regression in ``diff``, in ``history`` and through ``--fail-on``; a baseline silences it."""
from __future__ import annotations

import json
import shutil

import pytest

from citylabel.demo.server import PortalServer
from tests.helpers import ROOT, run_cli

PORTAL = ROOT / "citylabel/demo/portals/stadt-lindenau"
NAME = "Stadt Lindenau"


def audit(site, db: str, *extra: str):  # noqa: ANN001, ANN201
    with PortalServer(site) as server:
        return run_cli("audit", server.url, "--name", NAME, "--country", "DE", "--db", db, "--browser-pages", "0",
                       "-q", "--as-of", "2026-11-28", *extra, check=False)


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> dict:  # noqa: ANN001
    d = tmp_path_factory.mktemp("history")
    site = d / "site"
    shutil.copytree(PORTAL / "site", site)
    shutil.copy(PORTAL / "portal.json", d / "portal.json")
    db = f"sqlite:///{d}/h.db"
    first = audit(site, db, "--fail-on", "regression")
    baseline = d / "baseline.json"
    run_cli("baseline", "latest", "--db", db, "-o", str(baseline))
    for page in site.rglob("*.html"):  # the defect: every page loses its language
        page.write_text(page.read_text("utf-8").replace('<html lang="de">', "<html>"), encoding="utf-8")
    second = audit(site, db, "--fail-on", "regression")
    third = audit(site, db, "--fail-on", "regression")  # the defect is now known: no new regression
    return {"db": db, "dir": d, "site": site, "first": first, "second": second, "third": third,
            "baseline": baseline}


def test_fail_on_regression_exits_3_with_a_clear_message(twice: dict) -> None:
    assert twice["first"].returncode == 0, twice["first"].stderr[-2000:]  # a first run cannot regress
    second = twice["second"]
    assert second.returncode == 3, second.stderr[-2000:]
    assert "--fail-on:" in second.stderr and "regression since run 1" in second.stderr
    assert "new failure(s), e.g. a11y.lang" in second.stderr
    assert twice["third"].returncode == 0, twice["third"].stderr[-2000:]


def test_diff_shows_the_new_failures_and_the_score_change(twice: dict) -> None:
    d = json.loads(run_cli("diff", "1", "2", "--db", twice["db"], "-f", "json").stdout)
    assert d["regression"] is True and d["runs"] == {"a": 1, "b": 2}
    assert {f["check"] for f in d["new_failures"]} == {"a11y.lang"}
    assert len(d["new_failures"]) >= 30 and not d["fixed_failures"]
    access = next(p for p in d["principles"] if p["id"] == "accessibility")
    assert access["delta"] < 0
    assert {"check": "a11y.lang", "a": "passed", "b": "failed"} in d["changed_checks"]
    text = run_cli("diff", "1", "2", "--db", twice["db"]).stdout
    assert "REGRESSION" in text and "+ a11y.lang" in text
    html = run_cli("diff", "1", "2", "--db", twice["db"], "-f", "html").stdout
    assert "<h2>New failures (" in html and "<script" not in html
    back = json.loads(run_cli("diff", "2", "1", "--db", twice["db"], "-f", "json").stdout)
    assert back["regression"] is False and len(back["fixed_failures"]) == len(d["new_failures"])


def test_a_baseline_silences_known_findings(twice: dict) -> None:
    quiet = json.loads(run_cli("diff", "1", "2", "--db", twice["db"], "-f", "json",
                               "--baseline", str(twice["baseline"])).stdout)
    assert quiet["new_failures"] and quiet["ignored_by_baseline"] > 0  # the baseline knows run 1's failures only
    new_baseline = twice["dir"] / "after.json"
    run_cli("baseline", "2", "--db", twice["db"], "-o", str(new_baseline))
    silenced = json.loads(run_cli("diff", "1", "2", "--db", twice["db"], "-f", "json",
                                  "--baseline", str(new_baseline)).stdout)
    assert silenced["new_failures"] == []


def test_history_lists_the_runs_with_the_drop(twice: dict) -> None:
    h = json.loads(run_cli("history", NAME, "--db", twice["db"], "-f", "json").stdout)
    assert [r["run"] for r in h["runs"]] == [1, 2, 3]
    acc = [r["scores"]["accessibility"] for r in h["runs"]]
    assert acc[1] < acc[0] and acc[2] == acc[1]
    html = run_cli("history", NAME, "--db", twice["db"], "-f", "html").stdout
    assert html.count('class="trend"') >= 5 and "History of Stadt Lindenau" in html
    assert "accessibility" in run_cli("history", NAME, "--db", twice["db"]).stdout


def test_level_and_principle_gates(twice: dict) -> None:
    with PortalServer(twice["site"]) as server:
        out = run_cli("audit", server.url, "--name", NAME, "--db", twice["db"], "--browser-pages", "0", "-q",
                      "--fail-on", "level<Gold", "--fail-on", "principle:accessibility<0.99",
                      "--check", "a11y.lang", "--check", "privacy.notice-link", check=False)
    assert out.returncode == 3
    assert "below the required level Gold" in out.stderr and "principle accessibility scores" in out.stderr
    bad = run_cli("audit", "http://127.0.0.1:9/", "--fail-on", "level<<2", "--db", twice["db"], check=False)
    assert bad.returncode == 2 and "--fail-on takes" in bad.stderr
