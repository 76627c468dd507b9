"""Check discovery through entry points, the runner's error handling, worst-wins."""
from __future__ import annotations

import subprocess
import sys
from importlib.metadata import EntryPoint

import pytest

import checks.registry as registry
from checks.base import Check, CheckMeta, Finding, Outcome, Scope, worst
from checks.runner import run_check
from tests.helpers import ROOT, html_doc, page, report_json, send, serve_routes


class Exploding(Check):
    meta = CheckMeta(id="test.exploding", title="Raises", principles=("privacy",),
                     scope=Scope.PAGE, requires=("page",), version="0.1", standard="none")

    def evaluate(self, page) -> list[Finding]:  # noqa: ANN001
        raise RuntimeError("boom on " + page.url)


class Misnamed(Exploding):
    meta = CheckMeta(id="other.id", title="x", principles=(), scope=Scope.SITE,
                     requires=("site",), version="1", standard="none")


def _fake_entry_points(extra: list[EntryPoint]):  # noqa: ANN202
    real = registry.entry_points

    def fake(group: str):  # noqa: ANN202
        return list(real(group=group)) + extra
    return fake


def test_builtin_checks_register_through_the_entry_point_group() -> None:
    found = registry.discover()
    assert {"privacy.notice-link", "a11y.statement-link", "security.https"} <= set(found)
    loaded = registry.load()
    assert {c.meta.id for c in loaded.page} >= {"privacy.notice-link", "a11y.statement-link"}
    assert {c.meta.id for c in loaded.site} >= {"security.https", "a11y.statement"}
    assert all(c.meta.scope.value == "site" for c in loaded.site)
    for cls in found.values():
        m = cls.meta
        assert m.title and m.principles and m.version and m.standard and m.requires


def test_a_plugin_is_discovered_and_selectable(monkeypatch) -> None:  # noqa: ANN001
    ep = EntryPoint("test.exploding", "tests.test_checks_framework:Exploding", registry.GROUP)
    monkeypatch.setattr(registry, "entry_points", _fake_entry_points([ep]))
    assert "test.exploding" in registry.discover()
    only = registry.load(enable=["test.exploding"])
    assert [c.meta.id for c in only.all] == ["test.exploding"]
    without = registry.load(disable=["test.exploding"])
    assert "test.exploding" not in {c.meta.id for c in without.all}


def test_a_plugin_whose_id_differs_from_its_name_is_refused(monkeypatch) -> None:  # noqa: ANN001
    ep = EntryPoint("test.misnamed", "tests.test_checks_framework:Misnamed", registry.GROUP)
    monkeypatch.setattr(registry, "entry_points", _fake_entry_points([ep]))
    with pytest.raises(registry.CheckLoadError, match="meta.id"):
        registry.discover()


def test_unknown_checks_are_refused() -> None:
    with pytest.raises(registry.CheckLoadError, match="unknown check"):
        registry.load(enable=["nope"])


def test_a_raising_check_becomes_an_error_finding() -> None:
    p = page(html_doc("<p>x</p>"), url="https://x.eu/a")
    findings = run_check(Exploding(), {"page": p}, p.url)
    assert [f.outcome for f in findings] == [Outcome.ERROR]
    assert "boom on https://x.eu/a" in findings[0].message
    assert findings[0].check == "test.exploding" and findings[0].check_version == "0.1"


def test_a_missing_artifact_is_an_error_not_a_pass() -> None:
    findings = run_check(Exploding(), {"page": None}, "https://x.eu/")
    assert [f.outcome for f in findings] == [Outcome.ERROR]
    assert "Missing artifact" in findings[0].message


def test_worst_wins_and_errors_never_count_as_failures() -> None:
    assert worst([]) == Outcome.INAPPLICABLE
    assert worst(["passed", "inapplicable"]) == Outcome.PASSED
    assert worst(["passed", "error"]) == Outcome.ERROR
    assert worst(["error", "cantTell", "passed"]) == Outcome.CANT_TELL
    assert worst(["cantTell", "failed", "passed"]) == Outcome.FAILED


def test_scrapy_crawl_portal_works_too(tmp_path) -> None:  # noqa: ANN001
    body = html_doc('<footer><a href="/privacy">Privacy notice</a></footer>' + "<p>x</p>" * 50)
    db = f"sqlite:///{tmp_path / 's.db'}"
    with serve_routes({"/": lambda h: send(h, 200, body),
                       "/privacy": lambda h: send(h, 200, body)}) as url:
        proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"url={url}",
                               "-a", f"db={db}", "-a", "portal_name=Scrapy CLI", "-a", "country=be",
                               "-a", "allow_private=1",
                               "-s", "LOG_LEVEL=WARNING"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rep = report_json(db)
    assert rep["portal"]["name"] == "Scrapy CLI" and rep["portal"]["country"] == "BE"
    assert rep["run"]["status"] == "finished" and len(rep["pages"]) == 2
    assert rep["run"]["check_versions"]["privacy.notice-link"] == "1.0"
    assert rep["run"]["tool_version"]
