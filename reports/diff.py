"""Differences between two runs of a portal, and the gates CI and monitoring jobs use.

A finding is matched across runs by its check, its page (the URL relative to the
run's start address, so a portal served at another address or port still
matches) and what its first evidence points at. A *regression* is a failure that
was not there before, a lower level, or a lower principle score.
"""
from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SCORE_EPSILON = 0.0005


def _relative(url: str | None, start: str) -> str:
    if not url:
        return ""
    u, s = urlsplit(url), urlsplit(start)
    if (u.scheme, u.netloc) == (s.scheme, s.netloc):
        return u.path + (f"?{u.query}" if u.query else "")
    return url


def finding_key(f: dict[str, Any], start_url: str) -> str:
    ev = (f.get("evidence") or [{}])[0]
    where = ev.get("selector") or _relative(ev.get("url"), start_url) or (ev.get("text") or "")[:120]
    return "|".join((f["check"], _relative(f.get("url"), start_url), where))


def _effective(f: dict[str, Any]) -> str:
    return (f.get("review") or {}).get("outcome") or f["outcome"]


def failures(report: dict[str, Any], ignore: set[str] = frozenset()) -> dict[str, dict[str, Any]]:
    start = report["portal"]["start_url"]
    return {k: f for f in report["findings"] if _effective(f) == "failed"
            and (k := finding_key(f, start)) not in ignore}


def diff_reports(a: dict[str, Any], b: dict[str, Any], ignore: set[str] = frozenset()) -> dict[str, Any]:
    fa, fb = failures(a, ignore), failures(b, ignore)
    new = [fb[k] for k in fb if k not in fa]
    fixed = [fa[k] for k in fa if k not in fb]
    ca = {c["check"]: c["outcome"] for c in a["summary"]["checks"]}
    cb = {c["check"]: c["outcome"] for c in b["summary"]["checks"]}
    changed = [{"check": c, "a": ca.get(c), "b": cb.get(c)} for c in sorted(set(ca) | set(cb)) if ca.get(c) != cb.get(c)]
    pa = {p["id"]: p for p in a["assessment"]["principles"]}
    pb = {p["id"]: p for p in b["assessment"]["principles"]}
    principles = []
    for pid in [p["id"] for p in b["assessment"]["principles"]] + [p for p in pa if p not in pb]:
        sa, sb = (pa.get(pid) or {}).get("score"), (pb.get(pid) or {}).get("score")
        delta = None if sa is None or sb is None else round(sb - sa, 4)
        principles.append({"id": pid, "title": (pb.get(pid) or pa.get(pid))["title"], "a": sa, "b": sb, "delta": delta})
    la, lb = a["assessment"]["level"], b["assessment"]["level"]
    rank = lambda lv: (lv or {}).get("rank", 0)  # noqa: E731
    lower = [p for p in principles if p["delta"] is not None and p["delta"] < -SCORE_EPSILON]
    return {
        "portal": b["portal"]["name"],
        "runs": {"a": a["run"]["id"], "b": b["run"]["id"]},
        "level": {"a": (la or {}).get("name"), "b": (lb or {}).get("name"), "worse": rank(lb) < rank(la),
                  "better": rank(lb) > rank(la)},
        "principles": principles,
        "new_failures": [_brief(f) for f in new],
        "fixed_failures": [_brief(f) for f in fixed],
        "changed_checks": changed,
        "regression": bool(new or rank(lb) < rank(la) or lower),
        "ignored_by_baseline": len(ignore),
    }


def _brief(f: dict[str, Any]) -> dict[str, Any]:
    ev = (f.get("evidence") or [{}])[0]
    return {"check": f["check"], "url": f.get("url"), "message": f["message"],
            "evidence": ev.get("text") or ev.get("selector") or ev.get("url")}


def diff_text(d: dict[str, Any]) -> str:
    lines = [f"{d['portal']}: run {d['runs']['a']} -> run {d['runs']['b']}",
             f"level: {d['level']['a'] or 'none'} -> {d['level']['b'] or 'none'}"
             + (" (worse)" if d["level"]["worse"] else " (better)" if d["level"]["better"] else "")]
    for p in d["principles"]:
        if p["delta"]:
            lines.append(f"  {p['title']}: {p['a']:.0%} -> {p['b']:.0%} ({p['delta']:+.0%})")
    lines.append(f"new failures: {len(d['new_failures'])}")
    lines += [f"  + {f['check']} {f['url'] or '(site)'}: {f['message'][:160]}" for f in d["new_failures"]]
    lines.append(f"fixed failures: {len(d['fixed_failures'])}")
    lines += [f"  - {f['check']} {f['url'] or '(site)'}: {f['message'][:160]}" for f in d["fixed_failures"]]
    if d["changed_checks"]:
        lines.append("checks whose outcome changed:")
        lines += [f"  {c['check']}: {c['a']} -> {c['b']}" for c in d["changed_checks"]]
    lines.append("REGRESSION" if d["regression"] else "no regression")
    return "\n".join(lines) + "\n"


def diff_html(d: dict[str, Any]) -> str:
    e = lambda v: escape("" if v is None else str(v))  # noqa: E731
    rows = "".join(f"<tr><td>{e(p['title'])}</td><td>{e(p['a'])}</td><td>{e(p['b'])}</td><td>{e(p['delta'])}</td></tr>"
                   for p in d["principles"])

    def items(fs: list[dict[str, Any]]) -> str:
        return "".join(f"<li><code>{e(f['check'])}</code> {e(f['url'] or '(site)')}: {e(f['message'])}</li>"
                       for f in fs) or "<li>none</li>"
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>citylabel diff</title>"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            "</head><body><main>"
            f"<h1>{e(d['portal'])}: run {e(d['runs']['a'])} → run {e(d['runs']['b'])}</h1>"
            f"<p>Level: {e(d['level']['a'] or 'none')} → {e(d['level']['b'] or 'none')}. "
            f"{'Regression.' if d['regression'] else 'No regression.'}</p>"
            "<table><thead><tr><th scope=\"col\">Principle</th><th scope=\"col\">Before</th><th scope=\"col\">After</th>"
            f"<th scope=\"col\">Change</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<h2>New failures ({len(d['new_failures'])})</h2><ul>{items(d['new_failures'])}</ul>"
            f"<h2>Fixed failures ({len(d['fixed_failures'])})</h2><ul>{items(d['fixed_failures'])}</ul>"
            "</main></body></html>\n")


# -- gates ------------------------------------------------------------------------

_LEVEL = re.compile(r"^level<(\w+)$")
_PRINCIPLE = re.compile(r"^principle:([\w-]+)<(0?\.\d+|1(?:\.0+)?|\d{1,3}%)$")


class GateError(ValueError):
    pass


def parse_gate(text: str) -> tuple[str, Any]:
    """``regression``, ``level<N`` (rank or level name) or ``principle:ID<SCORE`` (0..1 or a %)."""
    t = text.strip().replace(" ", "")
    if t == "regression":
        return ("regression", None)
    if m := _LEVEL.match(t):
        return ("level", m[1])
    if m := _PRINCIPLE.match(t):
        value = float(m[2][:-1]) / 100 if m[2].endswith("%") else float(m[2])
        return ("principle", (m[1], value))
    raise GateError(f"--fail-on takes regression, level<N (rank or name) or principle:ID<SCORE, got {text!r}")


def check_gates(gates: list[tuple[str, Any]], report: dict[str, Any], previous: dict[str, Any] | None,
                ignore: set[str] = frozenset()) -> list[str]:
    """The messages of every gate the report fails (empty: all pass)."""
    problems: list[str] = []
    a = report["assessment"]
    level = a["level"] or {}
    for kind, arg in gates:
        if kind == "regression":
            if previous is None:
                continue  # nothing to compare with: the first run cannot regress
            d = diff_reports(previous, report, ignore)
            if d["regression"]:
                what = []
                if d["new_failures"]:
                    what.append(f"{len(d['new_failures'])} new failure(s), e.g. {d['new_failures'][0]['check']} "
                                f"on {d['new_failures'][0]['url'] or 'the site'}")
                if d["level"]["worse"]:
                    what.append(f"level {d['level']['a']} -> {d['level']['b'] or 'none'}")
                what += [f"{p['title']} {p['a']:.0%} -> {p['b']:.0%}" for p in d["principles"]
                         if p["delta"] is not None and p["delta"] < -SCORE_EPSILON]
                problems.append(f"regression since run {d['runs']['a']}: " + "; ".join(what))
        elif kind == "level":
            ranks = {lv["name"].lower(): lv["rank"] for lv in a.get("levels", [])}
            need = int(arg) if str(arg).isdigit() else ranks.get(str(arg).lower())
            if need is None:
                raise GateError(f"unknown level {arg!r}; the model has "
                                f"{', '.join(lv['name'] for lv in a.get('levels', [])) or 'none'}")
            if level.get("rank", 0) < need or level.get("pending_review"):
                problems.append(f"level {level.get('name') or 'none'}"
                                + (" (pending review)" if level.get("pending_review") else "")
                                + f" is below the required level {arg}")
        elif kind == "principle":
            pid, need = arg
            p = next((p for p in a["principles"] if p["id"] == pid), None)
            if p is None:
                raise GateError(f"unknown principle {pid!r}; the model has "
                                f"{', '.join(x['id'] for x in a['principles'])}")
            if p["score"] is None or p["score"] < need:
                shown = "undecided" if p["score"] is None else f"{p['score']:.0%}"
                problems.append(f"principle {pid} scores {shown}, below {need:.0%}")
    return problems


def load_baseline(path: str | Path) -> set[str]:
    """Finding keys to ignore (a JSON file written by ``citylabel baseline``)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise GateError(f"cannot read baseline {p}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("ignore"), list):
        raise GateError(f"baseline {p} must be a JSON object with an 'ignore' list of finding keys")
    return {str(k) for k in data["ignore"]}


def baseline_of(report: dict[str, Any]) -> dict[str, Any]:
    start = report["portal"]["start_url"]
    return {"portal": report["portal"]["name"], "run": report["run"]["id"],
            "ignore": sorted({finding_key(f, start) for f in report["findings"] if _effective(f) == "failed"})}
