"""Turn a stored run into the report dictionary (the JSON report; the HTML
report is rendered from the same dictionary, so the two never disagree)."""
from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from checks.base import Outcome, worst
from checks.registry import discover
from reports.assessment import assess
from reports.model import LabelModel, load_model
from storage.models import Explanation, Finding, Page, Portal, Review, Run

SCHEMA_VERSION = "1.0"
OUTCOMES = [o.value for o in Outcome]


class RunNotFound(LookupError):
    pass


def resolve_run_id(session: Session, ref: str | int) -> int:
    """A run id, or ``latest`` for the newest run."""
    if str(ref) == "latest":
        run_id = session.scalars(select(Run.id).order_by(Run.id.desc()).limit(1)).first()
        if run_id is None:
            raise RunNotFound("there are no runs in this database yet")
        return run_id
    try:
        run_id = int(ref)
    except ValueError:
        raise RunNotFound(f"not a run id: {ref!r} (use a number or 'latest')") from None
    if session.get(Run, run_id) is None:
        raise RunNotFound(f"no run with id {run_id}")
    return run_id


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:  # SQLite returns naive datetimes; we stored UTC
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.isoformat()


def build_report(session: Session, run_id: int, tool_version: str,
                 model: LabelModel | None = None, today: date | None = None, *,
                 listed_only: bool = False) -> dict[str, Any]:
    """The report of one run; ``model`` is the label model to assess it with (default:
    the model shipped with citylabel). Reviews change the outcomes the assessment
    counts, never the findings shown; explanations are listed until they expire
    (``today``, default: the run's judging day).

    ``listed_only``: a report for the HTML page and the summary only. Its findings and
    pages that the page does not show in full are placeholders (a finding's check and
    outcome, an empty page), so the page renders exactly as from the full report while
    a run's findings are never all in memory at once; summaries and the assessment are
    the full report's."""
    run = session.get(Run, run_id)
    if run is None:
        raise RunNotFound(f"no run with id {run_id}")
    portal = session.get(Portal, run.portal_id)
    reviews = latest_reviews(session, run_id)
    overrides = {fid: r.outcome for fid, r in reviews.items()}
    if listed_only:
        summary, effective, pages, findings = _listed_rows(session, run, reviews, overrides)
    else:
        # plain rows, not ORM objects: a run of 20,000 pages has 160,000 findings
        page_rows = session.execute(select(Page.__table__).where(Page.run_id == run_id)
                                    .order_by(Page.id)).all()
        finding_rows = session.execute(select(Finding.__table__).where(Finding.run_id == run_id)
                                       .order_by(Finding.id)).all()
        summary = summarise(page_rows, finding_rows, run.check_versions or {})
        effective = summarise_outcomes(finding_rows, overrides, summary["checks"])
        summary["accessibility"] = accessibility_summary(finding_rows, (run.stats or {}).get("browser") or {})
        pages = [_page_dict(p) for p in page_rows]
        findings = [_finding_dict(f, reviews) for f in finding_rows]
    as_of = today or _judging_day(run)
    explanations = session.scalars(select(Explanation).where(
        Explanation.portal_id == portal.id, Explanation.expires_on >= as_of).order_by(Explanation.id)).all()
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": datetime.now(timezone.utc).isoformat(),
        "tool": {"name": "citylabel", "version": tool_version},
        "portal": {"name": portal.name, "start_url": portal.start_url, "country": portal.country},
        "run": {
            "id": run.id, "kind": run.kind, "parent_run_id": run.parent_run_id,
            "status": run.status, "started_at": _iso(run.started_at),
            "finished_at": _iso(run.finished_at), "tool_version": run.tool_version,
            "settings": run.settings or {}, "check_versions": run.check_versions or {},
            "stats": run.stats or {},
        },
        "summary": summary,
        "assessment": assess(effective, model or load_model()),
        "explanations": [{"check": e.check_id, "text": e.text, "author": e.author,
                          "expires_on": e.expires_on.isoformat(), "created_at": _iso(e.created_at)}
                         for e in explanations],
        "pages": pages,
        "findings": findings,
    }


def _page_dict(p: Any) -> dict[str, Any]:
    return {"url": p.url, "final_url": p.final_url, "status": p.http_status,
            "fetch_status": p.fetch_status, "content_type": p.content_type, "size": p.size,
            "depth": p.depth, "title": p.title, "error": p.error}


def _finding_dict(f: Any, reviews: dict[int, Review]) -> dict[str, Any]:
    return {
        "id": f.id,
        "check": f.check_id, "check_version": f.check_version, "outcome": f.outcome,
        "principle": f.principles[0] if f.principles else None,
        "principles": list(f.principles or []), "url": f.url, "message": f.message,
        "evidence": [{k: e.get(k) for k in ("url", "selector", "snippet", "text")}
                     for e in (f.evidence or [])],
        "details": f.details,
        "review": _review_dict(reviews.get(f.id)),
    }


STREAM_ROWS = 2000   # rows fetched at a time when a report streams a run's rows
_IN_CHUNK = 500      # ids per "IN (...)" query (SQLite limits bound parameters)


def _listed_rows(session: Session, run: Run, reviews: dict[int, Review], overrides: dict[int, str]):  # noqa: ANN202
    """Summary, effective outcomes, pages and findings of a ``listed_only`` report, reading
    the rows in batches: one pass over every finding's id, check and outcome, then the
    full rows of the findings the page lists."""
    from reports.html import MAX_PAGES_LISTED, listed_findings
    run_id = run.id
    pages: list[dict[str, Any]] = []
    placeholder_page: dict[str, Any] = {}
    by_status: Counter = Counter()
    for p in session.execute(select(Page.__table__).where(Page.run_id == run_id).order_by(Page.id)
                             .execution_options(yield_per=STREAM_ROWS)):
        by_status[p.fetch_status] += 1
        pages.append(_page_dict(p) if len(pages) < MAX_PAGES_LISTED else placeholder_page)
    ids = array("q")
    findings: list[dict[str, Any]] = []
    placeholders: dict[tuple[str, str], dict[str, str]] = {}
    by_check: dict[str, Counter] = defaultdict(Counter)
    effective_counts: dict[str, Counter] = defaultdict(Counter)
    first_of_check: dict[str, int] = {}
    for fid, check_id, outcome in session.execute(
            select(Finding.id, Finding.check_id, Finding.outcome).where(Finding.run_id == run_id)
            .order_by(Finding.id).execution_options(yield_per=STREAM_ROWS)):
        ids.append(fid)
        key = (check_id, outcome)
        stub = placeholders.get(key)
        if stub is None:
            stub = placeholders[key] = {"check": check_id, "outcome": outcome}
        findings.append(stub)
        by_check[check_id][outcome] += 1
        first_of_check.setdefault(check_id, fid)
        if overrides:
            effective_counts[check_id][overrides.get(fid, outcome)] += 1
    principles = {}
    first_ids = list(first_of_check.values())
    for i in range(0, len(first_ids), _IN_CHUNK):
        for check_id, prin in session.execute(select(Finding.check_id, Finding.principles)
                                              .where(Finding.id.in_(first_ids[i:i + _IN_CHUNK]))):
            principles[check_id] = list(prin or [])
    summary = _summary(len(pages), by_status, by_check, principles, run.check_versions or {})
    axe = session.execute(select(Finding.__table__).where(Finding.run_id == run_id,
                                                          Finding.check_id == "a11y.axe")
                          .order_by(Finding.id)).all()
    summary["accessibility"] = accessibility_summary(axe, (run.stats or {}).get("browser") or {})
    effective = _effective(effective_counts, summary["checks"]) if overrides else summary["checks"]
    position = {ids[i]: i for i in listed_findings({"findings": findings, "summary": summary})}
    wanted = sorted(position)
    for i in range(0, len(wanted), _IN_CHUNK):
        for f in session.execute(select(Finding.__table__).where(Finding.id.in_(wanted[i:i + _IN_CHUNK]))):
            findings[position[f.id]] = _finding_dict(f, reviews)
    return summary, effective, pages, findings


def latest_reviews(session: Session, run_id: int) -> dict[int, Review]:
    """The latest decision on each reviewed finding of a run."""
    out: dict[int, Review] = {}
    for r in session.scalars(select(Review).where(Review.run_id == run_id).order_by(Review.id)):
        out[r.finding_id] = r
    return out


def _review_dict(r: Review | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"decision": r.decision, "outcome": r.outcome, "reviewer": r.reviewer, "reason": r.reason,
            "decided_at": _iso(r.decided_at)}


def _judging_day(run: Run) -> date:
    as_of = (run.settings or {}).get("as_of")
    return date.fromisoformat(as_of) if as_of else date.today()


def summarise_outcomes(findings: list[Finding], overrides: dict[int, str],
                       checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-check outcome counts after reviews (what the assessment counts)."""
    if not overrides:
        return checks
    counts: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        counts[f.check_id][overrides.get(f.id, f.outcome)] += 1
    return _effective(counts, checks)


def _effective(counts: dict[str, Counter], checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(c, counts={o: counts[c["check"]].get(o, 0) for o in OUTCOMES}) for c in checks]


def summarise(pages: list[Page], findings: list[Finding],
              check_versions: dict[str, str]) -> dict[str, Any]:
    by_check: dict[str, Counter] = defaultdict(Counter)
    principles: dict[str, list[str]] = {}
    for f in findings:
        by_check[f.check_id][f.outcome] += 1
        principles.setdefault(f.check_id, list(f.principles or []))
    return _summary(len(pages), Counter(p.fetch_status for p in pages), by_check, principles,
                    check_versions)


def _summary(pages: int, by_status: Counter, by_check: dict[str, Counter],
             principles: dict[str, list[str]], check_versions: dict[str, str]) -> dict[str, Any]:
    """The summary from the counts: pages by fetch status, findings by check and outcome
    (``principles``: each check's first finding's)."""
    by_check = defaultdict(Counter, by_check)
    for check_id in check_versions:
        by_check.setdefault(check_id, Counter())
    installed = discover()
    checks = []
    for check_id in sorted(by_check):
        counts = by_check[check_id]
        meta = installed[check_id].meta if check_id in installed else None
        checks.append({
            "check": check_id,
            "title": meta.title if meta else check_id,
            "scope": meta.scope.value if meta else "page",
            "principles": principles.get(check_id) or (list(meta.principles) if meta else []),
            "outcome": worst(o for o, n in counts.items() if n).value,
            "counts": {o: counts.get(o, 0) for o in OUTCOMES},
            "standard": meta.standard if meta else "",
            "version": check_versions.get(check_id, meta.version if meta else ""),
        })
    total: Counter = Counter()
    for counts in by_check.values():
        total.update(counts)
    return {
        "pages": pages,
        "pages_by_fetch_status": dict(by_status),
        "findings_by_outcome": {o: total.get(o, 0) for o in OUTCOMES},
        "checks": checks,
    }


def accessibility_summary(findings: list[Finding], browser: dict[str, Any]) -> dict[str, Any]:
    """Violations found by axe on the rendered sample, by impact and WCAG criterion.

    A violation counts once per page and rule (its elements are counted apart).
    """
    by_impact: Counter = Counter()
    by_wcag: Counter = Counter()
    rules: dict[str, dict[str, Any]] = {}
    rendered, errors = set(), 0
    for f in findings:
        if f.check_id != "a11y.axe":
            continue
        rendered.add(f.url)
        if f.outcome == "error":
            errors += 1
        if f.outcome != "failed" or not f.details:
            continue
        d = f.details
        by_impact[d.get("impact") or "unknown"] += 1
        for sc in d.get("wcag") or ["best practice"]:
            by_wcag[sc] += 1
        r = rules.setdefault(d["rule"], {"rule": d["rule"], "impact": d.get("impact"),
                                         "wcag": d.get("wcag") or [], "pages": 0, "elements": 0})
        r["pages"] += 1
        r["elements"] += int(d.get("nodes") or 0)
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    return {
        "axe_version": browser.get("axe_version"),
        "pages_rendered": len(rendered),
        "render_errors": errors,
        "templates": browser.get("templates"),
        "templates_sampled": browser.get("templates_sampled"),
        "violations_by_impact": dict(sorted(by_impact.items(), key=lambda kv: order.get(kv[0], 9))),
        "violations_by_wcag": dict(sorted(by_wcag.items())),
        "rules": sorted(rules.values(), key=lambda r: (order.get(r["impact"], 9), -r["pages"], r["rule"])),
    }
