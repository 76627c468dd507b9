"""Shared fixtures: real PostgreSQL and Redis servers started for the session."""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.services import ServiceMissing, postgres_server, redis_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL cluster on 127.0.0.1; `make test` installs the server."""
    try:
        with postgres_server() as url:
            yield url
    except ServiceMissing as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throw-away redis-server on 127.0.0.1 (no persistence); `make test` installs it."""
    try:
        with redis_server() as url:
            yield url
    except ServiceMissing as exc:
        pytest.fail(str(exc))
