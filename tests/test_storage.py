"""Migrations (SQLite and a real PostgreSQL), the run recorder and the WARC store."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, select

from storage.models import Base, Finding, Page, Run
from storage.recorder import RunRecorder
from storage.session import alembic_config, engine_for, migrate, session_scope
from storage.warc import read_responses
from tests.helpers import html_doc, report_json, run_cli, send, serve_routes


def _no_drift(url: str) -> None:
    migrate(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []
        assert set(inspect(conn).get_table_names()) >= {"portal", "run", "page", "finding",
                                                         "alembic_version"}
    engine.dispose()


def test_migration_history_is_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_sqlite_migrations_match_models(tmp_path) -> None:  # noqa: ANN001
    _no_drift(f"sqlite:///{tmp_path / 'm.db'}")


def test_postgres_migrations_match_models(postgres_url: str) -> None:
    _no_drift(postgres_url)


def test_audit_into_postgres(postgres_url: str, tmp_path) -> None:  # noqa: ANN001
    body = html_doc('<a href="/datenschutz">Datenschutz</a><a href="/b">B</a>', "de")
    with serve_routes({"/": lambda h: send(h, 200, body),
                       "/datenschutz": lambda h: send(h, 200, html_doc("Datenschutz", "de")),
                       "/b": lambda h: send(h, 200, html_doc("B", "de"))}) as url:
        run_cli("audit", url, "--name", "Stadt PG", "--country", "de", "--db", postgres_url,
                "-q", "--report-dir", str(tmp_path))
    rep = report_json(postgres_url)
    assert rep["portal"] == {"name": "Stadt PG", "start_url": url, "country": "DE"}
    assert rep["run"]["status"] == "finished"
    assert len(rep["pages"]) == 3
    privacy = {f["url"]: f["outcome"] for f in rep["findings"] if f["check"] == "privacy.notice-link"}
    assert privacy[url] == "passed"
    assert len(privacy) == 3


def test_recorder_batches_and_archives(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'r.db'}"
    rec = RunRecorder(url, portal_name="P", start_url="https://p.eu/", country="IT",
                      settings={"max_pages": 3}, check_versions={"x.y": "1"}, tool_version="t")
    finding = {"check": "x.y", "check_version": "1", "outcome": "passed", "principles": ["privacy"],
               "url": "https://p.eu/", "message": "m", "evidence": [{"url": "https://p.eu/"}]}
    rid = rec.archive("https://p.eu/", 200, "OK", [("Content-Type", "text/html"),
                                                   ("Content-Encoding", "gzip")], b"<html>hi</html>")
    rec.add_page({"url": "https://p.eu/", "final_url": "https://p.eu/", "http_status": 200,
                  "fetch_status": "ok", "content_type": "text/html", "size": 15, "depth": 0,
                  "title": None, "error": None, "referrer": None, "warc_record_id": rid}, [finding])
    with session_scope(url) as s:  # batched: not yet written
        assert s.scalar(select(func.count(Page.id))) == 0
    rec.finish("finished", {"pages": 1}, [dict(finding, url=None)])
    with session_scope(url) as s:
        run = s.get(Run, rec.run_id)
        assert run.status == "finished" and run.finished_at is not None
        assert s.scalar(select(func.count(Finding.id))) == 2
        page = s.scalars(select(Page)).one()
    stored = list(read_responses(run.warc_path))
    assert [r.record_id for r in stored] == [page.warc_record_id]
    assert stored[0].body == b"<html>hi</html>"  # stored decoded, encoding header renamed
    assert "content-encoding" not in stored[0].headers
    engine_for.cache_clear()


def test_findings_added_later_cite_the_first_page_fetched_at_the_url(tmp_path) -> None:  # noqa: ANN001
    """add_findings (the browser's findings) attach to the first stored page fetched (ok)
    at the URL, as requested or after a redirect; none when there is no such page."""
    url = f"sqlite:///{tmp_path / 'p.db'}"
    rec = RunRecorder(url, portal_name="P", start_url="https://p.eu/", country=None,
                      settings={}, check_versions={}, tool_version="t", keep_warc=False)
    base = {"http_status": 200, "content_type": "text/html", "size": 1, "depth": 1, "title": None,
            "error": None, "referrer": None, "warc_record_id": None}
    rec.add_page({**base, "url": "https://p.eu/x", "final_url": None, "fetch_status": "fetch-error",
                  "http_status": None}, [])
    rec.add_page({**base, "url": "https://p.eu/old", "final_url": "https://p.eu/new", "fetch_status": "ok"}, [])
    rec.add_page({**base, "url": "https://p.eu/new", "final_url": "https://p.eu/new", "fetch_status": "duplicate"}, [])
    rec.add_page({**base, "url": "https://p.eu/x", "final_url": "https://p.eu/x", "fetch_status": "ok"}, [])
    rec.add_page({**base, "url": "https://p.eu/x", "final_url": "https://p.eu/x", "fetch_status": "ok"}, [])
    rec.flush()
    finding = {"check": "a11y.axe", "check_version": "1", "outcome": "failed", "principles": [],
               "url": None, "message": "m", "evidence": []}
    for target in ("https://p.eu/new", "https://p.eu/old", "https://p.eu/x", "https://p.eu/none"):
        rec.add_findings(target, [dict(finding, url=target)])
    rec.finish("finished", {}, [])
    with session_scope(url) as s:
        ids = s.scalars(select(Page.id).order_by(Page.id)).all()
        cited = dict(s.execute(select(Finding.url, Finding.page_id)).all())
    assert cited == {"https://p.eu/new": ids[1], "https://p.eu/old": ids[1], "https://p.eu/x": ids[3],
                     "https://p.eu/none": None}
    engine_for.cache_clear()
