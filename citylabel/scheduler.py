"""``citylabel schedule``: start due audits of the portfolio, several at once, restart-safe.

Each portal's cron schedule (parsed by croniter, never by hand) is read from the
database. A portal is due when the next cron time after its last start (the
later of the scheduler's own mark and its newest run) has passed. Before an
audit is launched, the mark is committed: a scheduler that dies and restarts
sees it and does not start the same slot again, and slots missed while it was
down collapse into one audit. The clock and the launcher are parameters, so
tests drive it with a fake clock and no network.
"""
from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Protocol

from sqlalchemy import func, select

from storage.models import Portal, Run
from storage.session import session_scope


class Handle(Protocol):
    def poll(self) -> int | None: ...


Launcher = Callable[[dict[str, Any]], Handle]


def utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def audit_command(portal: dict[str, Any], db: str | None) -> list[str]:
    """The ``citylabel audit`` command line for a portfolio portal."""
    cmd = [sys.executable, "-m", "citylabel", "audit", portal["start_url"], "--name", portal["name"], "-q"]
    if portal.get("country"):
        cmd += ["--country", portal["country"]]
    for host in portal.get("also_hosts") or []:
        cmd += ["--also-host", host]
    for url in portal.get("extra_start_urls") or []:
        cmd += ["--start-url", url]
    if portal.get("max_pages"):
        cmd += ["--max-pages", str(portal["max_pages"])]
    if db:
        cmd += ["--db", db]
    return cmd


def subprocess_launcher(db: str | None, log_dir: Any = None) -> Launcher:
    def launch(portal: dict[str, Any]) -> Handle:
        out = subprocess.DEVNULL
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
            out = open(log_dir / f"portal-{portal['id']}.log", "ab")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(audit_command(portal, db), stdout=out, stderr=subprocess.STDOUT)
    return launch


@dataclass
class Scheduler:
    db: str | None
    launcher: Launcher
    max_parallel: int = 2
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    running: dict[int, Handle] = field(default_factory=dict)   # portal id -> its audit
    started: list[tuple[int, datetime]] = field(default_factory=list)

    def due(self, now: datetime) -> list[dict[str, Any]]:
        """Portals whose next cron time has come, the longest-waiting first."""
        from croniter import croniter
        out = []
        with session_scope(self.db) as s:
            last_runs = dict(s.execute(select(Run.portal_id, func.max(Run.started_at)).group_by(Run.portal_id)).all())
            for p in s.scalars(select(Portal).where(Portal.schedule.is_not(None)).order_by(Portal.id)):
                marks = [utc(x) for x in (p.scheduled_at, last_runs.get(p.id)) if x is not None]
                base = max(marks) if marks else utc(p.created_at)
                next_time = croniter(p.schedule, base).get_next(datetime)
                if next_time <= now:
                    out.append({"id": p.id, "name": p.name, "start_url": p.start_url, "country": p.country,
                                "also_hosts": p.also_hosts, "extra_start_urls": p.extra_start_urls,
                                "max_pages": p.max_pages, "due": next_time})
        return sorted(out, key=lambda x: x["due"])

    def tick(self) -> list[str]:
        """One pass: reap finished audits, start due ones up to the limit; what it did."""
        done = []
        for pid, handle in list(self.running.items()):
            if handle.poll() is not None:
                del self.running[pid]
                done.append(f"portal {pid}: audit ended ({handle.poll()})")
        now = self.clock()
        for portal in self.due(now):
            if len(self.running) >= self.max_parallel:
                break
            if portal["id"] in self.running:
                continue
            with session_scope(self.db) as s:  # the mark first: a restart will not start this slot again
                s.get(Portal, portal["id"]).scheduled_at = now
            self.running[portal["id"]] = self.launcher(portal)
            self.started.append((portal["id"], now))
            done.append(f"portal {portal['id']} ({portal['name']}): audit started, due {portal['due'].isoformat()}")
        return done

    def run_forever(self, poll_seconds: float = 30.0, report: Callable[[str], None] = print) -> None:
        while True:
            for line in self.tick():
                report(line)
            time.sleep(poll_seconds)
