"""Engine, sessions, and migrations applied on start.

The database is a SQLite file ``citylabel.db`` in the working directory unless
``--db`` or ``CITYLABEL_DB`` names another SQLAlchemy URL (PostgreSQL:
``postgresql+psycopg://user@host/db``).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

DEFAULT_DB = "sqlite:///citylabel.db"
MIGRATIONS = Path(__file__).parent / "migrations"


def resolve_url(url: str | None = None) -> str:
    return url or os.environ.get("CITYLABEL_DB") or DEFAULT_DB


def data_dir(url: str) -> Path:
    """Where WARC files go: beside a SQLite file, else ./citylabel-data."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        db = Path(parsed.database).resolve()
        return db.parent / f"{db.stem}-warc"
    return Path(os.environ.get("CITYLABEL_DATA", "citylabel-data")).resolve()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


MIGRATION_LOCK = 0x63_6C_61_62  # an arbitrary key for PostgreSQL's advisory lock ("clab")


def migrate(url: str) -> None:
    """Bring the schema to head. On PostgreSQL, under an advisory lock: several workers
    starting at once against a fresh database would otherwise race to create tables."""
    cfg = alembic_config(url)
    if make_url(url).get_backend_name() != "postgresql":
        command.upgrade(cfg, "head")
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            conn.commit()
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                conn.commit()
    finally:
        engine.dispose()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """An engine with the schema migrated to head (once per process and URL)."""
    kwargs = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            # WAL: readers (reports) never block the writer during a crawl.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
    migrate(url)
    return engine


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A transaction: committed on success, rolled back on error."""
    factory = sessionmaker(engine_for(resolve_url(url)), expire_on_commit=False, autoflush=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
