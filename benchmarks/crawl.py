#!/usr/bin/env python3
"""Benchmark: the audit's crawl throughput and memory against a bare Scrapy crawl.

Generates a 2,000-page portal (about 14 KiB a page), serves it from a separate
process on 127.0.0.1, and in the same run measures

  1. a bare Scrapy crawl: the same crawler settings (politeness included), a
     spider that follows every link with parsel and does nothing else;
  2. ``citylabel audit`` with all static checks, storage and WARC.

It prints pages/s and peak memory (RSS of the crawl process tree, sampled every
50 ms) for both, and their ratio. Machines here are noisy, so only the ratio
means much; ``--repeat`` runs both several times, interleaved.

    .venv/bin/python benchmarks/crawl.py [--pages 2000] [--repeat 1]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("comune servizi cittadini domanda ufficio anagrafe certificato residenza tributi "
         "scuola mensa rifiuti raccolta parcheggio permesso edilizia bando contributo "
         "consiglio giunta sindaco avviso notizia evento cultura biblioteca sport").split()


SECTIONS = ("notizie", "servizi", "uffici", "eventi", "bandi", "documenti", "vivere", "turismo",
            "scuola", "ambiente", "trasporti", "cultura", "sport", "sociale", "lavori")


def page_path(i: int) -> str:
    """A realistic, varied path: /section/word-word-i.html (page 0 is the home page)."""
    if i == 0:
        return "/"
    rng = random.Random(i)
    return f"/{SECTIONS[i % len(SECTIONS)]}/{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i}.html"


def generate(root: Path, pages: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    nav = "".join(f'<li><a href="{page_path(i)}">{SECTIONS[i % len(SECTIONS)]}</a></li>'
                  for i in range(1, 11))
    footer = (f'<footer><ul><li><a href="{page_path(11)}">Informativa privacy</a></li>'
              f'<li><a href="{page_path(12)}">Dichiarazione di accessibilità</a></li>'
              f'<li><a href="{page_path(13)}">Contatti</a></li>'
              f'<li><a href="{page_path(14)}">Note legali</a></li></ul></footer>')
    for i in range(pages):
        links = "".join(f'<li><a href="{page_path(rng.randrange(pages))}">{rng.choice(WORDS)} '
                        f'{rng.choice(WORDS)}</a></li>' for _ in range(20))
        # a chain guarantees every page is reachable
        links += f'<li><a href="{page_path((i + 1) % pages)}">Successiva</a></li>'
        text = " ".join(rng.choice(WORDS) for _ in range(1500))
        html = (f'<!doctype html><html lang="it"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>Pagina {i}</title></head><body><header><nav><ul>{nav}</ul></nav></header>"
                f"<main><h1>Pagina {i}</h1><p>{text}</p><ul>{links}</ul></main>{footer}"
                f"</body></html>")
        path = root / (page_path(i).lstrip("/") or "index.html")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")


def tree_rss_kib(pid: int) -> int:
    """RSS of a process and all its descendants, in KiB (Linux /proc)."""
    return sum(tree_rss_by_pid(pid).values())


def tree_rss_by_pid(pid: int) -> dict[int, int]:
    """RSS (KiB) of a process and each of its descendants, by PID (Linux /proc)."""
    out, stack = {}, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        out[p] = int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as fh:
                stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return out


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "main"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "other"
    if "resource_tracker" in cmd:
        return "resource_tracker"
    if "judge_client" in cmd or "multiprocessing" in cmd:  # the judge process, then and now
        return "judge"
    return "other"


def measure(cmd: list[str]) -> tuple[str, int, float, dict]:
    """Runs ``cmd``; returns its stdout, the peak RSS of its process tree (KiB), the wall
    time and per-process detail: each role's peak (KiB), and the tree's peak while a judge
    process was alive (the crawl) and after it was gone (the reports)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.monotonic()
    roles: dict[int, str] = {}
    by_role: dict[str, int] = {}
    phase = {"with_judge": 0, "after_judge": 0}
    judge_seen = False
    trace_path = os.environ.get("CITYLABEL_BENCH_TRACE")
    trace = open(trace_path, "a") if trace_path else None
    # Files, not pipes: a full pipe would stall the crawl being measured.
    with tempfile.TemporaryFile("w+") as fout, tempfile.TemporaryFile("w+") as ferr:
        proc = subprocess.Popen(cmd, stdout=fout, stderr=ferr, text=True, env=env,
                                cwd=str(ROOT))
        peak = 0
        while proc.poll() is None:
            rss = tree_rss_by_pid(proc.pid)
            total = sum(rss.values())
            peak = max(peak, total)
            for p, kib in rss.items():
                role = roles.get(p) or roles.setdefault(p, _role(p, proc.pid))
                by_role[role] = max(by_role.get(role, 0), kib)
            judge_alive = any(roles.get(p) == "judge" for p in rss)
            judge_seen = judge_seen or judge_alive
            key = "with_judge" if judge_alive or not judge_seen else "after_judge"
            phase[key] = max(phase[key], total)
            if trace is not None:
                trace.write(json.dumps({"t": round(time.monotonic() - start, 2), "total": total,
                                        **{f"{roles[p]}:{p}": k for p, k in rss.items()}}) + "\n")
            time.sleep(0.05)
        fout.seek(0)
        ferr.seek(0)
        out, err = fout.read(), ferr.read()
    if trace is not None:
        trace.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return out, peak, time.monotonic() - start, {"roles": by_role, "phases": phase}


def run_bare(url: str) -> dict:
    out, peak, wall, _ = measure([sys.executable, str(Path(__file__).with_name("bare_spider.py")), url])
    data = json.loads(out.strip().splitlines()[-1])
    return {"pages": data["pages"], "seconds": data["seconds"], "peak_mib": peak / 1024,
            "wall": wall}


def run_audit(url: str, pages: int, workdir: Path, n: int) -> dict:
    db = f"sqlite:///{workdir / f'bench-{n}.db'}"
    _, peak, wall, detail = measure([sys.executable, "-m", "citylabel", "audit", url, "--allow-private", "--max-pages",
                             str(pages + 100), "--max-depth", "1000", "--browser-pages", "0",
                             "--db", db, "-q",
                             "--report-dir", str(workdir)])
    from sqlalchemy import create_engine, text
    engine = create_engine(db)
    with engine.connect() as conn:
        stats = json.loads(conn.execute(text("select stats from run order by id desc limit 1")).scalar())
        findings = conn.execute(text("select count(*) from finding")).scalar()
    engine.dispose()
    crawl = stats["crawl"]
    return {"pages": stats["pages"], "seconds": float(crawl["elapsed_time_seconds"]),
            "peak_mib": peak / 1024, "wall": wall, "findings": findings,
            "processes_peak_mib": {k: round(v / 1024) for k, v in sorted(detail["roles"].items())},
            "phases_peak_mib": {k: round(v / 1024) for k, v in detail["phases"].items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="citylabel-bench-") as tmp:
        tmp = Path(tmp)
        site = tmp / "site"
        generate(site, args.pages)
        server = subprocess.Popen([sys.executable, "-c",
                                   "import sys; sys.path.insert(0, sys.argv[2]);"
                                   "from citylabel.demo.server import PortalServer;"
                                   "import pathlib, time;"
                                   "s = PortalServer(pathlib.Path(sys.argv[1]));"
                                   "s.__enter__(); print(s.url, flush=True); time.sleep(86400)",
                                   str(site), str(ROOT)], stdout=subprocess.PIPE, text=True)
        url = server.stdout.readline().strip()
        try:
            rows = []
            for n in range(args.repeat):
                bare = run_bare(url)
                audit = run_audit(url, args.pages, tmp, n)
                rows.append((bare, audit))
                print(f"round {n + 1}: bare {bare['pages']} pages in {bare['seconds']:.1f}s "
                      f"({bare['pages'] / bare['seconds']:.1f}/s, peak {bare['peak_mib']:.0f} MiB); "
                      f"audit {audit['pages']} pages, {audit['findings']} findings in "
                      f"{audit['seconds']:.1f}s ({audit['pages'] / audit['seconds']:.1f}/s, "
                      f"peak {audit['peak_mib']:.0f} MiB; per process {audit['processes_peak_mib']}, "
                      f"tree by phase {audit['phases_peak_mib']})", flush=True)
        finally:
            server.terminate()
    bare_rate = sum(b["pages"] / b["seconds"] for b, _ in rows) / len(rows)
    audit_rate = sum(a["pages"] / a["seconds"] for _, a in rows) / len(rows)
    bare_mem = max(b["peak_mib"] for b, _ in rows)
    audit_mem = max(a["peak_mib"] for _, a in rows)
    print(json.dumps({
        "pages": args.pages, "rounds": len(rows),
        "bare_pages_per_s": round(bare_rate, 1), "audit_pages_per_s": round(audit_rate, 1),
        "throughput_ratio_audit_vs_bare": round(audit_rate / bare_rate, 3),
        "bare_peak_mib": round(bare_mem), "audit_peak_mib": round(audit_mem),
        "memory_ratio_audit_vs_bare": round(audit_mem / bare_mem, 2),
        "audit_processes_peak_mib": {k: max(a["processes_peak_mib"].get(k, 0) for _, a in rows)
                                     for k in rows[0][1]["processes_peak_mib"]},
        "audit_phases_peak_mib": {k: max(a["phases_peak_mib"][k] for _, a in rows)
                                  for k in rows[0][1]["phases_peak_mib"]},
    }, indent=2))


if __name__ == "__main__":
    main()
