#!/usr/bin/env python3
"""Benchmark: the browser gatherer (headless Chromium + axe-core), sequential vs pool.

Serves the bundled demo portals from a separate process on 127.0.0.1 and takes
N of their HTML pages (round-robin across portals; if too few, cycled with
distinct ``?v=k`` query strings, rendered separately by the gatherer). In one
run, interleaved over ``--repeat`` rounds, it renders them with axe-core at
concurrency 1 (sequential), 2 and 4 (the pool) and prints, for each ``gather``
call, wall time (browser launch included), pages/s, errors and peak RSS of this
process tree (Python, Playwright driver, Chromium; the server excluded; sampled
every 100 ms). Each round first times a 1-page gather (start-up, launch, one
page, close): the "marginal" rate (N - 1) / (T_N - T_1) excludes start-up.
Machines here are noisy: the speed-up ratios mean more than the rates.

    .venv/bin/python benchmarks/browser.py [--pages 40] [--repeat 2]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.browser import BrowserArtifact, BrowserGatherer  # noqa: E402
from crawler.urls import Scope  # noqa: E402

SERVE = ("import sys, time; sys.path.insert(0, sys.argv[1]);"
         "from citylabel.demo.server import PortalServer, bundled_portals;"
         "servers = [PortalServer(p.root).__enter__() for p in bundled_portals()];"
         "[print(p.root, s.url, flush=True) for p, s in zip(bundled_portals(), servers)];"
         "print('ready', flush=True); time.sleep(86400)")


def tree_rss_kib(pid: int, exclude: int = -1) -> int:
    """RSS of a process and all its descendants but ``exclude``, in KiB (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        if (p := stack.pop()) == exclude:
            continue
        try:
            with open(f"/proc/{p}/status") as fh:
                total += sum(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
            with open(f"/proc/{p}/task/{p}/children") as fh:
                stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class RssSampler(threading.Thread):
    """Peak tree RSS since the last ``reset()``, sampled every 100 ms."""

    def __init__(self, exclude: int) -> None:
        super().__init__(daemon=True)
        self.exclude, self.peak_kib = exclude, 0
        self.stop, self.lock = threading.Event(), threading.Lock()

    def run(self) -> None:
        while not self.stop.wait(0.1):
            with self.lock:  # a sample never straddles a reset
                self.peak_kib = max(self.peak_kib, tree_rss_kib(os.getpid(), self.exclude))

    def reset(self) -> int:
        with self.lock:
            peak, self.peak_kib = self.peak_kib, tree_rss_kib(os.getpid(), self.exclude)
        return peak


def page_urls(portals: list[tuple[Path, str]], n: int) -> list[str]:
    per_portal = [[base + str(f.relative_to(root)) for f in sorted(root.rglob("*.html"))]
                  for root, base in portals]
    pool = [lst[i] for i in range(max(map(len, per_portal))) for lst in per_portal if i < len(lst)]
    return [pool[i % len(pool)] + (f"?v={i // len(pool)}" if i >= len(pool) else "")
            for i in range(n)]


def gather(scope: Scope, urls: list[str], concurrency: int) -> tuple[float, list[BrowserArtifact]]:
    gatherer = BrowserGatherer(scope, concurrency=concurrency)
    start = time.monotonic()
    arts = asyncio.run(gatherer.gather(urls))
    return time.monotonic() - start, arts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4],
                    help="levels to compare (1 is the sequential baseline; 4 is required)")
    args = ap.parse_args()
    levels = sorted(set(args.concurrency) | {1, 4})
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(ROOT)], stdout=subprocess.PIPE, text=True)
    sampler = RssSampler(exclude=server.pid)
    sampler.start()
    try:
        portals: list[tuple[Path, str]] = []
        assert server.stdout is not None
        while (line := server.stdout.readline().strip()) != "ready":
            if not line:
                raise SystemExit("the portal server did not start")
            root, url = line.rsplit(" ", 1)
            portals.append((Path(root), url))
        urls = page_urls(portals, args.pages)
        scope = Scope(portals[0][1], also_hosts=tuple(u.split("/")[2] for _, u in portals[1:]))
        executable = BrowserGatherer(scope).executable
        chromium = subprocess.run([executable, "--version"], capture_output=True, text=True,
                                  timeout=30).stdout.strip()
        print(f"{len(urls)} pages from {len(portals)} portals; chromium: {executable} ({chromium})", flush=True)
        rates: dict[int, list[float]] = {c: [] for c in levels}
        marginal: dict[int, list[float]] = {c: [] for c in levels}
        peaks: dict[int, int] = {c: 0 for c in levels}
        warmups: list[float] = []
        errors, axe_versions = 0, set[str]()
        for rnd in range(1, args.repeat + 1):
            warm, _ = gather(scope, urls[:1], 1)
            warmups.append(warm)
            print(f"round {rnd}: warm-up 1 page in {warm:.2f}s", flush=True)
            for c in levels:
                sampler.reset()
                wall, arts = gather(scope, urls, c)
                peak = sampler.reset()
                peaks[c] = max(peaks[c], peak)
                errs = [a for a in arts if a.error or not a.axe]
                errors += len(errs)
                axe_versions |= {a.axe["version"] for a in arts if a.axe}
                rates[c].append(len(urls) / wall)
                marginal[c].append((len(urls) - 1) / max(wall - warm, 1e-9))
                print(f"round {rnd}: concurrency {c}: {len(urls)} pages in {wall:.2f}s "
                      f"({rates[c][-1]:.2f}/s, marginal {marginal[c][-1]:.2f}/s), "
                      f"{len(errs)} errors, peak {peak / 1024:.0f} MiB", flush=True)
                for a in errs[:3]:
                    print(f"    {a.url}: {a.error or 'no axe result'}", flush=True)
    finally:
        sampler.stop.set()
        server.terminate()
        server.wait()

    mean, names = statistics.fmean, {c: "sequential" if c == 1 else f"pool{c}" for c in levels}
    result: dict[str, object] = {"pages": len(urls), "rounds": args.repeat}
    result |= {f"{names[c]}_pages_per_s": round(mean(rates[c]), 2) for c in levels}
    result |= {f"{names[c]}_marginal_pages_per_s": round(mean(marginal[c]), 2) for c in levels}
    result |= {f"speedup_{names[c]}_vs_sequential": round(mean(rates[c]) / mean(rates[1]), 2)
               for c in levels[1:]}
    result |= {"warmup_1_page_s": round(mean(warmups), 2), "errors": errors,
               "peak_rss_mib": round(max(peaks.values()) / 1024)}
    result |= {f"{names[c]}_peak_rss_mib": round(peaks[c] / 1024) for c in levels}
    result |= {"axe_version": ", ".join(sorted(axe_versions)) or None,
               "chromium": f"{executable} ({chromium})"}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
