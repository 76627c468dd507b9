"""The Redis portal queue's rules, against a real redis-server (conftest): one live job per
portal, atomic take, leases renewed only by their holder, reaping, give-back, poison jobs."""
from __future__ import annotations

import time
import uuid

import pytest

from citylabel.distributed import PortalQueue, QueueError, portal_key


@pytest.fixture()
def queue(redis_url: str) -> PortalQueue:
    return PortalQueue(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}", lease_seconds=0.3, max_attempts=2)


def test_a_portal_is_queued_once_while_live(queue: PortalQueue) -> None:
    a = {"start_url": "https://www.comune.example.it/", "name": "Comune"}
    [(_, first, new)] = queue.enqueue([a])
    assert new
    [(_, again, new)] = queue.enqueue([{**a, "start_url": "https://WWW.comune.example.it/"}])
    assert again == first and not new
    # another name or address is another portal
    assert all(n for _, _, n in queue.enqueue([{**a, "name": "Other"}, {"start_url": "https://b.example/"}]))
    assert queue.counts() == {"queued": 3, "running": 0, "done": 0, "failed": 0}
    job = queue.take("w1")
    assert job.id == first and job.spec["name"] == "Comune" and job.attempts == 1
    assert queue.finish("w1", job.id, "done", {"run_id": 7})
    # once done, the portal can be queued again (next week's audit)
    [(_, third, new)] = queue.enqueue([a])
    assert new and third != first


def test_only_the_holder_renews_and_a_lapsed_lease_is_reaped(queue: PortalQueue) -> None:
    queue.enqueue([{"start_url": "https://a.example/"}, {"start_url": "https://b.example/"}])
    job = queue.take("w1")
    assert queue.renew("w1", job.id) and not queue.renew("w2", job.id)
    assert queue.reap() == []  # the lease is alive
    time.sleep(0.45)  # w1 died: no renewal
    assert queue.reap() == [job.id]
    assert not queue.renew("w1", job.id)  # too late: w1 must stop
    taken = queue.take("w2")
    assert taken.id == job.id and taken.attempts == 2  # back at the head of the queue
    row = next(j for j in queue.jobs() if j["id"] == job.id)
    assert row["state"] == "running" and row["worker"] == "w2" and row["lost_by"] == "w1"
    assert not queue.finish("w1", job.id, "done", {})  # the old holder cannot close it
    assert queue.finish("w2", job.id, "done", {"run_id": 1})


def test_a_job_that_keeps_killing_workers_fails(queue: PortalQueue) -> None:
    queue.enqueue([{"start_url": "https://poison.example/"}])
    for attempt in (1, 2):
        job = queue.take(f"w{attempt}")
        assert job.attempts == attempt
        time.sleep(0.45)
        assert queue.reap() == [job.id]
    assert queue.take("w3") is None
    [row] = queue.jobs()
    assert row["state"] == "failed" and "stopped renewing its lease 2 times" in row["error"]
    assert queue.counts()["failed"] == 1 and queue.idle()


def test_give_back_puts_the_job_first(queue: PortalQueue) -> None:
    queue.enqueue([{"start_url": "https://a.example/"}, {"start_url": "https://b.example/"}])
    job = queue.take("w1")
    assert queue.give_back("w1", job.id, "worker stopping")
    assert queue.take("w2").id == job.id


def test_portal_key_and_bad_redis() -> None:
    assert portal_key({"start_url": "https://X.example"}) == portal_key({"start_url": "https://x.example/"})
    with pytest.raises(QueueError, match="cannot reach Redis"):
        PortalQueue("redis://127.0.0.1:1/0")


def test_the_politeness_delay_reaches_scrapy() -> None:
    from scrapy.crawler import Crawler

    from citylabel.audit import crawler_settings
    from citylabel.config import AuditConfig
    from crawler.spiders.portal import PortalSpider
    for delay in (0.0, 2.5):
        crawler = Crawler(PortalSpider, crawler_settings())
        PortalSpider.from_crawler(crawler, config=AuditConfig(start_url="https://a.example/", delay=delay))
        assert crawler.settings.getfloat("AUTOTHROTTLE_START_DELAY") == delay
    with pytest.raises(ValueError, match="delay"):
        AuditConfig(start_url="https://a.example/", delay=-1)


def test_enqueue_checks_every_entry_before_queueing(redis_url: str, tmp_path) -> None:  # noqa: ANN001
    from tests.helpers import run_cli
    listing = tmp_path / "towns.txt"
    listing.write_text("https://a.example/\nnot-a-url\n")
    out = run_cli("enqueue", str(listing), "--redis", redis_url, "--queue", "bad", check=False)
    assert out.returncode == 2 and "towns.txt line 2" in out.stderr
    out = run_cli("enqueue", "https://a.example/", "https://b.example/", "--name", "X",
                  "--redis", redis_url, "--queue", "bad", check=False)
    assert out.returncode == 2 and "--name names one portal" in out.stderr
    assert PortalQueue(redis_url, "bad").counts()["queued"] == 0
    portfolio = tmp_path / "p.yaml"
    portfolio.write_text("portals:\n  - name: Comune di Prova\n    country: it\n"
                         "    start_urls: [https://www.prova.example.it/, https://servizi.prova.example.it/]\n"
                         "    max_pages: 80\n")
    out = run_cli("enqueue", str(portfolio), "--delay", "1", "--redis", redis_url, "--queue", "good")
    assert "1 of 1 portals queued" in out.stdout
    job = PortalQueue(redis_url, "good").take("w")
    assert job.spec == {"start_url": "https://www.prova.example.it/", "name": "Comune di Prova", "country": "IT",
                        "extra_start_urls": ["https://servizi.prova.example.it/"], "also_hosts": [],
                        "max_pages": 80, "delay": 1.0}


def test_a_worker_outlives_a_redis_outage() -> None:
    """Redis restarting must not kill the workers: they wait and go on."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from citylabel.worker import Worker, WorkerOptions

    class Flaky:
        url, prefix, lease_ms, max_attempts = "redis://x", "q", 3000, 3
        calls = 0

        def reap(self) -> list[str]:
            return []

        def take(self, worker: str):  # noqa: ANN201
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise RedisConnectionError("Connection refused")
            return None

        def idle(self) -> bool:
            return True

    lines: list[str] = []
    worker = Worker(Flaky(), WorkerOptions(db_url="sqlite://", exit_when_idle=True, poll_seconds=0.01),
                    report=lines.append)
    worker.opts.poll_seconds = 0.01
    assert worker.run() == 0
    assert Flaky.calls == 2 and any("Redis unavailable" in line for line in lines)
