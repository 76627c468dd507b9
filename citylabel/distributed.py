"""The portal queue in Redis: what `citylabel enqueue` fills and `citylabel worker` empties.

A portal is one job. Jobs move between Redis structures only inside Lua scripts,
so each step is atomic however many workers run, on however many machines:

    {p}:queue            LIST  job ids waiting, oldest first
    {p}:taken            LIST  job ids a worker holds
    {p}:lease:{id}       STR   the holding worker's id, with a time to live
    {p}:job:{id}         HASH  spec (JSON), state, worker, attempts, run_id, result...
    {p}:portal:{key}     STR   the job id queued or running for a portal (one at a time)
    {p}:done             LIST  finished and failed job ids, newest last
    {p}:job:{id}:requests / :dupefilter
                               scrapy-redis's request queue and fingerprints of the job's crawl

A worker renews its lease while it works; a worker that dies stops renewing,
and the next worker to look (`reap`) puts the job back at the head of the
queue, where it is taken again and continues the same run (see
`citylabel.worker`). A job taken `max_attempts` times without finishing is
marked failed instead of looping forever.

This is the reliable-queue pattern Redis documents for LMOVE; the crawl itself
is scheduled by scrapy-redis, not by this module.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import urlsplit

DEFAULT_PREFIX = "citylabel"
LEASE_SECONDS = 30
MAX_ATTEMPTS = 3

# KEYS: queue, taken; ARGV: prefix, worker, lease ms, now
_TAKE = """
local id = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
if not id then return false end
redis.call('SET', ARGV[1] .. ':lease:' .. id, ARGV[2], 'PX', ARGV[3])
local job = ARGV[1] .. ':job:' .. id
redis.call('HSET', job, 'state', 'running', 'worker', ARGV[2], 'taken_at', ARGV[4])
redis.call('HINCRBY', job, 'attempts', 1)
return id
"""

# KEYS: queue, taken, done; ARGV: prefix, max attempts, now
_REAP = """
local back = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  if redis.call('EXISTS', ARGV[1] .. ':lease:' .. id) == 0 then
    local job = ARGV[1] .. ':job:' .. id
    redis.call('LREM', KEYS[2], 0, id)
    local attempts = tonumber(redis.call('HGET', job, 'attempts') or '0')
    local lost = redis.call('HGET', job, 'worker') or ''
    if attempts >= tonumber(ARGV[2]) then
      redis.call('HSET', job, 'state', 'failed', 'finished_at', ARGV[3],
                 'error', 'its worker (' .. lost .. ') stopped renewing its lease ' .. attempts .. ' times')
      redis.call('DEL', ARGV[1] .. ':portal:' .. redis.call('HGET', job, 'portal'))
      redis.call('RPUSH', KEYS[3], id)
    else
      redis.call('HSET', job, 'state', 'queued', 'lost_by', lost)
      redis.call('LPUSH', KEYS[1], id)
    end
    table.insert(back, id)
  end
end
return back
"""

# KEYS: lease; ARGV: worker, lease ms
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

# KEYS: lease, taken, done, job, portal, queue; ARGV: worker, id, state, now, result JSON, requeue (1/0)
_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('LREM', KEYS[2], 0, ARGV[2])
if ARGV[6] == '1' then
  redis.call('HSET', KEYS[4], 'state', 'queued', 'error', ARGV[5])
  redis.call('LPUSH', KEYS[6], ARGV[2])
  return 1
end
redis.call('HSET', KEYS[4], 'state', ARGV[3], 'finished_at', ARGV[4], 'result', ARGV[5])
redis.call('DEL', KEYS[5])
redis.call('RPUSH', KEYS[3], ARGV[2])
return 1
"""

# KEYS: portal, queue; ARGV: prefix, id, spec, now, portal key
_ENQUEUE = """
local have = redis.call('GET', KEYS[1])
if have then return have end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('HSET', ARGV[1] .. ':job:' .. ARGV[2], 'spec', ARGV[3], 'state', 'queued',
           'attempts', 0, 'enqueued_at', ARGV[4], 'portal', ARGV[5])
redis.call('RPUSH', KEYS[2], ARGV[2])
return ARGV[2]
"""


# What a job may set of an audit; where to write and whether private addresses may be
# fetched are the worker's decisions, not the queue's.
JOB_FIELDS = ("start_url", "name", "country", "also_hosts", "extra_start_urls", "max_pages", "max_depth",
              "enable_checks", "disable_checks", "check_options", "browser_pages", "as_of",
              "contact_url", "user_agent", "obey_robots", "download_timeout", "delay", "extra")


class QueueError(RuntimeError):
    """Redis cannot be reached, or a job cannot be read."""


@dataclass
class Job:
    id: str
    spec: dict[str, Any]  # AuditConfig fields: start_url, name, country, max_pages...
    attempts: int
    run_id: int | None = None


def portal_key(spec: dict[str, Any]) -> str:
    """One live job per portal: its name and start URL (case-folded host)."""
    parts = urlsplit(spec["start_url"])
    name = (spec.get("name") or parts.hostname or "").strip().lower()
    return f"{name}|{parts.scheme}://{(parts.netloc or '').lower()}{parts.path or '/'}"


class PortalQueue:
    def __init__(self, redis_url: str, prefix: str = DEFAULT_PREFIX,
                 lease_seconds: float = LEASE_SECONDS, max_attempts: int = MAX_ATTEMPTS) -> None:
        import redis
        self.url = redis_url
        self.prefix = prefix
        self.lease_ms = int(lease_seconds * 1000)
        self.max_attempts = max_attempts
        try:
            self.r = redis.Redis.from_url(redis_url, decode_responses=True,
                                          socket_timeout=30, socket_connect_timeout=10)
            self.r.ping()
        except (redis.RedisError, ValueError) as exc:
            raise QueueError(f"cannot reach Redis at {redis_url}: {exc}") from None
        self._take = self.r.register_script(_TAKE)
        self._reap = self.r.register_script(_REAP)
        self._renew = self.r.register_script(_RENEW)
        self._release = self.r.register_script(_RELEASE)
        self._enqueue = self.r.register_script(_ENQUEUE)

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- filling ---------------------------------------------------------------
    def enqueue(self, specs: Iterable[dict[str, Any]]) -> list[tuple[dict[str, Any], str, bool]]:
        """Queue each portal unless a job for it is already queued or running.
        Returns (spec, job id, newly queued) per spec."""
        out = []
        for spec in specs:
            pkey = portal_key(spec)
            new_id = uuid.uuid4().hex[:12]
            got = self._enqueue(keys=[self.key("portal", pkey), self.key("queue")],
                                args=[self.prefix, new_id, json.dumps(spec), _now(), pkey])
            out.append((spec, got, got == new_id))
        return out

    # -- working ---------------------------------------------------------------
    def take(self, worker: str) -> Job | None:
        job_id = self._take(keys=[self.key("queue"), self.key("taken")],
                            args=[self.prefix, worker, self.lease_ms, _now()])
        return self.job(job_id) if job_id else None

    def renew(self, worker: str, job_id: str) -> bool:
        """Extend the lease; False when the worker no longer holds it (another took over)."""
        return bool(self._renew(keys=[self.key("lease", job_id)], args=[worker, self.lease_ms]))

    def reap(self) -> list[str]:
        """Put back the jobs whose worker stopped renewing its lease (died, cut off)."""
        return list(self._reap(keys=[self.key("queue"), self.key("taken"), self.key("done")],
                               args=[self.prefix, self.max_attempts, _now()]))

    def finish(self, worker: str, job_id: str, state: str, result: dict[str, Any]) -> bool:
        """Record the end of a job (``done`` or ``failed``) if the worker still holds it."""
        ok = self._release_job(worker, job_id, state, result, requeue=False)
        if ok:
            self.drop_crawl_state(job_id)
        return ok

    def give_back(self, worker: str, job_id: str, reason: str) -> bool:
        """Return a held job to the head of the queue (the worker is stopping)."""
        return self._release_job(worker, job_id, "queued", {"error": reason}, requeue=True)

    def _release_job(self, worker: str, job_id: str, state: str, result: dict[str, Any],
                     requeue: bool) -> bool:
        job = self.r.hgetall(self.key("job", job_id))
        keys = [self.key("lease", job_id), self.key("taken"), self.key("done"),
                self.key("job", job_id), self.key("portal", job.get("portal", "")), self.key("queue")]
        payload = result.get("error", "") if requeue else json.dumps(result)
        return bool(self._release(keys=keys, args=[worker, job_id, state, _now(), payload,
                                                   "1" if requeue else "0"]))

    def set_run(self, job_id: str, run_id: int) -> None:
        self.r.hset(self.key("job", job_id), "run_id", run_id)

    def drop_crawl_state(self, job_id: str) -> None:
        self.r.delete(self.crawl_key(job_id, "requests"), self.crawl_key(job_id, "dupefilter"))

    def crawl_key(self, job_id: str, what: str) -> str:
        return self.key("job", job_id, what)

    # -- reading ---------------------------------------------------------------
    def job(self, job_id: str) -> Job:
        h = self.r.hgetall(self.key("job", job_id))
        if not h or "spec" not in h:
            raise QueueError(f"job {job_id} has no record in Redis")
        return Job(id=job_id, spec=json.loads(h["spec"]), attempts=int(h.get("attempts", 0)),
                   run_id=int(h["run_id"]) if h.get("run_id") else None)

    def counts(self) -> dict[str, int]:
        done = self.r.lrange(self.key("done"), 0, -1)
        pipe = self.r.pipeline(transaction=False)  # one round trip, however many jobs ended
        for i in done:
            pipe.hget(self.key("job", i), "state")
        states = pipe.execute()
        return {"queued": self.r.llen(self.key("queue")), "running": self.r.llen(self.key("taken")),
                "done": states.count("done"), "failed": states.count("failed")}

    def jobs(self) -> list[dict[str, Any]]:
        """Every job the queue knows, running first, then queued, then ended."""
        ids = [*self.r.lrange(self.key("taken"), 0, -1), *self.r.lrange(self.key("queue"), 0, -1),
               *reversed(self.r.lrange(self.key("done"), 0, -1))]
        rows = []
        for i in ids:
            h = self.r.hgetall(self.key("job", i))
            if not h:
                continue
            spec = json.loads(h.get("spec", "{}"))
            row = {"id": i, "state": h.get("state"), "portal": spec.get("name") or spec.get("start_url"),
                   "start_url": spec.get("start_url"), "worker": h.get("worker"),
                   "attempts": int(h.get("attempts", 0)), "run_id": h.get("run_id"),
                   "error": h.get("error"), "lost_by": h.get("lost_by")}
            if h.get("result"):
                row["result"] = json.loads(h["result"])
            if row["state"] == "running":
                row["pending_requests"] = self.r.zcard(self.crawl_key(i, "requests"))
            rows.append(row)
        return rows

    def idle(self) -> bool:
        """Nothing queued and nothing held."""
        return self.r.llen(self.key("queue")) == 0 and self.r.llen(self.key("taken")) == 0


def new_worker_id() -> str:
    import os
    import socket
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _now() -> str:
    return f"{time.time():.3f}"
