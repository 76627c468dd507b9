#!/usr/bin/env python3
"""Benchmark: how often citylabel's axe-based findings agree with the W3C ACT rules test cases.

Method. The ACT rules test cases (``testcases.json``: one HTML page per case,
with the expected outcome ``passed``, ``failed`` or ``inapplicable``) are
served from a local ``http.server`` on 127.0.0.1; the directory that holds
``WAI/content-assets/wcag-act-rules/`` is the server's root, so the cases'
root-relative asset links (``/WAI/content-assets/...``) resolve, and absolute
``https://www.w3.org/WAI/content-assets/wcag-act-rules/`` references in served
HTML are rewritten to the local server. Everything else external is blocked by
the gatherer. We keep the HTML cases of the ACT rules whose accessibility
requirements name a WCAG 2.0/2.1 success criterion (``wcag20:X.Y.Z``,
``wcag21:X.Y.Z``) that at least one axe rule enabled by default is tagged with
(axe's own rule list, read once from a page). Each case is rendered with
``gather_sync`` and judged with ``AxeResults().evaluate``. A case agrees when

  * expected ``failed``: some ``failed`` finding's WCAG criteria intersect the
    ACT rule's criteria (a ``cantTell``-only result is "needs review", not
    agreement);
  * expected ``passed``/``inapplicable``: no such ``failed`` finding.

Caveats. This measures agreement at the level of WCAG success criteria, not
ACT-rule-for-axe-rule consistency as the ACT implementation reports do: any
axe violation on 1.3.1 or 4.1.2 counts, whichever rule raised it, so broad
criteria flatter expected-failed cases and can hurt expected-passed ones (a
test case may contain other, unrelated problems). Many ACT rules need human
judgement or interaction (descriptive titles, keyboard traps, media
alternatives); axe does not claim to decide them, and they pull agreement
down. Some requirements are "secondary" (the SC is less strict than the rule),
so a failed example may satisfy the SC. Render errors are left out of the
agreement figures and counted separately. SVG/XML cases are skipped.

    .venv/bin/python benchmarks/act.py [--limit N] [--act-dir ../shared/act-rules]
"""
from __future__ import annotations

import argparse
import http.server
import json
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checks.a11y_axe import AxeResults, wcag_criteria  # noqa: E402
from checks.base import Outcome  # noqa: E402
from crawler.browser import CHROME_ARGS, axe_source, find_chromium, gather_sync  # noqa: E402
from crawler.urls import Scope  # noqa: E402

PREFIX = "/WAI/content-assets/wcag-act-rules/"
W3C_PREFIX = "https://www.w3.org" + PREFIX
HTML_EXT = (".html", ".htm", ".xhtml")
TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
         ".xhtml": "application/xhtml+xml", ".svg": "image/svg+xml", ".xml": "application/xml",
         ".js": "text/javascript", ".css": "text/css", ".vtt": "text/vtt", ".json": "application/json",
         ".mp4": "video/mp4", ".webm": "video/webm", ".mp3": "audio/mpeg", ".ogg": "audio/ogg"}
# Rules axe.run leaves out by default: the ones with enabled=false and the experimental ones.
AXE_RULES_SCRIPT = """() => (axe._audit && axe._audit.rules
  ? axe._audit.rules.map(r => ({id: r.id, tags: r.tags, enabled: r.enabled !== false}))
  : axe.getRules().map(r => ({id: r.ruleId, tags: r.tags, enabled: true})))"""


@dataclass
class Case:
    rule_id: str
    rule_name: str
    expected: str
    url: str
    criteria: set[str]
    primary: bool      # at least one criterion is a conformance requirement, not "secondary"
    approved: bool
    verdict: str = ""  # "agree", "review" (cantTell only, expected failed), "disagree", "error"
    review: bool = False


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = Path(self.translate_path(self.path))
        if path.suffix.lower() not in HTML_EXT or not path.is_file():
            return super().do_GET()
        base = f"http://{self.headers.get('Host', '127.0.0.1')}{PREFIX}"
        body = path.read_bytes().replace(W3C_PREFIX.encode(), base.encode())
        self.send_response(200)
        self.send_header("Content-Type", TYPES[path.suffix.lower()])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser dropped a media download
            super().handle_error(request, client_address)


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = Server(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def axe_rules() -> tuple[str, list[dict[str, Any]]]:
    """axe's version and its rules (id, tags, enabled), evaluated in a blank page."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROME_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_content("<!doctype html><html lang='en'><title>x</title></html>")
            page.add_script_tag(path=str(axe_source()))
            return page.evaluate("() => axe.version"), page.evaluate(AXE_RULES_SCRIPT)
        finally:
            browser.close()


def load_cases(act_dir: Path, base_url: str, covered: set[str]) -> tuple[list[Case], dict[str, int]]:
    data = json.loads((act_dir / PREFIX.strip("/") / "testcases.json").read_text(encoding="utf-8"))
    cases, skipped = [], defaultdict(int)
    for t in data["testcases"]:
        reqs = t.get("ruleAccessibilityRequirements") or {}
        crit = {k.split(":", 1)[1]: v for k, v in reqs.items() if k.startswith(("wcag20:", "wcag21:"))}
        rel = t["url"].split(PREFIX, 1)[1]
        if not rel.lower().endswith(HTML_EXT):  # standalone SVG/XML: not what the gatherer audits
            skipped[f"not HTML (.{rel.rsplit('.', 1)[-1]})"] += 1
            continue
        if not set(crit) & covered:
            skipped["no WCAG 2.0/2.1 criterion that axe covers"] += 1
            continue
        cases.append(Case(t["ruleId"], t["ruleName"], t["expected"], base_url + PREFIX + rel, set(crit),
                          any("secondary" not in (v or {}) for v in crit.values()), bool(t.get("approved"))))
    return cases, dict(skipped)


def judge(case: Case, findings: list[Any]) -> None:
    def hits(outcome: Outcome) -> bool:
        return any(f.outcome == outcome and set((f.details or {}).get("wcag") or []) & case.criteria
                   for f in findings)
    if any(f.outcome == Outcome.ERROR for f in findings):
        case.verdict = "error"
        return
    failed, case.review = hits(Outcome.FAILED), hits(Outcome.CANT_TELL)
    if case.expected == "failed":
        case.verdict = "agree" if failed else ("review" if case.review else "disagree")
    else:
        case.verdict = "disagree" if failed else "agree"


def rate(cases: list[Case], verdict: str = "agree") -> float | None:
    judged = [c for c in cases if c.verdict != "error"]
    return round(sum(c.verdict == verdict for c in judged) / len(judged), 3) if judged else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="render only the first N cases (quick run)")
    ap.add_argument("--act-dir", type=Path, default=ROOT.parent / "shared" / "act-rules",
                    help="folder holding WAI/content-assets/wcag-act-rules/ (default ../shared/act-rules)")
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    act_dir = args.act_dir.resolve()
    if not (act_dir / PREFIX.strip("/") / "testcases.json").is_file():
        raise SystemExit(f"ACT rules test cases not found: expected {act_dir / PREFIX.strip('/')}"
                         "/testcases.json (pass --act-dir)")
    started = time.monotonic()
    version, rules = axe_rules()
    default_rules = [r for r in rules if r["enabled"] and "experimental" not in r["tags"]]
    covered = {c for r in default_rules for c in wcag_criteria(r["tags"])}
    print(f"axe-core {version}: {len(default_rules)} of {len(rules)} rules run by default, "
          f"covering {len(covered)} WCAG criteria: {', '.join(sorted(covered, key=_sc_key))}")
    server, base_url = serve(act_dir)
    try:
        cases, skipped = load_cases(act_dir, base_url, covered)
        if args.limit:
            cases = cases[:args.limit]
        print(f"{len(cases)} cases of {len({c.rule_id for c in cases})} ACT rules; skipped: "
              + ("; ".join(f"{n} {why}" for why, n in skipped.items()) or "none"), flush=True)
        t0 = time.monotonic()
        artifacts = gather_sync(Scope(base_url), [c.url for c in cases],
                                concurrency=args.concurrency, page_timeout=20)
        render_s = time.monotonic() - t0
    finally:
        server.shutdown()
    check = AxeResults()
    for case, art in zip(cases, artifacts):
        judge(case, check.evaluate(art))
    errors = [(c, a) for c, a in zip(cases, artifacts) if c.verdict == "error"]
    failed = [c for c in cases if c.expected == "failed"]
    other = [c for c in cases if c.expected != "failed"]
    by_rule: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        by_rule[c.rule_id].append(c)
    slow = sorted(artifacts, key=lambda a: a.seconds or 0, reverse=True)[:3]
    total_s = time.monotonic() - started
    print(f"rendered {len(cases)} pages in {render_s:.1f}s ({len(cases) / max(render_s, 1e-9):.1f}/s); "
          f"slowest: " + ", ".join(f"{_short(a.url)} {a.seconds:.1f}s" for a in slow))
    print(f"render errors: {len(errors)}")
    for c, a in errors[:10]:
        print(f"  {_short(c.url)}: {a.error}")
    print(f"agreement: {rate(cases)} overall; expected failed {rate(failed)} "
          f"(cantTell only, needs review: {rate(failed, 'review')}); "
          f"expected passed/inapplicable {rate(other)} "
          f"(with a cantTell on the criteria: {sum(c.review for c in other)})")
    print(f"  approved rules only: {rate([c for c in cases if c.approved])}; rules with a conformance "
          f"(not only secondary) mapping: {rate([c for c in cases if c.primary])}")
    print("10 rules with the lowest agreement (missed = expected failed not found, "
          "false = failed reported on a passed/inapplicable case):")
    ranked = sorted(by_rule.values(), key=lambda cs: (rate(cs) if rate(cs) is not None else -1, cs[0].rule_id))
    for cs in ranked[:10]:
        c = cs[0]
        missed = sum(x.expected == "failed" and x.verdict in ("disagree", "review") for x in cs)
        false = sum(x.expected != "failed" and x.verdict == "disagree" for x in cs)
        print(f"  {c.rule_id} {rate(cs)} ({len(cs)} cases, missed {missed}, false {false}; "
              f"WCAG {', '.join(sorted(c.criteria, key=_sc_key))}) {c.rule_name}")
    print(f"total time {total_s:.1f}s")
    print(json.dumps({
        "rules": len(by_rule), "cases": len(cases), "agreement": rate(cases),
        "agreement_failed_cases": rate(failed), "agreement_passed_cases": rate(other),
        "review_only_failed_cases": sum(c.verdict == "review" for c in failed),
        "errors": len(errors), "skipped": sum(skipped.values()), "axe_version": version,
        "seconds": round(total_s, 1)}))


def _short(url: str) -> str:
    """``.../testcases/674b10/c181f726...html`` -> ``674b10/c181f726``."""
    rule, name = url.rsplit("/", 2)[-2:]
    return f"{rule}/{name[:8]}"


def _sc_key(sc: str) -> tuple[int, ...]:
    return tuple(int(p) for p in sc.split("."))


if __name__ == "__main__":
    main()
