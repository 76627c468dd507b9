"""Issue 6: portfolios, the scheduler (fake clock, restart without double runs), compare."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from citylabel.portfolio import PortfolioError, read_portfolio
from citylabel.scheduler import Scheduler, audit_command
from storage.models import Portal, Run
from storage.session import session_scope
from tests.helpers import html_doc, run_cli, send, serve_routes

YAML = """
portals:
  - name: Comune di Roccaverde
    country: IT
    nuts: ITI19
    lau: "052999"
    start_urls: [https://www.comune.roccaverde.example/, https://servizi.comune.roccaverde.example/]
    also_hosts: [servizi.comune.roccaverde.example]
    languages: [it, en]
    max_pages: 300
    schedule: "0 3 * * 1"
  - name: Gemeinde Hohenfeld
    country: DE
    nuts: DE212
    start_urls: https://www.hohenfeld.example/
    schedule: "30 2 1 * *"
"""


def test_yaml_and_csv_portfolios_are_imported_and_listed(tmp_path) -> None:  # noqa: ANN001
    f = tmp_path / "portfolio.yaml"
    f.write_text(YAML, encoding="utf-8")
    db = f"sqlite:///{tmp_path}/p.db"
    assert "2 portals: 2 created, 0 updated" in run_cli("portals", "import", str(f), "--db", db).stdout
    c = tmp_path / "more.csv"
    c.write_text("name,country,nuts,start_urls,max_pages,schedule\n"
                 "Gemeinde Hohenfeld,DE,DE212,https://www.hohenfeld.example/,150,0 4 * * *\n"
                 "Ville de Saint-Aubrac,FR,FRK24,https://www.saint-aubrac.example/,,\n", encoding="utf-8")
    assert "2 portals: 1 created, 1 updated" in run_cli("portals", "import", str(c), "--db", db).stdout
    with session_scope(db) as s:
        by = {p.name: p for p in s.query(Portal)}
        assert by["Comune di Roccaverde"].extra_start_urls == ["https://servizi.comune.roccaverde.example/"]
        assert by["Comune di Roccaverde"].languages == ["it", "en"] and by["Comune di Roccaverde"].lau == "052999"
        assert by["Gemeinde Hohenfeld"].max_pages == 150 and by["Gemeinde Hohenfeld"].schedule == "0 4 * * *"
    listing = run_cli("portals", "list", "--db", db).stdout
    assert "ITI19" in listing and "Saint-Aubrac" in listing


def test_every_problem_of_a_portfolio_is_reported_with_its_entry(tmp_path) -> None:  # noqa: ANN001
    f = tmp_path / "bad.yaml"
    f.write_text("- {name: A, start_urls: [ftp://x], schedule: 'every monday'}\n"
                 "- {name: B, country: ITA, start_urls: [https://b.example/], max_pages: -3, colour: red}\n"
                 "- {start_urls: [https://c.example/]}\n", encoding="utf-8")
    with pytest.raises(PortfolioError) as exc:
        read_portfolio(f)
    text = str(exc.value)
    for expected in ("entry 1 (A): start URL must be an absolute http(s) URL", "not a valid cron expression",
                     "entry 2 (B): country must be a two-letter", "max_pages must be a positive", "unknown field(s) colour",
                     "entry 3: missing name"):
        assert expected in text
    proc = run_cli("portals", "import", str(f), "--db", f"sqlite:///{tmp_path}/x.db", check=False)
    assert proc.returncode == 2 and "entry 2 (B)" in proc.stderr


class FakeAudit:
    """Stands for an audit process: creates its run row when launched (as citylabel audit does)."""

    def __init__(self, db: str, portal: dict, now: datetime) -> None:
        with session_scope(db) as s:
            s.add(Run(portal_id=portal["id"], kind="crawl", status="running", started_at=now, tool_version="t"))
        self.done = False

    def poll(self) -> int | None:
        return 0 if self.done else None


def test_scheduler_with_a_fake_clock(tmp_path) -> None:  # noqa: ANN001
    db = f"sqlite:///{tmp_path}/s.db"
    t0 = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)   # a Monday
    with session_scope(db) as s:
        for name, cron in (("A", "0 3 * * *"), ("B", "15 3 * * *"), ("C", "30 3 * * *"), ("D", None)):
            s.add(Portal(name=name, start_url=f"https://{name.lower()}.example/", schedule=cron,
                         created_at=t0 - timedelta(days=1)))
    clock = {"now": t0}
    audits: list[FakeAudit] = []

    def launcher(portal: dict) -> FakeAudit:
        audits.append(FakeAudit(db, portal, clock["now"]))
        return audits[-1]
    sched = Scheduler(db, launcher, max_parallel=2, clock=lambda: clock["now"])
    # the portals were created yesterday: yesterday's 03:00/03:15/03:30 slots are due, but only 2 at once
    assert len(sched.tick()) == 2 and len(sched.running) == 2
    assert sched.tick() == []                       # still running: nothing more starts
    for a in audits:
        a.done = True
    started = sched.tick()                          # two end, the third (C) starts
    assert sum("audit started" in x for x in started) == 1 and sum("ended" in x for x in started) == 2
    clock["now"] = t0 + timedelta(minutes=30)       # 02:30: nothing new is due yet
    for a in audits:
        a.done = True
    assert not [x for x in sched.tick() if "started" in x]
    # the scheduler dies; a new one starts after 03:00 and 03:15: each portal due once, never twice
    clock["now"] = t0 + timedelta(hours=1, minutes=20)
    fresh = Scheduler(db, launcher, max_parallel=5, clock=lambda: clock["now"])
    first = [x for x in fresh.tick() if "started" in x]
    assert len(first) == 2 and all("portal 3" not in x for x in first)   # C ran at 02:00, its 03:30 is not due
    assert [x for x in fresh.tick() if "started" in x] == []
    # missed days collapse into one audit per portal
    clock["now"] = t0 + timedelta(days=3, hours=2)
    restarted = Scheduler(db, launcher, max_parallel=5, clock=lambda: clock["now"])
    assert len([x for x in restarted.tick() if "started" in x]) == 3
    with session_scope(db) as s:
        per_portal = {}
        for r in s.query(Run):
            per_portal[r.portal_id] = per_portal.get(r.portal_id, 0) + 1
    assert per_portal == {1: 3, 2: 3, 3: 2}


def test_the_audit_command_carries_the_portfolio_settings() -> None:
    cmd = audit_command({"name": "X", "start_url": "https://x.example/", "country": "IT",
                         "also_hosts": ["s.x.example"], "extra_start_urls": ["https://s.x.example/"],
                         "max_pages": 50}, "sqlite:///a.db")
    assert cmd[3:] == ["audit", "https://x.example/", "--name", "X", "-q", "--country", "IT", "--also-host",
                       "s.x.example", "--start-url", "https://s.x.example/", "--max-pages", "50", "--db", "sqlite:///a.db"]


def test_schedule_once_starts_a_real_audit_and_compare_ranks(tmp_path) -> None:  # noqa: ANN001
    """One real pass: a due portal is audited by a real citylabel process (local server),
    then compare ranks the group with quartiles."""
    db = f"sqlite:///{tmp_path}/r.db"
    good = html_doc('<main><h1>Gemeente</h1></main><footer><a href="/privacy">Privacyverklaring</a></footer>', "nl")
    with serve_routes({"/": lambda h: send(h, 200, good), "/privacy": lambda h: send(h, 200, good)}) as url:
        f = tmp_path / "p.yaml"
        f.write_text(f"- {{name: Waterlo, country: NL, nuts: NL213, start_urls: ['{url}'], max_pages: 5, "
                     "schedule: '0 0 * * *'}\n", encoding="utf-8")
        run_cli("portals", "import", str(f), "--db", db)
        with session_scope(db) as s:  # created two days ago, so (only) a past midnight slot is due
            s.query(Portal).first().created_at = datetime.now(timezone.utc) - timedelta(days=2)
        proc = run_cli("schedule", "--once", "--db", db, "--log-dir", str(tmp_path / "logs"))
        assert "audit started" in proc.stderr
        import time
        for _ in range(120):
            with session_scope(db) as s:
                if s.query(Run).filter(Run.status == "finished").count():
                    break
            time.sleep(1)
        again = run_cli("schedule", "--once", "--db", db)   # the slot is taken: nothing starts
        assert "audit started" not in again.stderr
    data = json.loads(run_cli("compare", "NL", "--db", db, "-f", "json").stdout)
    assert [p["portal"] for p in data["portals"]] == ["Waterlo"] and data["portals"][0]["position"] == 1
    assert data["quartiles"]["privacy"]["n"] == 1
    html = run_cli("compare", "NL", "--db", db, "-f", "html").stdout
    assert "Observatory: NL" in html and "Quartiles per principle" in html
    assert run_cli("compare", "SE", "--db", db, check=False).returncode == 2


def test_quartiles_and_ranking() -> None:
    from reports.compare import rank_portals

    def rep(name: str, level, scores: dict) -> dict:  # noqa: ANN001
        return {"portal": {"name": name}, "run": {"id": 1},
                "assessment": {"level": level, "principles": [{"id": k, "score": v} for k, v in scores.items()]}}
    data = rank_portals([rep("a", None, {"x": 0.2}), rep("b", {"name": "Gold", "rank": 3}, {"x": 0.9}),
                         rep("c", {"name": "Bronze", "rank": 1}, {"x": 0.5}), rep("d", None, {"x": 0.4})])
    assert [p["portal"] for p in data["portals"]] == ["b", "c", "d", "a"]
    assert data["quartiles"]["x"] == {"min": 0.2, "q1": 0.35, "median": 0.45, "q3": 0.6, "max": 0.9, "n": 4}
