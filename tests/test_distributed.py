"""Distributed audits (issue 7): a Redis queue of portals, workers writing to PostgreSQL.

Real servers, started here: redis-server and PostgreSQL (conftest), 20 small
portals on 127.0.0.1, and `citylabel worker` processes. The portals are built
alike, so every portal's findings must be the same: a lost or duplicated
finding in any run shows as a difference.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Finding, Page, Portal, Run
from storage.session import session_scope
from tests.helpers import ROOT, run_cli, send, serve_routes

PORTALS = 20
PAGES = ["/", "/services.html", "/contact.html", "/privacy.html", "/news.html", "/council.html"]


def portal_routes(n: int, delay: float, hits: Counter):  # noqa: ANN201
    """A six-page municipal site; every request is counted (to see what is fetched twice)."""
    nav = "".join(f'<li><a href="{p}">{p.strip("/").split(".")[0] or "home"}</a></li>' for p in PAGES)

    def route(path: str):  # noqa: ANN202
        clean = path.split("?")[0]
        if clean not in PAGES:
            return None

        def handler(h) -> None:  # noqa: ANN001
            hits[clean] += 1
            time.sleep(delay)
            title = clean.strip("/").split(".")[0] or "home"
            send(h, 200, f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                         f'<meta name="viewport" content="width=device-width">'
                         f"<title>Town {n}: {title}</title></head><body><header><nav><ul>{nav}</ul></nav>"
                         f'</header><main><h1>{title}</h1><p>Town {n} {title} page.</p></main>'
                         f'<footer><a href="/privacy.html">Privacy notice</a></footer></body></html>')
        return handler
    return route


def start_worker(redis_url: str, db: str, queue: str, data: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CITYLABEL_DATA": str(data)}
    return subprocess.Popen([sys.executable, "-m", "citylabel", "worker", "--redis", redis_url,
                             "--queue", queue, "--db", db, "--allow-private", "--exit-when-idle", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            cwd=str(ROOT))


def _drain(proc: subprocess.Popen, lines: list[str]) -> threading.Thread:
    t = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    t.start()
    return t


def _runs_by_portal(db: str, urls: list[str]) -> dict[str, list[Run]]:
    with session_scope(db) as s:
        out = {}
        for url in urls:
            out[url] = list(s.scalars(select(Run).join(Portal, Run.portal_id == Portal.id)
                                      .where(Portal.start_url == url).order_by(Run.id)))
        return out


def _run_facts(db: str, run_id: int) -> tuple[list[str], Counter]:
    """The run's page URL paths (with repeats) and its findings counted by check, outcome
    and what they are about (the page's path, or the site)."""
    with session_scope(db) as s:
        urls = [u for (u,) in s.execute(select(Page.url).where(Page.run_id == run_id))]
        rows = s.execute(select(Finding.check_id, Finding.outcome, Finding.page_id, Finding.url)
                         .where(Finding.run_id == run_id)).all()
    paths = ["/" + u.split("/", 3)[3] for u in urls]
    findings = Counter((r.check_id, r.outcome, "/" + r.url.split("/", 3)[3] if r.url and r.page_id else "site")
                       for r in rows)
    return paths, findings


def _assert_exactly_once(db: str, urls: list[str]) -> dict[str, int]:
    by_portal = _runs_by_portal(db, urls)
    reference = None
    run_ids = {}
    for url, runs in by_portal.items():
        live = [r for r in runs if r.status != "abandoned"]
        assert len(live) == 1, f"{url}: {len(live)} runs ({[(r.id, r.status) for r in runs]})"
        run = live[0]
        assert run.status == "finished", f"{url}: run {run.id} {run.status}"
        paths, findings = _run_facts(db, run.id)
        assert sorted(paths) == sorted(PAGES), f"{url}: pages {sorted(paths)}"
        if reference is None:
            reference = findings
        assert findings == reference, f"{url}: findings differ from the first portal's: " \
                                      f"{(findings - reference) + (reference - findings)}"
        run_ids[url] = run.id
    assert sum(reference.values()) > 30
    return run_ids


def _serve_portals(stack: ExitStack, delay: float) -> tuple[list[str], list[Counter]]:
    urls, hits = [], []
    for n in range(PORTALS):
        c: Counter = Counter()
        urls.append(stack.enter_context(serve_routes(portal_routes(n, delay, c))))
        hits.append(c)
    return urls, hits


def test_two_workers_audit_twenty_portals_exactly_once(redis_url: str, postgres_url: str,
                                                       tmp_path: Path) -> None:
    with ExitStack() as stack:
        urls, hits = _serve_portals(stack, delay=0.0)
        listing = tmp_path / "portals.txt"
        listing.write_text("# twenty towns\n" + "\n".join(urls) + "\n")
        args = ("--redis", redis_url, "--queue", "q1")
        out = run_cli("enqueue", str(listing), "--max-pages", "20", "--browser-pages", "0", "--delay", "0", *args).stdout
        assert f"{PORTALS} of {PORTALS} portals queued" in out
        again = run_cli("enqueue", urls[0], "--browser-pages", "0", *args).stdout
        assert "already queued or running" in again and "0 of 1 portals queued" in again
        logs: list[list[str]] = [[], []]
        workers = [start_worker(redis_url, postgres_url, "q1", tmp_path / "data", "--judge-in-process")
                   for _ in range(2)]
        threads = [_drain(w, log) for w, log in zip(workers, logs)]
        for w in workers:
            w.wait(timeout=400)
        for t in threads:
            t.join(5)
        for w, log in zip(workers, logs):
            assert w.returncode == 0, "".join(log)[-3000:]
        run_ids = _assert_exactly_once(postgres_url, urls)
        assert len(set(run_ids.values())) == PORTALS
        # the work was shared, and nobody crawled a page twice
        per_worker = [sum("finished" in line for line in log) for log in logs]
        assert sum(per_worker) == PORTALS and min(per_worker) >= 1, per_worker
        assert all(max(h.values()) == 1 for h in hits), [dict(h) for h in hits if max(h.values()) > 1]
        status = run_cli("queue", "--format", "json", *args).stdout
        assert f'"done": {PORTALS}' in status and '"failed": 0' in status


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_killed_worker_leaves_its_portal_to_be_resumed(redis_url: str, postgres_url: str,
                                                       tmp_path: Path) -> None:
    import redis as redis_lib
    r = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    with ExitStack() as stack:
        urls, hits = _serve_portals(stack, delay=0.1)
        run_cli("enqueue", *urls, "--max-pages", "20", "--browser-pages", "0", "--delay", "0",
                "--redis", redis_url, "--queue", "q2")
        data = tmp_path / "data"
        # the victim judges in a process of its own (the default), so its grandchildren are seen to die
        victim = start_worker(redis_url, postgres_url, "q2", data, "--lease", "3")
        other = start_worker(redis_url, postgres_url, "q2", data, "--lease", "3", "--judge-in-process")
        logs: list[list[str]] = [[], []]
        threads = [_drain(w, log) for w, log in zip((victim, other), logs)]
        # halfway, and while the victim is in the middle of a portal: kill it (-9, no warning)
        deadline = time.monotonic() + 300
        killed_job = None
        while time.monotonic() < deadline and killed_job is None:
            if r.llen("q2:done") >= PORTALS // 2 - 2:
                for job_id in r.lrange("q2:taken", 0, -1):
                    job = r.hgetall(f"q2:job:{job_id}")
                    if job.get("worker", "").split(":")[1] != str(victim.pid) or not job.get("run_id"):
                        continue
                    spec = json.loads(job["spec"])
                    fetched = sum(hits[urls.index(spec["start_url"])].values())
                    if 2 <= fetched <= 4:  # in the middle of the portal
                        killed_job = (job_id, int(job["run_id"]), job["worker"])
                        break
            time.sleep(0.02)
        assert killed_job is not None, "".join(logs[0])[-3000:]
        kids = _children(victim.pid)
        grandkids = [g for k in kids for g in _children(k)]
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(10)
        # the job's crawl and judge processes die with their worker: no orphan writes beside
        # the worker that takes over
        time.sleep(1.0)
        assert kids and not [p for p in kids + grandkids if _alive(p)]
        other.wait(timeout=400)
        for t in threads:
            t.join(5)
        assert other.returncode == 0, "".join(logs[1])[-3000:]
        job_id, run_id, _ = killed_job
        job = r.hgetall(f"q2:job:{job_id}")
        assert job["state"] == "done" and job["attempts"] == "2" and job["lost_by"] == killed_job[2]
        assert f"job {job_id} lost its worker; queued again" in "".join(logs[1])
        run_ids = _assert_exactly_once(postgres_url, urls)
        # the same run was continued, not a second one started
        assert run_id in run_ids.values()
        with session_scope(postgres_url) as s:
            run = s.get(Run, run_id)
            assert run.stats.get("resumed"), run.stats
        # only requests in flight at the kill were fetched again (4 per host at most)
        portal = urls.index(next(u for u, rid in run_ids.items() if rid == run_id))
        twice = sum(c - 1 for c in hits[portal].values() if c > 1)
        assert twice <= 4, dict(hits[portal])
        others = [h for i, h in enumerate(hits) if i != portal]
        assert all(max(h.values()) == 1 for h in others)
        assert r.llen("q2:taken") == 0 and not r.keys("q2:lease:*") and not r.keys("q2:job:*:requests")


def test_a_stopped_worker_gives_its_portal_back(redis_url: str, postgres_url: str, tmp_path: Path) -> None:
    """SIGTERM (a deploy, a shutdown): the job goes back to the head of the queue at once,
    without waiting for its lease, and the next worker continues the same run."""
    import redis as redis_lib
    r = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    hits: Counter = Counter()
    with serve_routes(portal_routes(99, 0.3, hits)) as url:
        run_cli("enqueue", url, "--name", "Stopped town", "--browser-pages", "0",
                "--redis", redis_url, "--queue", "q3")
        data = tmp_path / "data"
        first = start_worker(redis_url, postgres_url, "q3", data, "--judge-in-process")
        deadline = time.monotonic() + 60
        while sum(hits.values()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGTERM)
        out, _ = first.communicate(timeout=60)
        assert first.returncode == 0 and "stopping (SIGTERM)" in out
        assert len(r.lrange("q3:queue", 0, -1)) == 1, out
        [job_id] = r.lrange("q3:queue", 0, -1)
        job = r.hgetall(f"q3:job:{job_id}")
        assert job["state"] == "queued" and job["attempts"] == "1" and job.get("run_id")
        second = start_worker(redis_url, postgres_url, "q3", data, "--judge-in-process")
        out, _ = second.communicate(timeout=120)
        assert second.returncode == 0, out[-3000:]
        assert f"run {job['run_id']} finished (resumed)" in out
    assert r.hget(f"q3:job:{job_id}", "state") == "done"
    [run_id] = _assert_exactly_once(postgres_url, [url]).values()
    assert run_id == int(job["run_id"])
    assert sum(c - 1 for c in hits.values() if c > 1) <= 4, dict(hits)
