"""The ``citylabel`` command. It wires the parts together and holds no logic."""
from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from citylabel import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Audit city and regional portals for evidence of user-centricity.")
checks_app = typer.Typer(no_args_is_help=True, help="Installed checks.")
app.add_typer(checks_app, name="checks")
portals_app = typer.Typer(no_args_is_help=True, help="The portfolio of portals (import, list).")
app.add_typer(portals_app, name="portals")
# Piped output (CI logs, files) gets wide tables instead of rich's 80 columns.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

ModelOpt = typer.Option(None, "--model", exists=True, dir_okay=False,
                        help="Label model (YAML) to assess with (default: the shipped Tallinn model)")
DbOpt = typer.Option(None, "--db", envvar="CITYLABEL_DB",
                     help="SQLAlchemy URL (default: sqlite:///citylabel.db)")


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _report_dir(db: str | None) -> Path:
    from storage.session import data_dir, resolve_url
    return data_dir(resolve_url(db)).parent / "citylabel-reports"


def _write_html(report: dict, run_id: int, directory: Path) -> Path:
    from reports.html import render_html
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"run-{run_id}.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


def _summary_table(rows: list[dict]) -> Table:
    table = Table(title="citylabel audit summary")
    for col in ("run", "portal", "status", "pages", "checks passed", "failed", "can't tell",
                "findings ✓/✗/?", "proposed level"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*[str(x) for x in r.values()])
    return table


def _summary_row(rep: dict, run_id: int) -> dict:
    checks = rep["summary"]["checks"]
    by = lambda o: sum(1 for c in checks if c["outcome"] == o)  # noqa: E731
    f = rep["summary"]["findings_by_outcome"]
    return {"run": run_id, "portal": rep["portal"]["name"], "status": rep["run"]["status"],
            "pages": rep["summary"]["pages"], "passed": by("passed"), "failed": by("failed"),
            "cantTell": by("cantTell"),
            "findings": f"{f['passed']}/{f['failed']}/{f['cantTell']}",
            "level": _level_text(rep["assessment"]["level"])}


def _level_text(level: dict | None) -> str:
    if not level:
        return "none"
    return level["name"] + (" (pending review)" if level.get("pending_review") else "")


def _finish_runs(db: str | None, results: list[dict], report_dir: Path | None) -> int:
    rows, paths = [], []
    for res in results:
        if res.get("run_id") is None:
            continue
        # built once for the table and the HTML, holding only the findings the page lists
        [report] = _reports(db, [res["run_id"]], None, listed_only=True)
        rows.append(_summary_row(report, res["run_id"]))
        paths.append(_write_html(report, res["run_id"], report_dir or _report_dir(db)))
        del report
    out.print(_summary_table(rows))
    for row, path in zip(rows, paths):
        out.print(f"HTML report for run {row['run']} ({row['portal']}): {path}", highlight=False, soft_wrap=True)
    return 0 if all(r.get("status") == "finished" for r in results) else 1


@app.command()
def audit(
    url: Optional[str] = typer.Argument(None, help="Start URL of the portal (http or https)"),
    resume_run: Optional[str] = typer.Option(None, "--resume", metavar="RUN",
                                             help="Continue this killed run (id or 'latest') with its "
                                                  "recorded settings instead of starting a new one"),
    name: Optional[str] = typer.Option(None, help="Portal name (default: the host)"),
    country: Optional[str] = typer.Option(None, help="ISO 3166 country code, e.g. IT"),
    max_pages: int = typer.Option(500, "--max-pages", min=1, help="Page budget"),
    max_depth: int = typer.Option(5, "--max-depth", min=0, help="Link depth from the start URL"),
    also_host: list[str] = typer.Option([], "--also-host",
                                        help="Another host in scope (repeatable)"),
    start_url: list[str] = typer.Option([], "--start-url",
                                        help="Another entry point, crawled like the start URL (repeatable; in scope)"),
    probe_url: Optional[str] = typer.Option(None, "--probe-url",
                                            help="Other-scheme address to probe for the HTTPS "
                                                 "redirect check (default: derived from URL)"),
    contact_url: Optional[str] = typer.Option(None, "--contact-url",
                                              help="Contact URL shown in the User-Agent"),
    user_agent: Optional[str] = typer.Option(None, "--user-agent", help="Full User-Agent"),
    timeout: float = typer.Option(30.0, "--timeout", min=1.0, help="Seconds to wait for a response"),
    delay: float = typer.Option(0.5, "--delay", min=0.0, help="Seconds between requests at first; "
                                "AutoThrottle then follows the server's response times"),
    browser_pages: int = typer.Option(20, "--browser-pages", min=0,
                                      help="Pages rendered in Chromium with axe-core: key pages, "
                                           "then a few per page template (0: no browser)"),
    allow_private: bool = typer.Option(False, "--allow-private", envvar="CITYLABEL_ALLOW_PRIVATE",
                                       help="Also fetch private, loopback and link-local addresses "
                                            "(intranets; refused by default, redirects included)"),
    consent_platforms: bool = typer.Option(True, "--consent-platforms/--no-consent-platforms",
                                           help="Let known consent platforms' hosts (Cookiebot, "
                                                "OneTrust...) load in the browser so their banners "
                                                "can be refused; trackers are always blocked"),
    check: list[str] = typer.Option([], "--check", help="Run only this check (repeatable)"),
    skip_check: list[str] = typer.Option([], "--skip-check", help="Do not run this check"),
    check_option: list[str] = typer.Option([], "--check-option",
                                           help="Set a check's option, CHECK_ID.NAME=VALUE, e.g. "
                                                "privacy.notice-link-coverage.threshold=0.9 "
                                                "(repeatable; `citylabel checks list` shows them)"),
    fail_on: list[str] = typer.Option([], "--fail-on", help="Exit 3 when: regression (against the portal's "
                                      "previous run), level<N (rank or level name) or principle:ID<SCORE "
                                      "(0..1 or %); repeatable"),
    baseline_file: Optional[Path] = typer.Option(None, "--baseline", exists=True, dir_okay=False,
                                                 help="Known findings that never count as a regression"),
    model: Optional[Path] = ModelOpt,
    ca_file: Optional[Path] = typer.Option(None, "--ca-file", exists=True, dir_okay=False,
                                           help="Extra CA certificates (PEM) to trust when judging "
                                                "the portal's certificate (intranets, tests)"),
    report_dir: Optional[Path] = typer.Option(None, "--report-dir", help="Where to write the HTML report"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Judge dates (statement age) as of "
                                        "this day, YYYY-MM-DD (default: today)"),
    db: Optional[str] = DbOpt,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Scrapy's log"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines"),
) -> None:
    """Crawl one portal, run the checks, store the evidence and write a report."""
    from citylabel.audit import run_audits
    if resume_run is not None:
        _resume(resume_run, url, allow_private, db, report_dir, quiet)
    if url is None:
        _fail("give the portal's start URL (or --resume RUN to continue a killed run)")
    from citylabel.config import DEFAULT_CONTACT, AuditConfig
    from checks.registry import CheckLoadError, load, parse_option
    from reports.diff import GateError, load_baseline, parse_gate
    try:
        options: dict[str, dict[str, str]] = {}
        for text in check_option:
            cid, oname, value = parse_option(text)
            options.setdefault(cid, {})[oname] = value
        load(check or None, skip_check, options)
        gates = [parse_gate(g) for g in fail_on]
        ignore = load_baseline(baseline_file) if baseline_file else set()
        cfg = AuditConfig(start_url=url, name=name, country=country, max_pages=max_pages,
                          max_depth=max_depth, also_hosts=tuple(also_host), db_url=db,
                          extra_start_urls=tuple(start_url),
                          scheme_probe_url=probe_url, contact_url=contact_url or DEFAULT_CONTACT,
                          user_agent=user_agent, enable_checks=tuple(check) or None,
                          disable_checks=tuple(skip_check), progress=not quiet,
                          download_timeout=timeout, delay=delay, as_of=as_of, browser_pages=browser_pages,
                          check_options=options, ca_file=str(ca_file) if ca_file else None,
                          load_consent_platforms=consent_platforms, allow_private=allow_private)
    except (ValueError, CheckLoadError, GateError) as exc:
        _fail(str(exc))
    label_model = _model(model)
    results = run_audits([cfg], log_level="INFO" if verbose else "WARNING")
    code = _finish_runs(db, results, report_dir)
    if gates:
        code = _gate(db, results, gates, ignore, label_model) or code
    raise typer.Exit(code)


def _gate(db: str | None, results: list[dict], gates: list, ignore: set, model) -> int:  # noqa: ANN001
    """Apply --fail-on to each finished run; 3 (and the reasons on stderr) when one fails."""
    from sqlalchemy import select
    from reports.diff import GateError, check_gates
    from storage.models import Portal, Run
    from storage.session import session_scope
    failed = False
    for res in results:
        if res.get("run_id") is None:
            continue
        with session_scope(db) as s:
            run = s.get(Run, res["run_id"])
            name = s.get(Portal, run.portal_id).name
            previous = s.scalars(select(Run.id).join(Portal, Portal.id == Run.portal_id).where(
                Portal.name == name, Run.status == "finished", Run.id != run.id,
                Run.started_at <= run.started_at).order_by(Run.started_at.desc(), Run.id.desc())).first()
        ids = [res["run_id"]] + ([previous] if previous else [])
        reports = _reports(db, ids, model)
        try:
            problems = check_gates(gates, reports[0], reports[1] if previous else None, ignore)
        except GateError as exc:
            _fail(str(exc))
        for p in problems:
            err.print(f"[bold red]--fail-on:[/] run {res['run_id']} ({name}): {p}", highlight=False)
        failed = failed or bool(problems)
    return 3 if failed else 0


@app.command()
def demo(
    db: Optional[str] = DbOpt,
    max_pages: int = typer.Option(200, "--max-pages", min=1),
    report_dir: Optional[Path] = typer.Option(None, "--report-dir"),
    serve: bool = typer.Option(False, "--serve", help="Keep serving the portals afterwards"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Judge dates as of YYYY-MM-DD"),
    browser_pages: int = typer.Option(20, "--browser-pages", min=0, help="Pages rendered per portal"),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Serve the bundled fictional portals on 127.0.0.1 and audit each of them."""
    from citylabel.audit import run_audits
    from citylabel.config import AuditConfig
    from citylabel.demo.server import PortalServer, bundled_portals
    portals = bundled_portals()
    if not portals:
        _fail("no bundled portals found")
    with ExitStack() as stack:
        servers = [stack.enter_context(PortalServer(p.root)) for p in portals]
        for p, s in zip(portals, servers):
            err.print(f"serving {p.name} ({p.country}, {p.quality}) at {s.url}", highlight=False)
        try:
            configs = [AuditConfig(start_url=s.url, name=p.name, country=p.country, db_url=db,
                                   max_pages=max_pages, progress=not quiet, as_of=as_of,
                                   browser_pages=browser_pages, allow_private=True)  # served on 127.0.0.1
                       for p, s in zip(portals, servers)]
        except ValueError as exc:
            _fail(str(exc))
        results = run_audits(configs)
        code = _finish_runs(db, results, report_dir)
        if serve:
            err.print("serving until Ctrl-C")
            try:
                import time
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    raise typer.Exit(code)


@app.command()
def runs(db: Optional[str] = DbOpt,
         portal: Optional[str] = typer.Option(None, help="Only runs of portals whose name contains this"),
         limit: int = typer.Option(50, min=1)) -> None:
    """List stored runs, newest first."""
    from sqlalchemy import select
    from storage.models import Page, Portal, Run
    from storage.session import session_scope
    from sqlalchemy import func
    with session_scope(db) as s:
        q = (select(Run, Portal, func.count(Page.id)).join(Portal, Run.portal_id == Portal.id)
             .outerjoin(Page, Page.run_id == Run.id).group_by(Run.id, Portal.id)
             .order_by(Run.id.desc()).limit(limit))
        if portal:
            q = q.where(Portal.name.contains(portal))
        rows = s.execute(q).all()
        table = Table(title="runs")
        for col in ("id", "portal", "start URL", "kind", "status", "started", "pages", "parent"):
            table.add_column(col, overflow="fold")
        for run, p, n in rows:
            status = run.status + (" (resumed)" if (run.stats or {}).get("resumed") else "")
            table.add_row(str(run.id), p.name, p.start_url, run.kind, status,
                          run.started_at.strftime("%Y-%m-%d %H:%M:%S"), str(n),
                          str(run.parent_run_id or ""))
    if not rows:
        err.print("no runs yet: try `citylabel demo` or `citylabel audit URL`")
    out.print(table)


FORMATS = ("html", "json", "earl", "csv", "badge")


def _model(path: Optional[Path]):  # noqa: ANN202
    from reports.model import ModelError, load_model
    try:
        return load_model(path)
    except ModelError as exc:
        _fail(str(exc))


@app.command()
def report(run: str = typer.Argument(..., help="Run id or 'latest'"),
           fmt: str = typer.Option("html", "--format", "-f", help="html, json, earl (accessibility "
                                   "findings as EARL JSON-LD), csv (findings, for spreadsheets) or "
                                   "badge (SVG of the proposed level)"),
           output: Optional[Path] = typer.Option(None, "-o", "--output", help="File (default stdout)"),
           model: Optional[Path] = ModelOpt,
           db: Optional[str] = DbOpt) -> None:
    """Write a run's report as HTML, JSON, EARL JSON-LD, CSV or an SVG badge."""
    from reports.build import RunNotFound, build_report, resolve_run_id
    from storage.session import session_scope
    if fmt not in FORMATS:
        _fail(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    label_model = _model(model)
    try:
        with session_scope(db) as s:
            data = build_report(s, resolve_run_id(s, run), __version__, label_model)
    except RunNotFound as exc:
        _fail(str(exc))
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2)
    elif fmt == "earl":
        from reports.earl import build_earl
        text = json.dumps(build_earl(data), ensure_ascii=False, indent=2)
    elif fmt == "csv":
        from reports.export import findings_csv
        text = findings_csv(data)
    elif fmt == "badge":
        from reports.graphics import badge_svg
        text = badge_svg(data["assessment"]["level"])
    else:
        from reports.html import render_html
        text = render_html(data)
    _emit(text, output)


@app.command()
def review(run: str = typer.Argument(..., help="Run id or 'latest'"),
           finding: Optional[int] = typer.Option(None, "--finding", help="The finding to decide (its id)"),
           confirm: bool = typer.Option(False, "--confirm", help="The finding's outcome stands"),
           override: Optional[str] = typer.Option(None, "--override",
                                                  help="Replace the outcome: passed, failed, cantTell or inapplicable"),
           reviewer: Optional[str] = typer.Option(None, "--reviewer", help="Who decides"),
           reason: Optional[str] = typer.Option(None, "--reason", help="Why"),
           model: Optional[Path] = ModelOpt,
           db: Optional[str] = DbOpt) -> None:
    """List what needs a person in a run, or record a decision on one finding.

    The finding stays as the check gave it; reports show the decision beside it and
    the assessment counts the decided outcome."""
    from reports.build import RunNotFound, resolve_run_id
    from storage.decisions import DecisionError, record_review, review_queue
    from storage.session import session_scope
    label_model = _model(model)
    try:
        with session_scope(db) as s:
            run_id = resolve_run_id(s, run)
            if finding is None:
                manual = [i.check for p in label_model.principles for i in p.indicators if i.manual]
                queue = review_queue(s, run_id, manual)
                table = Table(title=f"review queue of run {run_id} ({len(queue)})")
                for col in ("finding", "check", "outcome", "url", "message"):
                    table.add_column(col, overflow="fold")
                for q in queue:
                    table.add_row(str(q["id"]), q["check"], q["why"], q["url"] or "(site)", q["message"][:200])
                out.print(table)
                return
            if confirm == bool(override):
                _fail("give exactly one of --confirm or --override OUTCOME")
            r = record_review(s, run_id, finding, decision="confirm" if confirm else "override",
                              outcome=override, reviewer=reviewer or "", reason=reason or "")
            out.print(f"recorded: finding {finding} {r.decision} -> {r.outcome} by {r.reviewer}", highlight=False)
    except (RunNotFound, DecisionError) as exc:
        _fail(str(exc))


@app.command()
def explain(portal: str = typer.Argument(..., help="Portal id or name"),
            check: str = typer.Option(..., "--check", help="The failed indicator (check id)"),
            text: str = typer.Option(..., "--text", help="The city's explanation"),
            author: str = typer.Option(..., "--author", help="Who explains"),
            expires: str = typer.Option(..., "--expires", help="Shown in reports until this day, YYYY-MM-DD"),
            db: Optional[str] = DbOpt) -> None:
    """Comply or explain: attach a city's explanation to a failed indicator, until it expires."""
    from datetime import date as _date
    from storage.decisions import DecisionError, add_explanation
    from storage.session import session_scope
    try:
        until = _date.fromisoformat(expires)
    except ValueError:
        _fail(f"--expires must be a date like 2027-06-30, got {expires!r}")
    try:
        with session_scope(db) as s:
            rows = add_explanation(s, portal, check, text, author, until)
            out.print(f"explanation recorded for {len(rows)} portal row(s), shown until {until}", highlight=False)
    except DecisionError as exc:
        _fail(str(exc))


def _reports(db: str | None, run_ids: list[int], model, listed_only: bool = False):  # noqa: ANN001, ANN202
    from reports.build import build_report
    from storage.session import session_scope
    with session_scope(db) as s:
        return [build_report(s, rid, __version__, model, listed_only=listed_only) for rid in run_ids]


def _emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}", highlight=False)


@app.command()
def diff(run_a: str = typer.Argument(..., help="The earlier run (id)"),
         run_b: str = typer.Argument(..., help="The later run (id or 'latest')"),
         fmt: str = typer.Option("text", "--format", "-f", help="text, json or html"),
         output: Optional[Path] = typer.Option(None, "-o", "--output"),
         baseline: Optional[Path] = typer.Option(None, "--baseline", exists=True, dir_okay=False,
                                                 help="Known findings to ignore (citylabel baseline)"),
         model: Optional[Path] = ModelOpt,
         db: Optional[str] = DbOpt) -> None:
    """New failures, fixed failures, changed outcomes, score and level changes between two runs."""
    from reports.build import RunNotFound, resolve_run_id
    from reports.diff import GateError, diff_html, diff_reports, diff_text, load_baseline
    from storage.session import session_scope
    if fmt not in ("text", "json", "html"):
        _fail(f"unknown format {fmt!r}: use text, json or html")
    try:
        ignore = load_baseline(baseline) if baseline else set()
        with session_scope(db) as s:
            ids = [resolve_run_id(s, run_a), resolve_run_id(s, run_b)]
    except (RunNotFound, GateError) as exc:
        _fail(str(exc))
    a, b = _reports(db, ids, _model(model))
    d = diff_reports(a, b, ignore)
    _emit(json.dumps(d, ensure_ascii=False, indent=2) if fmt == "json" else diff_html(d) if fmt == "html"
          else diff_text(d), output)


@app.command()
def baseline(run: str = typer.Argument(..., help="Run id or 'latest'"),
             output: Path = typer.Option(..., "-o", "--output", help="The baseline file to write (JSON)"),
             db: Optional[str] = DbOpt) -> None:
    """Write the run's failed findings as a baseline: known findings --fail-on regression ignores."""
    from reports.build import RunNotFound, resolve_run_id
    from reports.diff import baseline_of
    from storage.session import session_scope
    try:
        with session_scope(db) as s:
            rid = resolve_run_id(s, run)
    except RunNotFound as exc:
        _fail(str(exc))
    [rep] = _reports(db, [rid], None)
    _emit(json.dumps(baseline_of(rep), ensure_ascii=False, indent=2), output)


@app.command()
def history(portal: str = typer.Argument(..., help="Portal id or name"),
            fmt: str = typer.Option("text", "--format", "-f", help="text, json or html"),
            output: Optional[Path] = typer.Option(None, "-o", "--output"),
            model: Optional[Path] = ModelOpt,
            db: Optional[str] = DbOpt) -> None:
    """The portal's runs over time: level and score per principle, with a trend chart (html)."""
    from sqlalchemy import select
    from storage.decisions import find_portal
    from storage.models import Run
    from storage.session import session_scope
    if fmt not in ("text", "json", "html"):
        _fail(f"unknown format {fmt!r}: use text, json or html")
    with session_scope(db) as s:
        portals = find_portal(s, portal)
        if not portals:
            _fail(f"no portal {portal!r}")
        ids = list(s.scalars(select(Run.id).where(Run.portal_id.in_([p.id for p in portals]),
                                                  Run.status == "finished").order_by(Run.started_at, Run.id)))
    reports = _reports(db, ids, _model(model))
    rows = [{"run": r["run"]["id"], "started_at": r["run"]["started_at"], "kind": r["run"]["kind"],
             "level": (r["assessment"]["level"] or {}).get("name"),
             "scores": {p["id"]: p["score"] for p in r["assessment"]["principles"]}} for r in reports]
    if fmt == "json":
        _emit(json.dumps({"portal": portal, "runs": rows}, ensure_ascii=False, indent=2), output)
    elif fmt == "html":
        from html import escape
        from reports.graphics import trend_chart_svg
        chart = trend_chart_svg([{"label": f"#{r['run']}", "scores": r["scores"]} for r in rows])
        body = "".join(f"<tr><td>{r['run']}</td><td>{escape(str(r['started_at']))}</td>"
                       f"<td>{escape(r['level'] or 'none')}</td></tr>" for r in rows)
        _emit("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>citylabel history: "
              f"{escape(portal)}</title><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
              f"</head><body><main><h1>History of {escape(portal)}</h1><figure><figcaption>Score per principle, "
              f"run by run</figcaption>{chart}</figure><table><thead><tr><th scope=\"col\">Run</th>"
              f"<th scope=\"col\">Started</th><th scope=\"col\">Level</th></tr></thead><tbody>{body}</tbody>"
              "</table></main></body></html>", output)
    else:
        ids_ = [p for p in (rows[0]["scores"] if rows else {})]
        table = Table(title=f"history of {portal}")
        for col in ("run", "started", "level", *ids_):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(str(r["run"]), str(r["started_at"])[:19], r["level"] or "none",
                          *["n/a" if r["scores"].get(i) is None else f"{r['scores'][i]:.0%}" for i in ids_])
        out.print(table)


@app.command()
def resume(run: str = typer.Argument(..., help="The run to continue (id or 'latest')"),
           allow_private: bool = typer.Option(False, "--allow-private", envvar="CITYLABEL_ALLOW_PRIVATE",
                                              help="As for audit"),
           db: Optional[str] = DbOpt,
           report_dir: Optional[Path] = typer.Option(None, "--report-dir"),
           quiet: bool = typer.Option(False, "--quiet", "-q")) -> None:
    """Continue a run that was killed or crashed (the same as `audit --resume RUN`)."""
    _resume(run, None, allow_private, db, report_dir, quiet)


def _resume(run: str, url: Optional[str], allow_private: bool, db: Optional[str],
            report_dir: Optional[Path], quiet: bool) -> None:
    """What it stored (pages, findings, archive) is kept and replayed offline; only what it
    had not fetched yet is fetched. The run's recorded settings are used, not new ones."""
    from citylabel.audit import RecheckError, resume_config, run_audits
    from reports.build import RunNotFound, resolve_run_id
    from storage.session import session_scope
    try:
        with session_scope(db) as s:
            run_id = resolve_run_id(s, run)
        cfg = resume_config(db, run_id, progress=not quiet)
    except (RunNotFound, RecheckError, ValueError) as exc:
        _fail(str(exc))
    if url is not None and url.rstrip("/") != cfg.start_url.rstrip("/"):
        _fail(f"run {run_id} audited {cfg.start_url}, not {url}")
    cfg.allow_private = cfg.allow_private or allow_private
    results = run_audits([cfg], log_level="WARNING")
    raise typer.Exit(_finish_runs(db, results, report_dir))


@app.command()
def recheck(run: str = typer.Argument(..., help="Run id or 'latest'"),
            db: Optional[str] = DbOpt,
            report_dir: Optional[Path] = typer.Option(None, "--report-dir")) -> None:
    """Judge a stored run again with today's checks, from its WARC, without network."""
    from citylabel.audit import RecheckError, recheck as do_recheck
    from reports.build import RunNotFound, resolve_run_id
    from storage.session import session_scope
    try:
        with session_scope(db) as s:
            run_id = resolve_run_id(s, run)
        result = do_recheck(db, run_id)
    except (RunNotFound, RecheckError) as exc:
        _fail(str(exc))
    err.print(f"run {result['run_id']} re-judged run {run_id}", highlight=False)
    raise typer.Exit(_finish_runs(db, [result], report_dir))


@checks_app.command("list")
def checks_list() -> None:
    """Show every installed check (built-in and plugins)."""
    from checks.registry import discover
    table = Table(title="checks (entry-point group citylabel.checks)")
    table.add_column("id", no_wrap=True)
    for col in ("scope", "principles", "version", "title", "options", "standard"):
        table.add_column(col, overflow="fold")
    for cid, cls in discover().items():
        m = cls.meta
        opts = ", ".join(f"{k}={v}" for k, v in m.options)
        table.add_row(cid, m.scope.value, ", ".join(m.principles), m.version, m.title, opts, m.standard)
    out.print(table)


@app.command()
def version() -> None:
    """Print the version."""
    out.print(__version__)


def main() -> None:
    app()


@portals_app.command("import")
def portals_import(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Portfolio (YAML or CSV)"),
                   db: Optional[str] = DbOpt) -> None:
    """Create or update portals from a portfolio file (name, country, nuts, lau, start_urls,
    also_hosts, languages, max_pages, schedule)."""
    from citylabel.portfolio import PortfolioError, import_portfolio, read_portfolio
    from storage.session import session_scope
    try:
        entries = read_portfolio(file)
    except PortfolioError as exc:
        _fail(str(exc))
    with session_scope(db) as s:
        created, updated = import_portfolio(s, entries)
    out.print(f"{len(entries)} portals: {created} created, {updated} updated", highlight=False)


@portals_app.command("list")
def portals_list(db: Optional[str] = DbOpt) -> None:
    """The portals in the database with their codes, budget and schedule."""
    from sqlalchemy import select
    from storage.models import Portal
    from storage.session import session_scope
    table = Table(title="portals")
    for col in ("id", "name", "country", "nuts", "lau", "start URL", "pages", "schedule", "last scheduled"):
        table.add_column(col, overflow="fold")
    with session_scope(db) as s:
        for p in s.scalars(select(Portal).order_by(Portal.id)):
            table.add_row(str(p.id), p.name, p.country or "", p.nuts or "", p.lau or "", p.start_url,
                          str(p.max_pages or ""), p.schedule or "", str(p.scheduled_at or "")[:19])
    out.print(table)


@app.command()
def schedule(max_parallel: int = typer.Option(2, "--max-parallel", min=1, help="Audits at once"),
             poll: float = typer.Option(30.0, "--poll", min=0.1, help="Seconds between passes"),
             once: bool = typer.Option(False, "--once", help="One pass, then exit (cron-driven setups)"),
             log_dir: Optional[Path] = typer.Option(None, "--log-dir", help="Each audit's output, per portal"),
             db: Optional[str] = DbOpt) -> None:
    """Run as a long-lived process: start the portfolio's due audits (cron schedules), several
    at once; after a restart it picks up where it left off, never starting a slot twice."""
    from citylabel.scheduler import Scheduler, subprocess_launcher
    sched = Scheduler(db, subprocess_launcher(db, log_dir), max_parallel=max_parallel)
    report = lambda line: err.print(f"[citylabel schedule] {line}", highlight=False)  # noqa: E731
    if once:
        for line in sched.tick():
            report(line)
        return
    report(f"watching the portfolio every {poll:g} s, up to {max_parallel} audits at once (Ctrl-C stops)")
    try:
        sched.run_forever(poll, report)
    except KeyboardInterrupt:
        report("stopped; running audits finish on their own")


@app.command()
def compare(group: str = typer.Argument(..., help="A country code (IT), a NUTS prefix (ITI1) or 'all'"),
            fmt: str = typer.Option("text", "--format", "-f", help="text, json or html"),
            output: Optional[Path] = typer.Option(None, "-o", "--output"),
            model: Optional[Path] = ModelOpt,
            db: Optional[str] = DbOpt) -> None:
    """Rank the portals of a group by level and principle scores (their latest finished run),
    with the quartiles of each principle: an observatory page."""
    from sqlalchemy import func, select
    from reports.compare import compare_html, rank_portals
    from storage.models import Portal, Run
    from storage.session import session_scope
    if fmt not in ("text", "json", "html"):
        _fail(f"unknown format {fmt!r}: use text, json or html")
    g = group.upper()
    with session_scope(db) as s:
        portals = [p for p in s.scalars(select(Portal)) if g == "ALL" or (p.country or "").upper() == g
                   or (p.nuts or "").upper().startswith(g)]
        latest: dict[str, int] = {}
        for p in portals:  # by name: a portal audited at several addresses is one portal
            rid = s.scalar(select(func.max(Run.id)).where(Run.portal_id == p.id, Run.status == "finished"))
            if rid and rid > latest.get(p.name, 0):
                latest[p.name] = rid
    if not latest:
        _fail(f"no audited portal in group {group!r}")
    data = rank_portals(_reports(db, sorted(latest.values()), _model(model)))
    if fmt == "json":
        _emit(json.dumps({"group": group, **data}, ensure_ascii=False, indent=2), output)
    elif fmt == "html":
        _emit(compare_html(group, data), output)
    else:
        pids = sorted(data["quartiles"])
        table = Table(title=f"observatory: {group}")
        for col in ("#", "portal", "level", *pids):
            table.add_column(col, overflow="fold")
        for r in data["portals"]:
            table.add_row(str(r["position"]), r["portal"], r["level"] or "none",
                          *["n/a" if r["scores"].get(p) is None else f"{r['scores'][p]:.0%}" for p in pids])
        out.print(table)


# -- distributed: a Redis queue of portals and workers -------------------------------
RedisOpt = typer.Option("redis://127.0.0.1:6379/0", "--redis", envvar="CITYLABEL_REDIS",
                        help="Redis URL of the portal queue")
QueueOpt = typer.Option("citylabel", "--queue", envvar="CITYLABEL_QUEUE",
                        help="Name of the queue (a Redis key prefix): several can share one Redis")


def _portal_queue(redis_url: str, prefix: str, **kwargs):  # noqa: ANN003, ANN202
    from citylabel.distributed import PortalQueue, QueueError
    try:
        return PortalQueue(redis_url, prefix, **kwargs)
    except QueueError as exc:
        _fail(str(exc))


def _job_specs(sources: list[str], name: Optional[str], country: Optional[str], max_pages: Optional[int],
               max_depth: Optional[int], browser_pages: Optional[int], delay: Optional[float]) -> list[dict]:
    """Job specs from URLs, portfolio files (YAML/CSV) and plain lists of URLs (one a line)."""
    from citylabel.config import AuditConfig
    from citylabel.portfolio import PortfolioError, read_portfolio
    specs: list[dict] = []
    for src in sources:
        if src.startswith(("http://", "https://")):
            specs.append({"start_url": src})
            continue
        path = Path(src)
        if not path.is_file():
            _fail(f"{src!r} is neither an http(s) URL nor a file")
        if path.suffix.lower() in (".yaml", ".yml", ".csv"):
            try:
                entries = read_portfolio(path)
            except PortfolioError as exc:
                _fail(str(exc))
            for e in entries:
                spec = {"start_url": e.start_urls[0], "name": e.name, "country": e.country,
                        "extra_start_urls": e.start_urls[1:], "also_hosts": e.also_hosts}
                if e.max_pages:
                    spec["max_pages"] = e.max_pages
                specs.append(spec)
        else:
            for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                line = line.split("#", 1)[0].strip()
                if line:
                    specs.append({"start_url": line, "_where": f"{path.name} line {n}"})
    if name is not None and len(specs) != 1:
        _fail("--name names one portal; give one URL with it")
    problems = []
    for spec in specs:
        where = spec.pop("_where", spec["start_url"])
        for key, value in (("name", name), ("country", country), ("max_pages", max_pages),
                           ("max_depth", max_depth), ("browser_pages", browser_pages), ("delay", delay)):
            if value is not None:
                spec[key] = value
        try:  # the same validation an audit applies, now rather than on a worker
            cfg = AuditConfig(**spec)
        except (TypeError, ValueError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        spec["start_url"] = cfg.start_url
        if cfg.country:
            spec["country"] = cfg.country
    if problems:
        _fail("\n".join(problems))
    if not specs:
        _fail("nothing to enqueue")
    return specs


@app.command()
def enqueue(sources: list[str] = typer.Argument(..., help="Portal URLs, portfolio files (YAML/CSV) "
                                                "or text files with one URL a line"),
            name: Optional[str] = typer.Option(None, help="Portal name (one URL only)"),
            country: Optional[str] = typer.Option(None, help="ISO 3166 country code for every portal"),
            max_pages: Optional[int] = typer.Option(None, "--max-pages", min=1, help="Page budget"),
            max_depth: Optional[int] = typer.Option(None, "--max-depth", min=0),
            browser_pages: Optional[int] = typer.Option(None, "--browser-pages", min=0),
            delay: Optional[float] = typer.Option(None, "--delay", min=0.0, help="As for audit"),
            redis_url: str = RedisOpt, queue: str = QueueOpt) -> None:
    """Put portals into the Redis queue that `citylabel worker` processes take them from.
    A portal already queued or being audited is not queued twice."""
    specs = _job_specs(sources, name, country, max_pages, max_depth, browser_pages, delay)
    q = _portal_queue(redis_url, queue)
    added = 0
    for spec, job_id, new in q.enqueue(specs):
        label = spec.get("name") or spec["start_url"]
        out.print(f"{'queued' if new else 'already queued or running'}: job {job_id} {label}", highlight=False)
        added += new
    c = q.counts()
    out.print(f"{added} of {len(specs)} portals queued; the queue holds {c['queued']} waiting, "
              f"{c['running']} running", highlight=False)


@app.command()
def worker(redis_url: str = RedisOpt, queue: str = QueueOpt,
           db: Optional[str] = DbOpt,
           allow_private: bool = typer.Option(False, "--allow-private", envvar="CITYLABEL_ALLOW_PRIVATE",
                                              help="As for audit"),
           max_jobs: Optional[int] = typer.Option(None, "--max-jobs", min=1, help="Stop after this many portals"),
           exit_when_idle: bool = typer.Option(False, "--exit-when-idle",
                                               help="Stop when nothing is queued or running"),
           lease: float = typer.Option(30.0, "--lease", min=1.0,
                                       help="Seconds without a sign of life before a job is taken over"),
           judge_in_process: bool = typer.Option(False, "--judge-in-process",
                                                 help="Judge in the crawl process (one core per worker)")) -> None:
    """Take portals from the Redis queue and audit them, one at a time, writing to --db
    (PostgreSQL when workers run on several machines). Run as many as you like; a portal
    whose worker dies is taken over and its run resumed."""
    from citylabel.worker import Worker, WorkerOptions
    from storage.session import resolve_url
    db_url = resolve_url(db)
    q = _portal_queue(redis_url, queue, lease_seconds=lease)
    w = Worker(q, WorkerOptions(db_url=db_url, allow_private=allow_private, judge_in_process=judge_in_process,
                                max_jobs=max_jobs, exit_when_idle=exit_when_idle),
               report=lambda line: err.print(f"[citylabel worker] {line}", highlight=False))
    w.run()


@app.command("queue")
def queue_status(redis_url: str = RedisOpt, queue: str = QueueOpt,
                 fmt: str = typer.Option("text", "--format", "-f", help="text or json")) -> None:
    """The portal queue: each job's state, worker, attempts and run."""
    q = _portal_queue(redis_url, queue)
    jobs = q.jobs()
    if fmt == "json":
        out.print_json(json.dumps({"counts": q.counts(), "jobs": jobs}))
        return
    table = Table(title=f"queue '{queue}'")
    for col in ("job", "state", "portal", "run", "attempts", "worker", "note"):
        table.add_column(col, overflow="fold")
    for j in jobs:
        note = j.get("error") or ""
        if j.get("pending_requests"):
            note = f"{j['pending_requests']} requests pending"
        if j.get("lost_by") and not note:
            note = f"taken over from {j['lost_by']}"
        table.add_row(j["id"], j["state"] or "", j["portal"] or "", str(j.get("run_id") or ""),
                      str(j["attempts"]), j.get("worker") or "", note)
    out.print(table)
    c = q.counts()
    out.print(f"{c['queued']} queued, {c['running']} running, {c['done']} done, {c['failed']} failed",
              highlight=False)
