"""Talking to the judge stage from the crawl process.

By default the stage lives in a separate process: Scrapy's engine is single-threaded
and CPU-bound at high page rates, and the machine's second core is idle, so parsing,
checks, WARC and database writes happen there. Calls are strictly ordered because
there is exactly one worker.

The worker is a fresh interpreter (so it never inherits the reactor's threads) fed
over two pipes: one call after another, each a pickled ``(function, args)``, answered
in order with a pickled ``(ok, value)``. Not a ProcessPoolExecutor: its spawned worker imports the parent's ``__main__`` (the CLI:
typer, rich) and it starts multiprocessing's resource tracker, a third Python process
of ~13 MiB, for what is one worker with strictly ordered calls.
"""
from __future__ import annotations

import asyncio
import json
import os
import pickle
import struct
import subprocess
import sys
import threading
import traceback
from collections import deque
from concurrent.futures import Future
from dataclasses import asdict
from typing import Any, BinaryIO

from citylabel.config import AuditConfig

_stage = None  # the JudgeStage inside the worker process
_HEADER = struct.Struct("!Q")


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


_CALLS = {"start": _start, "handle": _handle, "finish": _finish}


class JudgeProcessError(RuntimeError):
    """The judge process died, or could not send its answer."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in the judge process (its ``__cause__``)."""

    def __init__(self, tb: str) -> None:
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return f'\n"""\n{self.tb}"""'


def _send(out: BinaryIO, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_HEADER.pack(len(data)))
    out.write(data)
    out.flush()


def _receive(inp: BinaryIO) -> Any:
    """The next message, or EOFError when the other side closed its end."""
    header = inp.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(header)[0]
    data = inp.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def serve(fd_in: int, fd_out: int) -> None:
    """The worker's loop: calls in, answers out, until the crawl process closes its end."""
    with os.fdopen(fd_in, "rb") as inp, os.fdopen(fd_out, "wb") as out:
        while True:
            try:
                name, args = _receive(inp)
            except EOFError:
                return
            try:
                answer: tuple[bool, Any] = (True, _CALLS[name](*args))
            except BaseException as exc:  # noqa: BLE001 - delivered to the caller
                answer = (False, (exc, traceback.format_exc()))
            try:
                _send(out, answer)
            except Exception as exc:  # noqa: BLE001 - e.g. an exception that cannot be pickled
                _send(out, (False, (JudgeProcessError(f"{name}: cannot send the answer: {exc!r}"
                                                      f" ({answer[1]!r})"[:2000]), "")))


# The worker's first lines: the crawl process's import path (as multiprocessing's spawn
# gives its workers), then the loop.
_BOOT = ("import json, sys; sys.path[:] = json.loads(sys.argv[3]); "
         "from citylabel.judge_client import serve; serve(int(sys.argv[1]), int(sys.argv[2]))")


def _interpreter_flags() -> list[str]:
    try:  # -B, -X ... as the crawl process was started (what multiprocessing passes on too)
        return subprocess._args_from_interpreter_flags()  # type: ignore[attr-defined]
    except AttributeError:
        return []


class _Worker:
    """The judge process and the two threads that feed it and read its answers."""

    def __init__(self) -> None:
        call_r, call_w = os.pipe()
        answer_r, answer_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, *_interpreter_flags(), "-c", _BOOT, str(call_r), str(answer_w),
                 json.dumps(sys.path)],
                pass_fds=(call_r, answer_w), close_fds=True, stdin=subprocess.DEVNULL)
        finally:
            os.close(call_r)
            os.close(answer_w)
        self._out = os.fdopen(call_w, "wb")
        self._in = os.fdopen(answer_r, "rb")
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._calls: deque[tuple[str, tuple, Future] | None] = deque()  # not sent yet
        self._waiting: deque[Future] = deque()  # sent; answers come back in this order
        self._broken: BaseException | None = None
        # Pickling a page and writing it may block on a full pipe: never in the reactor.
        self._writer = threading.Thread(target=self._write, name="judge-calls", daemon=True)
        self._reader = threading.Thread(target=self._read, name="judge-answers", daemon=True)
        self._writer.start()
        self._reader.start()

    def submit(self, name: str, args: tuple) -> Future:
        fut: Future = Future()
        with self._lock:
            if self._broken is not None:
                fut.set_exception(JudgeProcessError(f"the judge process is gone: {self._broken}"))
                return fut
            self._calls.append((name, args, fut))
            self._wake.notify()
        return fut

    def _write(self) -> None:
        while True:
            with self._lock:
                while not self._calls:
                    self._wake.wait()
                call = self._calls.popleft()
            if call is None:
                break
            name, args, fut = call
            try:
                data = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - arguments that cannot be pickled: this call fails
                fut.set_exception(exc)
                continue
            with self._lock:
                if self._broken is not None:
                    fut.set_exception(JudgeProcessError(f"the judge process is gone: {self._broken}"))
                    continue
                self._waiting.append(fut)
            try:
                self._out.write(_HEADER.pack(len(data)))
                self._out.write(data)
                self._out.flush()
            except OSError as exc:  # the worker died
                self._fail(exc)
                break
        try:
            self._out.close()  # the worker's loop ends at EOF
        except OSError:
            pass

    def _read(self) -> None:
        while True:
            try:
                ok, value = _receive(self._in)
            except EOFError:
                break
            with self._lock:
                fut = self._waiting.popleft()
            if ok:
                fut.set_result(value)
            else:
                exc, tb = value
                if tb:
                    exc.__cause__ = RemoteTraceback(tb)
                fut.set_exception(exc)
        self._fail(JudgeProcessError(f"the judge process exited (code {self.proc.wait()})"))

    def _fail(self, exc: BaseException) -> None:
        """The worker is gone: every call sent or still to send fails."""
        if not isinstance(exc, JudgeProcessError):
            cause, exc = exc, JudgeProcessError(f"the judge process is gone: {exc!r}")
            exc.__cause__ = cause
        with self._lock:
            self._broken = self._broken or exc
            failed = list(self._waiting) + [c[2] for c in self._calls if c is not None]
            self._waiting.clear()
            self._calls = deque(c for c in self._calls if c is None)
        for fut in failed:
            if not fut.done():
                fut.set_exception(exc)

    def close(self) -> None:
        """Calls not sent yet are cancelled; the worker ends after the one it is doing."""
        with self._lock:
            for c in self._calls:
                if c is not None:
                    c[2].cancel()
            self._calls.clear()
            self._calls.append(None)
            self._wake.notify()
        self._writer.join()
        self.proc.wait()
        self._reader.join()
        self._in.close()


class JudgeClient:
    def __init__(self, config: AuditConfig) -> None:
        self.config = config
        self.in_process = config.judge_in_process
        self._worker: _Worker | None = None if self.in_process else _Worker()

    def _call(self, name: str, *args: Any) -> Future:
        if self._worker is not None:
            return self._worker.submit(name, args)
        fut: Future = Future()
        try:
            fut.set_result(_CALLS[name](*args))
        except BaseException as exc:  # noqa: BLE001 - delivered to the awaiting caller
            fut.set_exception(exc)
        return fut

    def start(self) -> int:
        """Create the run (blocking: nothing can be crawled before it exists)."""
        cfg = asdict(self.config)
        cfg["also_hosts"] = tuple(cfg["also_hosts"])
        return self._call("start", cfg).result()

    async def handle(self, payload: dict[str, Any]) -> dict[str, Any]:
        return await asyncio.wrap_future(self._call("handle", payload))

    def finish(self, status: str, crawl_stats: dict[str, Any]) -> dict[str, Any]:
        return self._call("finish", status, crawl_stats).result()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
