"""RunRecorder: writes one run's pages and findings in batches.

Each batch is one transaction, so a crash loses at most the last unflushed
batch and never leaves a page without its findings. The run row is created
first (status ``running``) and closed last; a run still ``running`` after its
process died is visibly incomplete.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import func, or_, select

from storage.models import Finding, Page, Portal, Run, utcnow
from storage.session import data_dir, resolve_url, session_scope
from storage.warc import WarcStore, truncate_torn_tail

BATCH_PAGES = 50
BATCH_SECONDS = 2.0


def find_or_create_portal(session, name: str, start_url: str, country: str | None) -> Portal:  # noqa: ANN001
    portal = session.scalars(select(Portal).where(Portal.start_url == start_url,
                                                  Portal.name == name)).first()
    if portal is None:
        portal = Portal(name=name, start_url=start_url, country=country)
        session.add(portal)
        session.flush()
    elif country and portal.country != country:
        portal.country = country
    return portal


class RunRecorder:
    def __init__(self, db_url: str | None, *, portal_name: str, start_url: str,
                 country: str | None, settings: dict[str, Any], check_versions: dict[str, str],
                 tool_version: str, kind: str = "crawl", parent_run_id: int | None = None,
                 keep_warc: bool = True, warc_path: str | None = None,
                 resume_run_id: int | None = None) -> None:
        """``warc_path`` names an existing archive this run cites (a recheck
        re-judges its parent's archive) instead of writing a new one;
        ``resume_run_id`` continues a run that was killed (its rows and archive)."""
        self.db_url = resolve_url(db_url)
        self._pending: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        self._last_flush = time.monotonic()
        self.pages_written = 0
        self.data_dir = data_dir(self.db_url)
        if resume_run_id is not None:
            self._resume(resume_run_id)
            return
        with session_scope(self.db_url) as s:
            portal = find_or_create_portal(s, portal_name, start_url, country)
            run = Run(portal_id=portal.id, kind=kind, parent_run_id=parent_run_id,
                      status="running", tool_version=tool_version, settings=settings,
                      check_versions=check_versions, stats={})
            s.add(run)
            s.flush()
            self.run_id = run.id
            self.portal_id = portal.id
            warc = None
            if keep_warc:
                warc = data_dir(self.db_url) / f"run-{run.id}.warc.gz"
                run.warc_path = str(warc)
            elif warc_path:
                run.warc_path = warc_path
        self.warc = WarcStore(Path(warc)) if warc is not None else None

    def _resume(self, run_id: int) -> None:
        with session_scope(self.db_url) as s:
            run = s.get(Run, run_id)
            if run is None:
                raise ValueError(f"no run with id {run_id}")
            run.status = "running"
            self.run_id, self.portal_id = run.id, run.portal_id
            warc = run.warc_path
        if warc:
            truncate_torn_tail(Path(warc))  # the killed process may have left half a record
        self.warc = WarcStore(Path(warc)) if warc else None

    def archive(self, url: str, status: int, reason: str, headers: list[tuple[str, str]],
                body: bytes) -> str | None:
        """Keep the raw response; returns its WARC-Record-ID."""
        if self.warc is None:
            return None
        return self.warc.write(url, status, reason, headers, body)

    def add_page(self, page: dict[str, Any], findings: Iterable[dict[str, Any]]) -> None:
        self._pending.append((page, list(findings)))
        if (len(self._pending) >= BATCH_PAGES
                or time.monotonic() - self._last_flush >= BATCH_SECONDS):
            self.flush()

    def flush(self) -> None:
        if self.warc is not None:
            self.warc.flush()  # the evidence reaches the disk before the rows that cite it
        if not self._pending:
            self._last_flush = time.monotonic()
            return
        with session_scope(self.db_url) as s:
            for page, findings in self._pending:
                row = Page(run_id=self.run_id, **page)
                s.add(row)
                s.flush()
                s.add_all(_finding_row(self.run_id, row.id, f) for f in findings)
        self.pages_written += len(self._pending)
        self._pending.clear()
        self._last_flush = time.monotonic()

    def archive_metadata(self, url: str, content_type: str, payload: bytes) -> str | None:
        """Keep a gathered artifact (e.g. a browser rendering) beside the responses."""
        if self.warc is None:
            return None
        return self.warc.write_metadata(url, content_type, payload)

    def add_findings(self, url: str, findings: Iterable[dict[str, Any]]) -> None:
        """Findings about an already recorded page (e.g. from the browser), in one transaction."""
        findings = list(findings)
        if not findings:
            return
        with session_scope(self.db_url) as s:
            page_id = self.page_id(s, url)
            s.add_all(_finding_row(self.run_id, page_id, f) for f in findings)

    def page_id(self, session, url: str) -> int | None:  # noqa: ANN001
        """The first stored page of this run fetched (ok) at ``url``, as requested or
        after redirects. Asked of the database, for the few pages findings are added to
        later: a map of every URL to its row would grow with the crawl."""
        return session.scalar(select(func.min(Page.id)).where(
            Page.run_id == self.run_id, Page.fetch_status == "ok",
            or_(Page.url == url, Page.final_url == url)))

    def finish(self, status: str, stats: dict[str, Any],
               site_findings: Iterable[dict[str, Any]]) -> None:
        self.flush()
        with session_scope(self.db_url) as s:
            s.add_all(_finding_row(self.run_id, None, f) for f in site_findings)
            run = s.get(Run, self.run_id)
            run.status = status
            run.stats = stats
            run.finished_at = utcnow()
        if self.warc is not None:
            self.warc.close()


def _finding_row(run_id: int, page_id: int | None, f: dict[str, Any]) -> Finding:
    return Finding(run_id=run_id, page_id=page_id, check_id=f["check"],
                   check_version=f["check_version"], outcome=f["outcome"],
                   principles=f["principles"], url=f["url"], message=f["message"],
                   evidence=f["evidence"], details=f.get("details"))
