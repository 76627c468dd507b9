"""Running audits: Scrapy crawls feeding the judge stage, and offline rechecks."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from citylabel.config import AuditConfig
from crawler.spiders.portal import PortalSpider, run_opened

if TYPE_CHECKING:
    from storage.models import Portal

# The judge stage, the database and the archive are imported where they are used: a
# crawl's own process never judges (the stage runs in its own process), and these
# modules (SQLAlchemy, Alembic, every check) would add ~26 MiB to it for nothing.


def crawler_settings(log_level: str = "WARNING", overrides: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    for k, v in (overrides or {}).items():
        settings.set(k, v, priority="cmdline")
    return settings


def run_audits(configs: list[AuditConfig], log_level: str = "WARNING",
               overrides: dict[str, Any] | None = None,
               on_run: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """Crawl and judge each portal (concurrently, in one Twisted reactor).

    Returns, per config, ``{"run_id", "status", "stats"}``. The reactor can run
    only once per process: call this once, or from a fresh process. ``on_run`` is
    told each run's id as soon as the run exists (before anything is fetched).
    """
    process = CrawlerProcess(crawler_settings(log_level, overrides))
    crawlers = []
    for cfg in configs:
        crawler = process.create_crawler(PortalSpider)
        if on_run is not None:
            crawler.signals.connect(lambda run_id, **_: on_run(run_id), signal=run_opened, weak=False)
        process.crawl(crawler, config=cfg)
        crawlers.append(crawler)
    process.start()
    results = []
    for crawler, cfg in zip(crawlers, configs):
        spider = crawler.spider
        result = getattr(spider, "result", None) if spider is not None else None
        if result is None:
            result = {"run_id": getattr(spider, "run_id", None), "status": "failed", "stats": {}}
            _mark_failed(cfg.db_url, result["run_id"])
        results.append(result)
    return results


def _mark_failed(db_url: str | None, run_id: int | None) -> None:
    if run_id is None:
        return
    from storage.models import Run
    from storage.session import session_scope
    with session_scope(db_url) as s:
        run = s.get(Run, run_id)
        if run is not None and run.status == "running":
            run.status = "failed"


class RecheckError(RuntimeError):
    pass


def config_of_run(settings: dict[str, Any], portal: Portal, **overrides: Any) -> AuditConfig:
    """The AuditConfig a stored run was made with (its recorded settings), with overrides."""
    known = set(AuditConfig.__dataclass_fields__)
    args = {k: v for k, v in settings.items() if k in known}
    args.update(start_url=portal.start_url, name=portal.name, country=portal.country, **overrides)
    args["also_hosts"] = tuple(args.get("also_hosts") or ())
    return AuditConfig(**args)


def resume_config(db_url: str | None, run_id: int, progress: bool = True) -> AuditConfig:
    """The config to continue a run that did not finish (killed, crashed)."""
    from storage.models import Portal, Run
    from storage.session import resolve_url, session_scope
    db_url = resolve_url(db_url)
    with session_scope(db_url) as s:
        run = s.get(Run, run_id)
        if run is None:
            raise RecheckError(f"no run with id {run_id}")
        if run.status == "finished":
            raise RecheckError(f"run {run_id} finished; there is nothing to resume")
        if run.kind != "crawl" or not run.warc_path:
            raise RecheckError(f"run {run_id} is a {run.kind} without its own archive; it cannot be resumed")
        portal = s.get(Portal, run.portal_id)
        settings = dict(run.settings or {})
    return config_of_run(settings, portal, db_url=db_url, resume_run_id=run_id, progress=progress)


def recheck(db_url: str | None, run_id: int) -> dict[str, Any]:
    """Judge a stored run again with today's checks, from its WARC, offline.

    The result is a new run (kind ``recheck``) whose parent is the old one;
    the old run and its findings stay untouched.
    """
    from sqlalchemy import select

    from citylabel.browser_stage import BROWSER_ARTIFACT_TYPE, artifact_from_json, judge_rendered
    from citylabel.stage import JudgeStage
    from storage.models import Page, Portal, Run
    from storage.session import resolve_url, session_scope
    from storage.warc import read_metadata, read_responses
    db_url = resolve_url(db_url)
    with session_scope(db_url) as s:
        run = s.get(Run, run_id)
        if run is None:
            raise RecheckError(f"no run with id {run_id}")
        if not run.warc_path or not Path(run.warc_path).is_file():
            raise RecheckError(f"run {run_id} has no WARC archive at {run.warc_path!r}; "
                               "it cannot be re-judged without crawling again")
        portal = s.get(Portal, run.portal_id)
        pages = s.scalars(select(Page).where(Page.run_id == run_id).order_by(Page.id)).all()
        settings = dict(run.settings or {})
        stats = dict(run.stats or {})
        warc_path = run.warc_path
    config = config_of_run(settings, portal, db_url=db_url, keep_warc=False, judge_in_process=True,
                           progress=False)
    stored = {r.record_id: r for r in read_responses(Path(warc_path))}
    stage = JudgeStage(config, kind="recheck", parent_run_id=run_id, warc_path=warc_path)
    if stats.get("scheme_probe"):
        stage.handle({"kind": "probe", **stats["scheme_probe"]})
    stage.aux["security_txt"] = stats.get("security_txt")
    stage.aux["tls"] = stats.get("tls")
    home_url = (stats.get("home") or {}).get("url")
    for p in pages:
        payload: dict[str, Any] = {
            "kind": "page", "url": p.url, "final_url": p.final_url or p.url,
            "status": p.http_status, "depth": p.depth, "referrer": p.referrer,
            "home": p.url == home_url, "size": p.size, "error": p.error,
            "warc_record_id": p.warc_record_id, "content_type": p.content_type,
        }
        response = stored.get(p.warc_record_id) if p.warc_record_id else None
        if response is not None:
            payload.update(body=response.body, headers=list(response.headers.items()))
            if p.fetch_status not in ("ok", "duplicate"):
                payload["fetch_status"] = p.fetch_status
        else:
            payload["fetch_status"] = p.fetch_status
        stage.handle(payload, discover=False)
    # the browser renderings of the old run, re-judged without a browser
    stage.recorder.flush()
    rendered = 0
    for _url, data in read_metadata(Path(warc_path), BROWSER_ARTIFACT_TYPE):
        art = artifact_from_json(data)
        judge_rendered(stage, art)
        stage.rendered.append(art)
        rendered += 1
    stage.browser_stats = dict(stats.get("browser") or {}, rejudged_from_warc=rendered)
    return stage.finish("finished", {"rechecked_from": run_id,
                                     "pages_from_warc": sum(1 for p in pages if p.warc_record_id in stored)})
