"""Render a citylabel report dictionary as one self-contained HTML page.

Why this module exists and why it looks the way it does:

* The JSON report is the record; the HTML page is for people (city staff,
  auditors) who want to read it, print it or mail it.  So the page must be a
  single file that works offline: inline CSS, no fonts, images, CDNs or any
  other external reference, and everything readable without JavaScript (the
  only script opens ``<details>`` elements before printing).
* Almost every string in a report comes from crawled pages (titles, URLs,
  snippets, link texts, selectors, even the portal name) and must be treated
  as hostile.  Escaping is therefore left to Jinja2's autoescape, never
  bypassed with ``|safe``; values are coerced to plain ``str`` first so that
  an object carrying ``__html__`` (e.g. ``markupsafe.Markup``) cannot smuggle
  markup past it; only ``http://``/``https://`` URLs become ``href``
  attributes, so ``javascript:`` and ``data:`` URLs stay inert text; and a
  Content-Security-Policy ``<meta>`` forbids any script but our own (by
  hash) and any external load, as a second line of defence.
* Crawled strings can be huge, so displayed strings are truncated (snippets
  to 500 characters, quoted text to 300, ...) and long lists are capped
  (2,000 passed findings, 5,000 pages, ...) with a line saying how many were
  left out.  The JSON report keeps everything.

The dictionary shape is described by ``reports/schema/report.schema.json``.
:func:`render_html` does not validate against it; it is tolerant of missing
keys so that a partial report (e.g. of a run that is still running) still
renders, and it never modifies the dictionary it is given.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, Iterable

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

__all__ = ["render_html"]

TEMPLATE_NAME = "report.html.j2"

OUTCOMES = ("passed", "failed", "cantTell", "inapplicable", "error")
OUTCOME_LABELS = {
    "passed": "Passed",
    "failed": "Failed",
    "cantTell": "Cannot tell",
    "inapplicable": "Inapplicable",
    "error": "Error",
}
# Order of the "Findings that need attention" section.
ATTENTION_OUTCOMES = ("failed", "cantTell", "error")
KNOWN_FETCH_STATUSES = ("ok", "blocked", "http-error", "fetch-error", "robots-disallowed")

# Display limits (characters).  Truncated strings end with ELLIPSIS.
ELLIPSIS = "\u2026"
SNIPPET_LIMIT = 500
TEXT_LIMIT = 300
TITLE_LIMIT = 300
MESSAGE_LIMIT = 1000
HEADING_MESSAGE_LIMIT = 300
SELECTOR_LIMIT = 500
URL_LIMIT = 500
ERROR_LIMIT = 500
SHORT_LIMIT = 200
JSON_BLOCK_LIMIT = 20_000
# URLs longer than this are shown as text only, never as an href.
MAX_HREF_LENGTH = 8_000

# List caps: beyond these the page says how many items were left out.
MAX_PASSED_LISTED = 2_000
MAX_PAGES_LISTED = 5_000
MAX_ATTENTION_LISTED = 5_000
MAX_EVIDENCE_PER_FINDING = 50

# The only script on the page: open collapsed <details> while printing so the
# printed report is complete, and close them again afterwards.
PRINT_SCRIPT = (
    "(function(){var o=[];"
    "addEventListener('beforeprint',function(){"
    "o=[].slice.call(document.querySelectorAll('details:not([open])'));"
    "o.forEach(function(d){d.open=true;});});"
    "addEventListener('afterprint',function(){"
    "o.forEach(function(d){d.open=false;});o=[];});})();"
)
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(PRINT_SCRIPT.encode("utf-8")).digest()).decode("ascii")
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

_env: Environment | None = None


def _environment() -> Environment:
    global _env
    if _env is None:
        env = Environment(
            loader=PackageLoader("reports", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["num"] = _format_number
        _env = env
    return _env


def render_html(report: dict) -> str:
    """Return the report as a complete, self-contained HTML document."""
    context = _build_context(report)
    return _environment().get_template(TEMPLATE_NAME).render(**context)


# ---------------------------------------------------------------------------
# Value helpers: everything that reaches the template is a plain str, int,
# None, or a structure of those (plus the two Markup constants we own).


def _plain(value: Any) -> str | None:
    """Coerce to an exact ``str`` (dropping any ``__html__``); None stays None."""
    if value is None:
        return None
    return str.__str__(str(value))


def _clip(value: Any, limit: int) -> str | None:
    text = _plain(value)
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + ELLIPSIS


def _clipped(value: Any, limit: int) -> dict | None:
    """Truncated text plus what the template needs to say it was truncated."""
    text = _plain(value)
    if text is None:
        return None
    truncated = len(text) > limit
    return {
        "text": text[:limit] + ELLIPSIS if truncated else text,
        "truncated": truncated,
        "length": len(text),
    }


def is_http_url(value: Any) -> bool:
    """True only for strings that start with ``http://`` or ``https://``."""
    if not isinstance(value, str) or len(value) > MAX_HREF_LENGTH:
        return False
    return value[:8].lower().startswith(("http://", "https://"))


def _link(value: Any, limit: int = URL_LIMIT) -> dict | None:
    """``{"href": url-or-None, "text": display}``; href only for http(s) URLs."""
    text = _plain(value)
    if text is None:
        return None
    return {"href": text if is_http_url(text) else None, "text": _clip(text, limit)}


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return None


def _format_number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return "\u2014" if value is None else str(_plain(value))
    return f"{value:,}"


def _pill(outcome: Any) -> dict:
    key = outcome if outcome in OUTCOMES else "unknown"
    label = OUTCOME_LABELS.get(key) or (_clip(outcome, 40) or "Unknown")
    return {"key": key, "label": label}


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _strings(values: Iterable[Any], limit: int = SHORT_LIMIT) -> list[str]:
    return [_clip(v, limit) for v in values if v is not None]


def _json_block(value: Any) -> str:
    try:
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return _clip(text, JSON_BLOCK_LIMIT) or ""


def _counts(value: Any) -> dict:
    counts = _dict(value)
    return {o: _int_or_none(counts.get(o)) or 0 for o in OUTCOMES}


# ---------------------------------------------------------------------------
# Context


def _build_context(report: dict) -> dict:
    report = _dict(report)
    tool = _dict(report.get("tool"))
    portal = _dict(report.get("portal"))
    run = _dict(report.get("run"))
    summary = _dict(report.get("summary"))
    pages = _list(report.get("pages"))
    findings = [f for f in _list(report.get("findings")) if isinstance(f, dict)]

    checks = [c for c in _list(summary.get("checks")) if isinstance(c, dict)]
    check_order, check_info = _check_order(checks, findings)

    status = _plain(run.get("status"))
    assessment = _dict(report.get("assessment"))
    context = {
        "assessment": _assessment_context(assessment) if assessment else None,
        "explanations": [{"check": _clip(e.get("check"), SHORT_LIMIT), "text": _clip(e.get("text"), MESSAGE_LIMIT),
                          "author": _clip(e.get("author"), SHORT_LIMIT), "expires_on": _clip(e.get("expires_on"), 40)}
                         for e in _list(report.get("explanations")) if isinstance(e, dict)],
        "csp": CONTENT_SECURITY_POLICY,
        "print_script": Markup(PRINT_SCRIPT),  # our constant, not report data
        "schema_version": _clip(report.get("schema_version"), SHORT_LIMIT),
        "generated_at": _clip(report.get("generated_at"), SHORT_LIMIT),
        "tool": {
            "name": _clip(tool.get("name"), SHORT_LIMIT) or "citylabel",
            "version": _clip(tool.get("version"), SHORT_LIMIT),
        },
        "portal": {
            "name": _clip(portal.get("name"), TITLE_LIMIT) or "(unnamed portal)",
            "start_url": _link(portal.get("start_url")),
            "country": _clip(portal.get("country"), SHORT_LIMIT),
        },
        "run": {
            "id": _clip(run.get("id"), SHORT_LIMIT),
            "kind": _clip(run.get("kind"), SHORT_LIMIT),
            "parent_run_id": _clip(run.get("parent_run_id"), SHORT_LIMIT),
            "status": _clip(status, SHORT_LIMIT),
            "incomplete": status is not None and status != "finished",
            "started_at": _clip(run.get("started_at"), SHORT_LIMIT),
            "finished_at": _clip(run.get("finished_at"), SHORT_LIMIT),
            "tool_version": _clip(run.get("tool_version"), SHORT_LIMIT),
            "settings_json": _json_block(run.get("settings", {})),
            "check_versions_json": _json_block(run.get("check_versions", {})),
            "stats_json": _json_block(run.get("stats", {})),
        },
        "summary": _summary_context(summary, pages, checks),
    }
    context.update(_attention_context(findings, check_order, check_info))
    context.update(_passed_context(findings, check_order, check_info))
    context.update(_pages_context(pages))
    return context


def _summary_context(summary: dict, pages: list, checks: list[dict]) -> dict:
    by_status = _dict(summary.get("pages_by_fetch_status"))
    ordered = [s for s in KNOWN_FETCH_STATUSES if s in by_status]
    ordered += sorted((s for s in by_status if s not in KNOWN_FETCH_STATUSES), key=str)
    by_outcome = _counts(summary.get("findings_by_outcome"))
    pages_total = _int_or_none(summary.get("pages"))
    return {
        "pages": pages_total if pages_total is not None else len(pages),
        "fetch_statuses": [
            {"status": _clip(s, SHORT_LIMIT), "count": _int_or_none(by_status[s])} for s in ordered
        ],
        "outcomes": [{"pill": _pill(o), "count": by_outcome[o]} for o in OUTCOMES],
        "findings_total": sum(by_outcome.values()),
        "checks": [
            {
                "check": _clip(c.get("check"), SHORT_LIMIT),
                "title": _clip(c.get("title"), TITLE_LIMIT),
                "principles": _strings(_list(c.get("principles"))),
                "scope": _clip(c.get("scope"), SHORT_LIMIT),
                "pill": _pill(c.get("outcome")),
                "counts": _counts(c.get("counts")),
                "standard": _clip(c.get("standard"), SHORT_LIMIT),
                "version": _clip(c.get("version"), SHORT_LIMIT),
            }
            for c in checks
        ],
        "accessibility": _accessibility_context(_dict(summary.get("accessibility"))),
    }


def _accessibility_context(a11y: dict) -> dict | None:
    """The axe summary, every value clipped or made an int (page-derived ids included)."""
    if not a11y:
        return None
    return {
        "axe_version": _clip(a11y.get("axe_version"), SHORT_LIMIT),
        "pages_rendered": _int_or_none(a11y.get("pages_rendered")),
        "render_errors": _int_or_none(a11y.get("render_errors")),
        "templates": _int_or_none(a11y.get("templates")),
        "templates_sampled": _int_or_none(a11y.get("templates_sampled")),
        "by_impact": [{"impact": _clip(k, SHORT_LIMIT), "count": _int_or_none(v)}
                      for k, v in _dict(a11y.get("violations_by_impact")).items()],
        "by_wcag": [{"criterion": _clip(k, SHORT_LIMIT), "count": _int_or_none(v)}
                    for k, v in _dict(a11y.get("violations_by_wcag")).items()],
        "rules": [{"rule": _clip(r.get("rule"), SHORT_LIMIT), "impact": _clip(r.get("impact"), SHORT_LIMIT),
                   "wcag": _strings(_list(r.get("wcag"))), "pages": _int_or_none(r.get("pages")),
                   "elements": _int_or_none(r.get("elements"))}
                  for r in _list(a11y.get("rules"))[:200] if isinstance(r, dict)],
    }


def _check_heading(cid: str, check_info: dict[str, dict]) -> dict:
    info = check_info.get(cid, {})
    return {
        "check": _clip(cid, SHORT_LIMIT) or "(unknown check)",
        "title": _clip(info.get("title"), TITLE_LIMIT),
        "standard": _clip(info.get("standard"), SHORT_LIMIT),
        "principles": _strings(_list(info.get("principles"))),
    }


def _evidence(item: Any) -> dict | None:
    if not isinstance(item, dict):
        return None
    return {
        "url": _link(item.get("url")),
        "selector": _clip(item.get("selector"), SELECTOR_LIMIT),
        "snippet": _clipped(item.get("snippet"), SNIPPET_LIMIT),
        "text": _clipped(item.get("text"), TEXT_LIMIT),
    }


MAX_SCREENSHOTS = 12
MAX_SCREENSHOT_BYTES = 1_500_000
_IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def _screenshot(path: Any, embedded: dict[str, str]) -> str | None:
    """A screenshot the browser gatherer saved, as a data: URI (once per file, at most
    MAX_SCREENSHOTS per report, so the report stays one self-contained file)."""
    if not isinstance(path, str) or not path:
        return None
    if path in embedded:
        return embedded[path]
    from pathlib import Path
    p = Path(path)
    kind = _IMAGE_TYPES.get(p.suffix.lower())
    if kind is None or len(embedded) >= MAX_SCREENSHOTS or not p.is_file() \
            or p.stat().st_size > MAX_SCREENSHOT_BYTES:
        return None
    embedded[path] = f"data:{kind};base64,{base64.b64encode(p.read_bytes()).decode('ascii')}"
    return embedded[path]


def _check_order(checks: list[dict], findings: list[dict]) -> tuple[dict[str, int], dict[str, dict]]:
    """Each check's place (the summary's order), and its summary entry."""
    check_order: dict[str, int] = {}
    check_info: dict[str, dict] = {}
    for c in checks:
        cid = _plain(c.get("check"))
        if cid is not None and cid not in check_order:
            check_order[cid] = len(check_order)
            check_info[cid] = c
    # Checks that only appear in findings sort after the summarised ones,
    # in order of first appearance.
    for f in findings:
        cid = _plain(f.get("check")) or ""
        if cid not in check_order:
            check_order[cid] = len(check_order)
    return check_order, check_info


def _attention_listed(findings: list[dict], check_order: dict) -> tuple[list[tuple[int, int, dict]], int]:
    """The findings that need attention and are listed, as (rank, index, finding) in page
    order, and how many need attention in all.

    Grouped by check; groups ordered by their worst outcome (failed first), then by check
    order; inside a group failed, then cantTell, then error, each in report order. Two
    passes, so memory stays bounded by what is listed: the first counts, the second keeps
    only each (check, outcome)'s share of the first MAX_ATTENTION_LISTED."""
    rank = {o: i for i, o in enumerate(ATTENTION_OUTCOMES)}
    counts: dict[tuple[str, int], int] = {}
    for f in findings:
        outcome = f.get("outcome")
        if isinstance(outcome, str) and outcome in rank:
            key = (_plain(f.get("check")) or "", rank[outcome])
            counts[key] = counts.get(key, 0) + 1
    worst: dict[str, int] = {}
    for cid, r in counts:
        worst[cid] = min(r, worst.get(cid, r))
    order = sorted(counts, key=lambda k: (worst[k[0]], check_order.get(k[0], 0), k[1]))
    quota, budget = {}, MAX_ATTENTION_LISTED
    for key in order:
        quota[key] = min(counts[key], budget)
        budget -= quota[key]
    kept: dict[tuple[str, int], list[tuple[int, int, dict]]] = {key: [] for key in order}
    for index, f in enumerate(findings):
        outcome = f.get("outcome")
        if isinstance(outcome, str) and outcome in rank:
            key = (_plain(f.get("check")) or "", rank[outcome])
            if len(kept[key]) < quota[key]:
                kept[key].append((rank[outcome], index, f))
    return [item for key in order for item in kept[key]], sum(counts.values())


def _passed_listed(findings: list[dict], check_order: dict) -> list[tuple[str, list[tuple[int, dict]], int]]:
    """Per check with passed findings (in check order): the passed findings listed, as
    (index, finding), and how many passed in all. The first MAX_PASSED_LISTED are listed,
    check by check; two passes, like _attention_listed."""
    counts: dict[str, int] = {}
    for f in findings:
        if f.get("outcome") == "passed":
            cid = _plain(f.get("check")) or ""
            counts[cid] = counts.get(cid, 0) + 1
    quota, budget = {}, MAX_PASSED_LISTED
    for cid in sorted(counts, key=lambda c: check_order.get(c, 0)):
        quota[cid] = min(counts[cid], budget)
        budget -= quota[cid]
    kept: dict[str, list[tuple[int, dict]]] = {cid: [] for cid in quota}
    for index, f in enumerate(findings):
        if f.get("outcome") == "passed":
            cid = _plain(f.get("check")) or ""
            if len(kept[cid]) < quota[cid]:
                kept[cid].append((index, f))
    return [(cid, kept[cid], counts[cid]) for cid in quota]


def listed_findings(report: dict) -> set[int]:
    """Positions in ``report["findings"]`` that the page shows in full. Every other
    finding is only counted, by its check and outcome, so a caller may pass any dict
    with the same "check" and "outcome" in its place (see reports.build: a long run's
    page is rendered without loading all its findings)."""
    report = _dict(report)
    findings = [f for f in _list(report.get("findings")) if isinstance(f, dict)]
    checks = [c for c in _list(_dict(report.get("summary")).get("checks")) if isinstance(c, dict)]
    check_order, _ = _check_order(checks, findings)
    listed, _ = _attention_listed(findings, check_order)
    out = {index for _, index, _ in listed}
    for _, shown, _ in _passed_listed(findings, check_order):
        out.update(index for index, _ in shown)
    # positions count dicts only, as the page does
    positions = [i for i, f in enumerate(_list(report.get("findings"))) if isinstance(f, dict)]
    return {positions[i] for i in out}


def _attention_context(findings: list[dict], check_order: dict, check_info: dict) -> dict:
    shots: dict[str, str] = {}
    listed, total = _attention_listed(findings, check_order)

    groups: list[dict] = []
    current: str | None = None
    for _, _, f in listed:
        cid = _plain(f.get("check")) or ""
        if cid != current:
            groups.append({**_check_heading(cid, check_info), "findings": []})
            current = cid
        evidence_all = _list(f.get("evidence"))
        evidence = [e for e in (_evidence(i) for i in evidence_all[:MAX_EVIDENCE_PER_FINDING]) if e]
        message = _plain(f.get("message")) or ""
        groups[-1]["findings"].append(
            {
                "pill": _pill(f.get("outcome")),
                "heading": _clip(message, HEADING_MESSAGE_LIMIT) or "(no message)",
                "message": _clip(message, MESSAGE_LIMIT),
                "message_in_heading": len(message) <= HEADING_MESSAGE_LIMIT,
                "url": _link(f.get("url")),
                "principles": _strings(_list(f.get("principles")) or [f.get("principle")]),
                "check_version": _clip(f.get("check_version"), SHORT_LIMIT),
                "evidence": evidence,
                "evidence_omitted": max(0, len(evidence_all) - MAX_EVIDENCE_PER_FINDING),
                "id": _int_or_none(f.get("id")),
                "review": _review(f.get("review")),
                "screenshot": _screenshot(_dict(f.get("details")).get("screenshot"), shots),
            }
        )
    for g in groups:
        g["counts"] = {
            o: sum(1 for f in g["findings"] if f["pill"]["key"] == o) for o in ATTENTION_OUTCOMES
        }
    return {
        "attention_groups": groups,
        "attention_total": total,
        "attention_omitted": total - len(listed),
    }


def _review(r: Any) -> dict | None:
    if not isinstance(r, dict):
        return None
    return {"decision": _clip(r.get("decision"), 40), "pill": _pill(r.get("outcome")),
            "reviewer": _clip(r.get("reviewer"), SHORT_LIMIT), "reason": _clip(r.get("reason"), MESSAGE_LIMIT),
            "decided_at": _clip(r.get("decided_at"), 40)}


def _assessment_context(a: dict) -> dict:
    """The proposed level, the badge and chart (our own SVG, its text escaped), reasons,
    the indicators per principle and the review queue."""
    from reports.graphics import badge_svg, principles_chart_svg
    principles = [p for p in _list(a.get("principles")) if isinstance(p, dict)]
    level = a.get("level") if isinstance(a.get("level"), dict) else None
    model = _dict(a.get("model"))
    return {
        "level": _plain((level or {}).get("name")),
        "pending": bool((level or {}).get("pending_review")),
        "badge": Markup(badge_svg(level)),
        "chart": Markup(principles_chart_svg(principles)),
        "reasons": _strings(_list(a.get("reasons")), MESSAGE_LIMIT),
        "model": {"name": _clip(model.get("name"), SHORT_LIMIT), "version": _clip(model.get("version"), SHORT_LIMIT),
                  "title": _clip(model.get("title"), SHORT_LIMIT)},
        "principles": [{
            "title": _clip(p.get("title"), SHORT_LIMIT),
            "score": "n/a" if p.get("score") is None else f"{p['score']:.0%}",
            "confidence": "n/a" if p.get("confidence") is None else f"{p['confidence']:.0%}",
            "indicators": [{"check": _clip(i.get("check"), SHORT_LIMIT), "pill": _pill(i.get("outcome")),
                            "score": "n/a" if i.get("score") is None else f"{i['score']:.0%}",
                            "weight": _format_number(i.get("weight"))}
                           for i in _list(p.get("indicators")) if isinstance(i, dict)],
        } for p in principles],
        "review_queue": [{"check": _clip(q.get("check"), SHORT_LIMIT), "principle": _clip(q.get("principle"), SHORT_LIMIT),
                          "pill": _pill(q.get("outcome")), "manual": bool(q.get("manual")),
                          "unsure": _format_number(q.get("unsure"))}
                         for q in _list(a.get("review_queue")) if isinstance(q, dict)],
    }


def _passed_context(findings: list[dict], check_order: dict, check_info: dict) -> dict:
    groups = [
        {
            **_check_heading(cid, check_info),
            "count": count,
            "urls": [_link(f.get("url")) for _, f in shown],
            "omitted": count - len(shown),
        }
        for cid, shown, count in _passed_listed(findings, check_order)
    ]
    total = sum(g["count"] for g in groups)
    return {
        "passed_groups": groups,
        "passed_total": total,
        "passed_omitted": total - min(total, MAX_PASSED_LISTED),
    }


def _pages_context(pages: list) -> dict:
    rows = []
    valid = [p for p in pages if isinstance(p, dict)]
    for p in valid[:MAX_PAGES_LISTED]:
        url = _plain(p.get("url"))
        final_url = _plain(p.get("final_url"))
        rows.append(
            {
                "url": _link(url),
                "final_url": _link(final_url) if final_url and final_url != url else None,
                "status": _int_or_none(p.get("status")),
                "fetch_status": _clip(p.get("fetch_status"), SHORT_LIMIT),
                "content_type": _clip(p.get("content_type"), SHORT_LIMIT),
                "size": _int_or_none(p.get("size")),
                "depth": _int_or_none(p.get("depth")),
                "title": _clip(p.get("title"), TITLE_LIMIT),
                "error": _clip(p.get("error"), ERROR_LIMIT),
            }
        )
    return {
        "pages": rows,
        "pages_listed_total": len(valid),
        "pages_omitted": len(valid) - len(rows),
    }
