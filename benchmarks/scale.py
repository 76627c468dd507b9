#!/usr/bin/env python3
"""Benchmark (issue 7): a 20,000-page generated portal, all static checks, against a bare
Scrapy crawl in the same run: throughput ratio and peak memory (goal: audit ≤ 300 MiB).

It reuses ``benchmarks/crawl.py`` (same generator, same measurement of the crawl
process tree's RSS every 50 ms, same bare spider) at scale, and says whether the
memory goal is met. Then the distributed half: 1 worker versus 2 workers on many
small portals through Redis (``benchmarks/workers.py``, which starts its own
redis-server and PostgreSQL).

    .venv/bin/python benchmarks/scale.py [--pages 20000] [--repeat 1] [--portals 24 --portal-pages 40]
                                         [--skip-crawl | --skip-workers]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MIB = 300


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--portals", type=int, default=24, help="small portals for the workers half")
    ap.add_argument("--portal-pages", type=int, default=40)
    ap.add_argument("--skip-crawl", action="store_true")
    ap.add_argument("--skip-workers", action="store_true")
    args = ap.parse_args()
    if not args.skip_crawl:
        crawl(args)
    if not args.skip_workers:
        out = subprocess.run([sys.executable, str(ROOT / "benchmarks/workers.py"), "--portals", str(args.portals),
                              "--pages", str(args.portal_pages), "--repeat", str(args.repeat)], cwd=ROOT)
        if out.returncode != 0:
            raise SystemExit(out.returncode)


def crawl(args: argparse.Namespace) -> None:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks/crawl.py"), "--pages", str(args.pages),
                          "--repeat", str(args.repeat)], capture_output=True, text=True, cwd=ROOT)
    sys.stdout.write(out.stdout)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-3000:])
        raise SystemExit(out.returncode)
    result = json.loads(out.stdout[out.stdout.index("\n{") + 1:])
    result["memory_goal_mib"] = GOAL_MIB
    result["memory_goal_met"] = result["audit_peak_mib"] <= GOAL_MIB
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
