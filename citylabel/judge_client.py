"""Talking to the judge stage from the crawl process.

By default the stage lives in a separate process (one worker, spawned, so it
never inherits the reactor's threads): Scrapy's engine is single-threaded and
CPU-bound at high page rates, and the machine's second core is idle, so
parsing, checks, WARC and database writes happen there. Calls are strictly
ordered because there is exactly one worker.
"""
from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict
from typing import Any

from citylabel.config import AuditConfig

_stage = None  # the JudgeStage inside the worker process


def _start(config: dict[str, Any]) -> int:
    global _stage
    die_with_parent()
    from citylabel.stage import JudgeStage  # imported in the worker only
    _stage = JudgeStage(AuditConfig(**config))
    return _stage.run_id


def _handle(payload: dict[str, Any]) -> dict[str, Any]:
    return _stage.handle(payload)


def _finish(status: str, crawl_stats: dict[str, Any]) -> dict[str, Any]:
    return _stage.finish(status, crawl_stats)


def die_with_parent() -> None:
    """Linux: the judge process is killed when the crawl process dies, even by kill -9, so a
    resumed run never has an orphaned judge still writing beside it."""
    import ctypes
    import signal
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class JudgeClient:
    def __init__(self, config: AuditConfig) -> None:
        self.config = config
        self.in_process = config.judge_in_process
        self._pool: ProcessPoolExecutor | None = None
        if not self.in_process:
            self._pool = ProcessPoolExecutor(max_workers=1,
                                             mp_context=multiprocessing.get_context("spawn"))

    def _call(self, fn, *args) -> Future:  # noqa: ANN001
        if self._pool is not None:
            return self._pool.submit(fn, *args)
        fut: Future = Future()
        try:
            fut.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - delivered to the awaiting caller
            fut.set_exception(exc)
        return fut

    def start(self) -> int:
        """Create the run (blocking: nothing can be crawled before it exists)."""
        cfg = asdict(self.config)
        cfg["also_hosts"] = tuple(cfg["also_hosts"])
        return self._call(_start, cfg).result()

    async def handle(self, payload: dict[str, Any]) -> dict[str, Any]:
        return await asyncio.wrap_future(self._call(_handle, payload))

    def finish(self, status: str, crawl_stats: dict[str, Any]) -> dict[str, Any]:
        return self._call(_finish, status, crawl_stats).result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
