"""`citylabel worker`: takes portals from the Redis queue and audits them, one at a time.

Each job runs in a child process (forked after the heavy imports, so a job
starts in a fraction of a second; the reactor is fresh in every child, and a
portal that exhausts memory takes only its own process down). The crawl is
scheduled by scrapy-redis: the job's request queue and request fingerprints
live in Redis under the job's keys, not in the worker's memory. Pages,
findings and the WARC are written by the judge stage as in any audit, to the
database the worker names (PostgreSQL when workers run on several machines).

While the child works, the worker renews the job's lease. If the worker dies,
the lease runs out, another worker puts the job back and takes it, and the
job's run is *resumed*: the run is found in the database by the job id it
records, its stored pages and archive are replayed offline, and only what it
had not fetched is fetched (the archive must be readable on the new worker's
machine: shared storage; otherwise the old run is marked ``abandoned`` and the
portal is audited afresh). A job whose run already finished is closed without
crawling again, so a portal is never reported twice.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from redis.exceptions import RedisError

from citylabel.distributed import JOB_FIELDS, Job, PortalQueue, new_worker_id
from citylabel.judge_client import die_with_parent

@dataclass
class WorkerOptions:
    db_url: str
    allow_private: bool = False
    judge_in_process: bool = False
    max_jobs: int | None = None  # stop after this many jobs
    exit_when_idle: bool = False  # stop when nothing is queued or held
    poll_seconds: float = 1.0
    renew_seconds: float | None = None  # default: a third of the lease


def job_config(job: Job, opts: WorkerOptions):  # noqa: ANN201 - AuditConfig | None
    """The audit to run for a job: a new run, the job's unfinished run resumed, or None when
    the job's run already finished (its worker died between the end and telling Redis)."""
    from sqlalchemy import select

    from citylabel.audit import resume_config
    from citylabel.config import AuditConfig
    from storage.models import Portal, Run
    from storage.session import session_scope
    db_url = opts.db_url
    spec = {k: v for k, v in job.spec.items() if k in JOB_FIELDS}
    with session_scope(db_url) as s:
        earlier = [r for r in s.scalars(
            select(Run).join(Portal, Run.portal_id == Portal.id)
            .where(Portal.start_url == _normal_start(spec["start_url"]), Run.kind == "crawl")
            .order_by(Run.id))
            if ((r.settings or {}).get("extra") or {}).get("job") == job.id]
        finished = [r for r in earlier if r.status == "finished"]
        if finished:
            return None, finished[-1].id
        live = [r for r in earlier if r.status != "abandoned"]
        if live:
            run = live[-1]
            if run.warc_path and Path(run.warc_path).is_file():
                cfg = resume_config(db_url, run.id, progress=False)
                cfg.allow_private = cfg.allow_private or opts.allow_private
                cfg.judge_in_process = opts.judge_in_process
                return cfg, run.id
            for r in live:  # its archive is on another machine: start again, keep the row visible
                r.status = "abandoned"
                r.stats = dict(r.stats or {}, abandoned=f"archive {r.warc_path} not readable on "
                                                         f"{os.uname().nodename}; audited again")
    extra = dict(spec.pop("extra", None) or {}, job=job.id)
    cfg = AuditConfig(**spec, extra=extra, db_url=db_url, progress=False,
                      allow_private=opts.allow_private,
                      judge_in_process=opts.judge_in_process)
    return cfg, None


def _normal_start(url: str) -> str:
    from citylabel.config import AuditConfig
    return AuditConfig(start_url=url).start_url


def crawl_settings(queue: PortalQueue, job_id: str) -> dict[str, Any]:
    """Scrapy settings that put the job's crawl on scrapy-redis."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": queue.crawl_key(job_id, "requests"),
        "SCHEDULER_DUPEFILTER_KEY": queue.crawl_key(job_id, "dupefilter"),
        "SCHEDULER_PERSIST": True,
        # The run in the database (and its archive) is the record of what was fetched; a
        # resumed job's replay yields exactly what is left, including requests that were
        # in flight when the last worker died, which the persisted queue no longer holds.
        "SCHEDULER_FLUSH_ON_START": True,
        "REDIS_URL": queue.url,
    }


def run_job(job: Job, queue_url: str, prefix: str, opts: WorkerOptions, conn) -> None:  # noqa: ANN001
    """The child process: audit one portal and send back {"run_id", "status", ...}."""
    die_with_parent()  # killed with the worker, so no orphan crawls while another worker resumes
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    import warnings

    from scrapy.exceptions import ScrapyDeprecationWarning

    from citylabel.audit import run_audits
    # scrapy-redis 0.9.1 passes spider= to the stats collector, which Scrapy 2.19 deprecates
    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")
    queue = PortalQueue(queue_url, prefix)
    cfg, run_id = job_config(job, opts)
    if cfg is None:
        conn.send({"run_id": run_id, "status": "finished", "note": "already finished"})
        return
    if run_id is not None:
        queue.set_run(job.id, run_id)
    results = run_audits([cfg], overrides=crawl_settings(queue, job.id),
                         on_run=lambda rid: queue.set_run(job.id, rid))
    res = results[0]
    conn.send({"run_id": res.get("run_id"), "status": res.get("status"),
               "resumed": run_id is not None,
               "pages": (res.get("stats") or {}).get("pages")})


class Worker:
    def __init__(self, queue: PortalQueue, opts: WorkerOptions,
                 report: Callable[[str], None] = print) -> None:
        self.queue = queue
        self.opts = opts
        self.id = new_worker_id()
        self.report = report
        self.stopping = False
        self.jobs_done = 0
        self.renew_every = opts.renew_seconds or max(queue.lease_ms / 3000, 0.2)

    def _stop(self, signum: int, _frame: Any) -> None:  # noqa: ANN401
        self.stopping = True
        self.report(f"worker {self.id}: stopping ({signal.Signals(signum).name}); "
                    "a job in progress goes back to the queue")

    def run(self) -> int:
        """Take and audit jobs until stopped; returns how many jobs this worker ended."""
        import citylabel.audit  # noqa: F401 - loaded once, before forking jobs
        import citylabel.stage  # noqa: F401
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            return self._loop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _loop(self) -> int:
        self.report(f"worker {self.id}: taking portals from {self.queue.url} "
                    f"(queue '{self.queue.prefix}'), writing to {_safe_db(self.opts.db_url)}")
        while not self.stopping:
            try:
                for job_id in self.queue.reap():
                    self.report(f"worker {self.id}: job {job_id} lost its worker; queued again")
                job = self.queue.take(self.id)
                done = job is None and self.opts.exit_when_idle and self.queue.idle()
            except RedisError as exc:  # Redis restarting, a network blip: wait, do not die
                self.report(f"worker {self.id}: Redis unavailable ({exc}); retrying")
                time.sleep(max(self.opts.poll_seconds, 2.0))
                continue
            if done:
                break
            if job is None:
                time.sleep(self.opts.poll_seconds)
                continue
            self.work(job)
            if self.opts.max_jobs is not None and self.jobs_done >= self.opts.max_jobs:
                break
        self.report(f"worker {self.id}: stopped after {self.jobs_done} job(s)")
        return self.jobs_done

    def work(self, job: Job) -> None:
        name = job.spec.get("name") or job.spec["start_url"]
        self.report(f"worker {self.id}: job {job.id} {name} (attempt {job.attempts})")
        ctx = multiprocessing.get_context("fork")
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=run_job, args=(job, self.queue.url, self.queue.prefix, self.opts, send),
                           name=f"citylabel-job-{job.id}")
        proc.start()
        send.close()
        lost = False
        renewed = held = time.monotonic()  # last renewal tried; last one Redis confirmed
        while proc.is_alive():
            proc.join(0.2)  # short waits: a stop signal is acted on at once
            if self.stopping:
                proc.terminate()  # Scrapy closes the run as "interrupted"; it is resumed later
                proc.join(30)
                if proc.is_alive():
                    proc.kill()
                    proc.join()
                break
            if time.monotonic() - renewed >= self.renew_every:
                renewed = time.monotonic()
                try:
                    gone = not self.queue.renew(self.id, job.id)
                    held = renewed if not gone else held
                except RedisError as exc:
                    self.report(f"worker {self.id}: cannot renew job {job.id}'s lease ({exc})")
                    # unknown while Redis is away; once the lease must have run out, another
                    # worker may have the job: stop
                    gone = time.monotonic() - held > self.queue.lease_ms / 1000
                if gone:
                    lost = True  # another worker took the job over: stop writing at once
                    proc.kill()
                    proc.join()
                    break
        result = recv.recv() if not lost and recv.poll() else None
        recv.close()
        if lost:
            self.report(f"worker {self.id}: job {job.id} lost its lease; left to the worker that takes it")
            return
        try:
            self._close(job, name, result, proc.exitcode)
        except RedisError as exc:  # the lease runs out; the next worker finds the run finished
            self.report(f"worker {self.id}: cannot record the end of job {job.id} ({exc})")

    def _close(self, job: Job, name: str, result: dict[str, Any] | None, exitcode: int | None) -> None:
        if result is not None and result.get("status") == "finished":
            self.queue.finish(self.id, job.id, "done", result)
            self.jobs_done += 1
            self.report(f"worker {self.id}: job {job.id} {name}: run {result['run_id']} finished"
                        + (" (resumed)" if result.get("resumed") else ""))
            return
        reason = (f"run {result.get('run_id')} ended {result.get('status')}" if result
                  else f"the job's process exited with code {exitcode}")
        if self.stopping or job.attempts < self.queue.max_attempts:
            self.queue.give_back(self.id, job.id, reason)
            self.report(f"worker {self.id}: job {job.id} {name}: {reason}; queued again")
        else:
            self.queue.finish(self.id, job.id, "failed", {"error": reason, **(result or {})})
            self.jobs_done += 1
            self.report(f"worker {self.id}: job {job.id} {name}: {reason}; failed after "
                        f"{job.attempts} attempts")


def _safe_db(url: str) -> str:
    """The database URL without its password, for logs."""
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "the database"
