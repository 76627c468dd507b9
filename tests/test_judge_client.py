"""The judge process: calls answered in order, exceptions delivered with the worker's
traceback, and a worker that dies fails its calls instead of hanging the crawl."""
from __future__ import annotations

import signal

import pytest

from citylabel.judge_client import JudgeProcessError, RemoteTraceback, _Worker


def test_exceptions_come_back_with_the_workers_traceback() -> None:
    worker = _Worker()
    try:
        fut = worker.submit("handle", ({"kind": "tls"},))  # no stage started: the worker raises
        with pytest.raises(AttributeError) as info:
            fut.result(timeout=60)
        assert isinstance(info.value.__cause__, RemoteTraceback)
        assert "_handle" in info.value.__cause__.tb
        # the worker goes on: later calls are answered, in order
        futures = [worker.submit("handle", ({},)) for _ in range(20)]
        assert all(isinstance(f.exception(timeout=60), AttributeError) for f in futures)
    finally:
        worker.close()
    assert worker.proc.returncode == 0


def test_a_dead_worker_fails_its_calls() -> None:
    worker = _Worker()
    worker.proc.send_signal(signal.SIGKILL)
    worker.proc.wait()
    with pytest.raises(JudgeProcessError):
        worker.submit("handle", ({},)).result(timeout=60)
    with pytest.raises(JudgeProcessError):
        worker.submit("handle", ({},)).result(timeout=60)
    worker.close()


def test_arguments_that_cannot_be_pickled_fail_only_their_call() -> None:
    worker = _Worker()
    try:
        bad = worker.submit("handle", (lambda: None,))
        with pytest.raises(Exception):  # noqa: B017 - pickle's own error
            bad.result(timeout=60)
        assert isinstance(worker.submit("handle", ({},)).exception(timeout=60), AttributeError)
    finally:
        worker.close()
