#!/usr/bin/env python3
"""Benchmark (issue 7): 1 worker versus 2 workers on many small portals through Redis.

Generates N small portals (``crawl.py``'s generator, a different seed each),
serves each on its own port from a separate process on 127.0.0.1, starts a
redis-server and a PostgreSQL cluster (``tests/services.py``), and in the same
run, interleaved, audits them all with 1 worker and with 2 workers: every
portal enqueued (``citylabel enqueue``), workers started with
``--exit-when-idle``, the clock stops when the last worker exits. Each round
writes to a fresh database and queue. Prints pages/s, portals/min and peak RSS
(all worker process trees together) and the ratio 2 workers / 1 worker.

    .venv/bin/python benchmarks/workers.py [--portals 24] [--pages 40] [--repeat 1]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.crawl import generate, tree_rss_kib  # noqa: E402
from tests.services import create_database, postgres_server, redis_server  # noqa: E402

EXTRA: list[str] = []
SERVE = """
import sys, time
from citylabel.demo.server import PortalServer
servers = [PortalServer(d).__enter__() for d in sys.argv[1:]]
print(" ".join(s.url for s in servers), flush=True)
time.sleep(10**6)
"""


def run_round(workers: int, urls: list[str], pages: int, redis_url: str, server_url: str,
              work: Path, n: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CITYLABEL_ALLOW_PRIVATE": "1",
           "CITYLABEL_DATA": str(work / f"data-{n}")}
    db = create_database(server_url, f"bench_{n}")
    queue = f"bench{n}"
    subprocess.run([sys.executable, "-m", "citylabel", "enqueue", *urls, "--max-pages", str(pages + 20),
                    "--max-depth", "1000", "--browser-pages", "0", "--redis", redis_url, "--queue", queue],
                   check=True, capture_output=True, env=env, cwd=ROOT)
    start = time.monotonic()
    logs = [open(work / f"worker-{n}-{i}.log", "w") for i in range(workers)]  # noqa: SIM115
    procs = [subprocess.Popen([sys.executable, "-m", "citylabel", "worker", "--redis", redis_url, "--queue", queue,
                               "--db", db, "--exit-when-idle", *EXTRA], stdout=log, stderr=subprocess.STDOUT,
                              env=env, cwd=ROOT) for log in logs]
    peak = 0
    while any(p.poll() is None for p in procs):
        peak = max(peak, sum(tree_rss_kib(p.pid) for p in procs if p.poll() is None))
        time.sleep(0.05)
    seconds = time.monotonic() - start
    for log in logs:
        log.close()
    if any(p.returncode != 0 for p in procs):
        raise SystemExit(f"a worker failed: see {work}")
    from sqlalchemy import create_engine, text
    engine = create_engine(db)
    with engine.connect() as conn:
        fetched = conn.execute(text("select count(*) from page where http_status is not null")).scalar()
        runs = conn.execute(text("select count(*) from run where status = 'finished'")).scalar()
    engine.dispose()
    if runs != len(urls):
        raise SystemExit(f"{runs} of {len(urls)} portals finished with {workers} worker(s): see {work}")
    return {"workers": workers, "portals": runs, "pages": fetched, "seconds": round(seconds, 1),
            "pages_per_s": round(fetched / seconds, 1), "portals_per_min": round(60 * runs / seconds, 1),
            "peak_mib": round(peak / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--portals", type=int, default=24)
    ap.add_argument("--pages", type=int, default=40, help="pages per portal")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--judge-in-process", action="store_true", help="pass --judge-in-process to the workers")
    args = ap.parse_args()
    if args.judge_in_process:
        EXTRA.append("--judge-in-process")
    with tempfile.TemporaryDirectory(prefix="citylabel-workers-") as tmp:
        work = Path(tmp)
        dirs = []
        for i in range(args.portals):
            d = work / f"portal-{i}" / "site"
            d.mkdir(parents=True)
            generate(d, args.pages, seed=i)
            dirs.append(str(d))
        server = subprocess.Popen([sys.executable, "-c", SERVE, *dirs], stdout=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
        try:
            urls = server.stdout.readline().split()
            with redis_server() as redis_url, postgres_server("postgres_bench") as pg:
                results = []
                n = 0
                for _ in range(args.repeat):
                    for workers in (1, 2):
                        n += 1
                        r = run_round(workers, urls, args.pages, redis_url, pg, work, n)
                        print(json.dumps(r), flush=True)
                        results.append(r)
        finally:
            server.terminate()
    one = [r for r in results if r["workers"] == 1]
    two = [r for r in results if r["workers"] == 2]
    rate = lambda rs: sum(r["pages"] for r in rs) / sum(r["seconds"] for r in rs)  # noqa: E731
    summary = {"portals": args.portals, "pages_per_portal": args.pages, "rounds": args.repeat,
               "one_worker_pages_per_s": round(rate(one), 1), "two_workers_pages_per_s": round(rate(two), 1),
               "ratio_two_to_one": round(rate(two) / rate(one), 2),
               "peak_mib_one": max(r["peak_mib"] for r in one), "peak_mib_two": max(r["peak_mib"] for r in two)}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
