"""Resume after ``kill -9``: the run continues where it stopped, nothing stored is lost or
duplicated, and only responses that were in flight at the kill are fetched again."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

from sqlalchemy import func, select

from storage.models import Finding, Page, Run
from storage.session import session_scope
from tests.helpers import ROOT, html_doc, report_json, run_cli, send, serve_routes

PAGES = 60


def site(hits: Counter):  # noqa: ANN201
    def page(i: int):  # noqa: ANN202
        links = "".join(f'<a href="/p/{j}">Pagina {j}</a> ' for j in (i + 1, i + 2, i + 3) if j < PAGES)
        body = html_doc(f"<main><h1>Pagina {i}</h1>{links}</main><footer><a href='/privacy'>Privacy</a></footer>", "it")

        def handler(h):  # noqa: ANN001, ANN202
            hits[h.path] += 1
            time.sleep(0.15)  # slow enough to be killed halfway
            send(h, 200, body)
        return handler
    routes = {f"/p/{i}": page(i) for i in range(PAGES)}
    routes["/"] = page(0)
    routes["/privacy"] = page(0)
    return routes


def stored_pages(db: str) -> int:
    with session_scope(db) as s:
        return s.scalar(select(func.count(Page.id))) or 0


def test_kill_9_then_resume(tmp_path) -> None:  # noqa: ANN001
    db = f"sqlite:///{tmp_path}/r.db"
    hits: Counter = Counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CITYLABEL_ALLOW_PRIVATE": "1"}
    with serve_routes(site(hits)) as url:
        proc = subprocess.Popen([sys.executable, "-m", "citylabel", "audit", url, "--db", db, "--browser-pages", "0",
                                 "-q", "--max-pages", "200", "--max-depth", "100", "--check", "a11y.lang",
                                 "--check", "privacy.notice-link"],
                                cwd=ROOT, env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while sum(hits.values()) < PAGES // 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGKILL)  # the crawler and its judge process, mid-run
        proc.wait()
        before = dict(hits)
        with session_scope(db) as s:
            assert s.scalar(select(Run.status)) == "running"
        assert 0 < sum(before.values()) < PAGES + 1
        wrong = run_cli("audit", "http://127.0.0.1:9/", "--resume", "1", "--db", db, check=False)
        assert wrong.returncode == 2 and f"audited {url}" in wrong.stderr
        out = run_cli("audit", url, "--resume", "1", "--db", db, "-q")  # or: citylabel resume 1
        assert out.returncode == 0, out.stderr[-2000:]
    rep = report_json(db)
    assert rep["run"]["status"] == "finished" and rep["run"]["stats"]["resumed"]["pages_stored"] >= 0
    assert "finished (resumed)" in run_cli("runs", "--db", db).stdout
    # every page exactly once in the run, with its findings exactly once
    urls = Counter(p["url"] for p in rep["pages"] if p["status"] is not None)
    pages = {u for u in urls if "/p/" in u}
    assert len(pages) == PAGES - 1 and max(urls.values()) == 1
    per_page = Counter((f["check"], f["url"]) for f in rep["findings"] if f["url"])
    assert per_page and max(per_page.values()) == 1
    assert Counter(c for c, _ in per_page) == {"a11y.lang": len(urls), "privacy.notice-link": len(urls)}
    # nothing fetched twice but what was in flight when the process died (at most the concurrency)
    twice = [p for p, n in hits.items() if n > 1 and p != "/robots.txt"]
    assert len(twice) <= 8, twice
    assert sum(1 for f in rep["findings"] if f["url"] is None and f["check"] == "privacy.notice-link") == 0


def test_resume_refuses_a_finished_run(tmp_path) -> None:  # noqa: ANN001
    db = f"sqlite:///{tmp_path}/f.db"
    with serve_routes({"/": lambda h: send(h, 200, html_doc("<p>x</p>"))}) as url:
        run_cli("audit", url, "--db", db, "--browser-pages", "0", "-q")
    out = run_cli("resume", "1", "--db", db, check=False)
    assert out.returncode == 2 and "nothing to resume" in out.stderr
    out = run_cli("audit", "--resume", "1", "--db", db, check=False)
    assert out.returncode == 2 and "nothing to resume" in out.stderr
    out = run_cli("audit", "--db", db, check=False)
    assert out.returncode == 2 and "start URL" in out.stderr
