"""The end of an audit renders its HTML page from a ``listed_only`` report (only the
findings the page shows are loaded in full): the page must be exactly the one the
full report gives, also when the lists are cut and reviews change outcomes."""
from __future__ import annotations

import random

import pytest

import reports.html as html
from citylabel import __version__
from reports.build import build_report
from storage.models import Finding, Review
from storage.recorder import RunRecorder
from storage.session import session_scope

CHECKS = ["a11y.title", "a11y.lang", "eid.login", "security.mixed-content", "privacy.notice-link",
          "no.such-check"]
OUTCOMES = ["passed", "failed", "cantTell", "inapplicable", "error"]


def _run(tmp_path, pages: int = 120, seed: int = 3) -> tuple[str, int]:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'r.db'}"
    rec = RunRecorder(url, portal_name="P", start_url="https://p.eu/", country="IT", settings={},
                      check_versions={c: "1" for c in CHECKS[:-1]}, tool_version="t", keep_warc=False)
    rng = random.Random(seed)
    for i in range(pages):
        page_url = f"https://p.eu/{i}"
        status = rng.choice(["ok", "ok", "ok", "http-error"])
        findings = [{"check": c, "check_version": "1", "outcome": rng.choice(OUTCOMES),
                     "principles": [rng.choice(["accessibility", "privacy"])], "url": page_url,
                     "message": f"{c} on {i}", "evidence": [{"url": page_url, "text": f"e{i}"}],
                     "details": {"n": i}}
                    for c in rng.sample(CHECKS, rng.randrange(1, len(CHECKS)))]
        rec.add_page({"url": page_url, "final_url": page_url, "http_status": 200, "fetch_status": status,
                      "content_type": "text/html", "size": 10, "depth": 1, "title": f"Page {i}",
                      "error": None, "referrer": None, "warc_record_id": None}, findings)
    rec.finish("finished", {"browser": {}}, [{"check": "security.https", "check_version": "1",
                                              "outcome": "failed", "principles": ["security"],
                                              "url": None, "message": "site", "evidence": [],
                                              "details": None}])
    with session_scope(url) as s:  # reviews: one overrides an outcome, one confirms
        ids = s.scalars(Finding.__table__.select().with_only_columns(Finding.id)
                        .where(Finding.outcome == "failed").order_by(Finding.id).limit(2)).all()
        s.add(Review(finding_id=ids[0], run_id=rec.run_id, decision="override", outcome="passed",
                     reviewer="r", reason="x"))
        s.add(Review(finding_id=ids[1], run_id=rec.run_id, decision="confirm", outcome="failed",
                     reviewer="r", reason="y"))
    return url, rec.run_id


@pytest.mark.parametrize("caps", [(5000, 2000, 5000), (40, 25, 30), (1, 0, 0)])
def test_listed_only_report_renders_the_same_page(tmp_path, monkeypatch, caps) -> None:  # noqa: ANN001
    attention, passed, pages = caps
    monkeypatch.setattr(html, "MAX_ATTENTION_LISTED", attention)
    monkeypatch.setattr(html, "MAX_PASSED_LISTED", passed)
    monkeypatch.setattr(html, "MAX_PAGES_LISTED", pages)
    url, run_id = _run(tmp_path)
    with session_scope(url) as s:
        full = build_report(s, run_id, __version__)
        listed = build_report(s, run_id, __version__, listed_only=True)
    listed["generated_at"] = full["generated_at"]
    for key in ("summary", "assessment", "run", "portal", "explanations"):
        assert listed[key] == full[key]
    assert len(listed["findings"]) == len(full["findings"])
    shown = html.listed_findings(full)
    assert 0 < len(shown) < len(full["findings"])
    assert all(listed["findings"][i] == full["findings"][i] for i in shown)
    assert html.render_html(listed) == html.render_html(full)
