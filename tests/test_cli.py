"""The command line: clear errors for bad input, checks listing, hostile page
content escaped in the reports an audit writes."""
from __future__ import annotations

from tests.helpers import html_doc, report_json, run_cli, send, serve_routes

HOSTILE_TITLE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_bad_start_url_is_a_clear_error(tmp_path) -> None:  # noqa: ANN001
    proc = run_cli("audit", "www.example.eu", "--db", f"sqlite:///{tmp_path / 'x.db'}", check=False)
    assert proc.returncode == 2
    assert "start URL must be an absolute http(s) URL" in proc.stderr


def test_unknown_check_is_a_clear_error(tmp_path) -> None:  # noqa: ANN001
    proc = run_cli("audit", "http://127.0.0.1:9/", "--check", "no.such-check",
                   "--db", f"sqlite:///{tmp_path / 'x.db'}", check=False)
    assert proc.returncode == 2 and "unknown check(s): no.such-check" in proc.stderr


def test_report_of_missing_run_is_a_clear_error(tmp_path) -> None:  # noqa: ANN001
    db = f"sqlite:///{tmp_path / 'x.db'}"
    proc = run_cli("report", "latest", "--db", db, check=False)
    assert proc.returncode == 2 and "no runs" in proc.stderr
    proc = run_cli("report", "42", "--db", db, check=False)
    assert proc.returncode == 2 and "no run with id 42" in proc.stderr
    proc = run_cli("report", "1", "--format", "pdf", "--db", db, check=False)
    assert proc.returncode == 2 and "unknown format" in proc.stderr


def test_checks_list_shows_the_builtin_checks() -> None:
    listing = run_cli("checks", "list").stdout
    for cid in ("privacy.notice-link", "a11y.statement-link", "security.https"):
        assert cid in listing


def test_hostile_page_content_is_escaped_in_reports(tmp_path) -> None:  # noqa: ANN001
    body = html_doc(f'<main><a href="/p?x=&quot;&gt;&lt;script&gt;">{HOSTILE_TITLE}</a>'
                    '<a href="javascript:alert(3)">js</a></main>', "en", title=HOSTILE_TITLE
                    .replace("<", "&lt;").replace(">", "&gt;"))
    db = f"sqlite:///{tmp_path / 'h.db'}"
    with serve_routes({"/": lambda h: send(h, 200, body)}) as url:
        run_cli("audit", url, "--db", db, "-q", "--report-dir", str(tmp_path))
    rep = report_json(db)
    assert rep["pages"][0]["title"] == HOSTILE_TITLE  # stored as text, verbatim
    html = run_cli("report", "latest", "--format", "html", "--db", db).stdout
    assert "<script>alert(1)" not in html and "onerror=alert(2)>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    written = (tmp_path / "run-1.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in written
