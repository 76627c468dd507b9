"""SQLAlchemy 2 models. Narrow tables (a finding per row) so a new check never
needs a migration, unlike a wide one-row-per-site design."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Portal(Base):
    __tablename__ = "portal"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    start_url: Mapped[str] = mapped_column(String(2048))
    country: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # from a portfolio file (citylabel portals import): where it is, how and when to audit it
    nuts: Mapped[str | None] = mapped_column(String(16))         # NUTS region code, e.g. ITI19
    lau: Mapped[str | None] = mapped_column(String(32))          # local administrative unit code
    languages: Mapped[list[str] | None] = mapped_column(JSON)
    also_hosts: Mapped[list[str] | None] = mapped_column(JSON)
    extra_start_urls: Mapped[list[str] | None] = mapped_column(JSON)
    max_pages: Mapped[int | None] = mapped_column(Integer)
    schedule: Mapped[str | None] = mapped_column(String(100))    # a cron expression
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # last audit the scheduler started
    runs: Mapped[list["Run"]] = relationship(back_populates="portal")


class Run(Base):
    __tablename__ = "run"
    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("portal.id"), index=True)
    parent_run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id"))
    kind: Mapped[str] = mapped_column(String(16), default="crawl")  # crawl | recheck
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    tool_version: Mapped[str] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    check_versions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    warc_path: Mapped[str | None] = mapped_column(String(1024))
    portal: Mapped[Portal] = relationship(back_populates="runs")


class Page(Base):
    __tablename__ = "page"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    # ok | redirect | http-error | blocked | fetch-error | timeout | dns-error | tls-error |
    # connection-refused | robots-disallowed | out-of-scope | too-large
    fetch_status: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    referrer: Mapped[str | None] = mapped_column(Text)
    warc_record_id: Mapped[str | None] = mapped_column(String(100))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Finding(Base):
    __tablename__ = "finding"
    __table_args__ = (Index("ix_finding_run_check", "run_id", "check_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("page.id", ondelete="CASCADE"))
    check_id: Mapped[str] = mapped_column(String(100))
    check_version: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    principles: Mapped[list[str]] = mapped_column(JSON, default=list)
    url: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Review(Base):
    """A person's decision on a finding: confirmed, or overridden with another outcome.
    The finding itself is never changed; reports show both."""

    __tablename__ = "review"
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))           # confirm | override
    outcome: Mapped[str] = mapped_column(String(16))            # the outcome after the decision
    reviewer: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Explanation(Base):
    """"Comply or explain": a city's explanation for a failed indicator, valid until a date."""

    __tablename__ = "explanation"
    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("portal.id", ondelete="CASCADE"), index=True)
    check_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_on: Mapped[date] = mapped_column(Date)
