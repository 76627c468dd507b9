"""Portfolios: the portals an assessor or monitoring job looks after, read from YAML or CSV.

Each entry names a portal (name, country, NUTS and LAU codes), how to crawl it
(start URLs, extra hosts, languages, page budget) and when (a cron schedule).
Entries are validated one by one and every problem is reported with the entry
it belongs to, so a file of five hundred portals is fixed in one pass.

YAML: a list of mappings, or ``{portals: [...]}``. CSV: a header row with the same
field names; lists (start_urls, also_hosts, languages) are separated by spaces or ``;``.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Portal

FIELDS = ("name", "country", "nuts", "lau", "start_urls", "also_hosts", "languages", "max_pages", "schedule")


class PortfolioError(ValueError):
    pass


@dataclass
class Entry:
    name: str
    start_urls: list[str]
    country: str | None = None
    nuts: str | None = None
    lau: str | None = None
    also_hosts: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    max_pages: int | None = None
    schedule: str | None = None


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v for v in str(value).replace(";", " ").split() if v]


def _entry(raw: Any, where: str) -> tuple[Entry | None, list[str]]:
    from croniter import croniter
    if not isinstance(raw, dict):
        return None, [f"{where}: must be a mapping of {', '.join(FIELDS)}"]
    problems = []
    unknown = sorted(set(raw) - set(FIELDS) - {"start_url"})
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    name = str(raw.get("name") or "").strip()
    if not name:
        problems.append(f"{where}: missing name")
    urls = _list(raw.get("start_urls")) or _list(raw.get("start_url"))
    if not urls:
        problems.append(f"{where} ({name or '?'}): missing start_urls")
    for u in urls:
        parts = urlsplit(u)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(f"{where} ({name}): start URL must be an absolute http(s) URL, got {u!r}")
    country = str(raw.get("country") or "").strip().upper() or None
    if country and (len(country) != 2 or not country.isalpha()):
        problems.append(f"{where} ({name}): country must be a two-letter ISO code, got {country!r}")
    max_pages = raw.get("max_pages")
    if max_pages not in (None, ""):
        try:
            max_pages = int(max_pages)
            if max_pages < 1:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"{where} ({name}): max_pages must be a positive whole number, got {raw.get('max_pages')!r}")
            max_pages = None
    else:
        max_pages = None
    schedule = str(raw.get("schedule") or "").strip() or None
    if schedule and not croniter.is_valid(schedule):
        problems.append(f"{where} ({name}): schedule is not a valid cron expression: {schedule!r}")
    if problems:
        return None, problems
    return Entry(name=name, start_urls=urls, country=country, nuts=(str(raw.get("nuts") or "").strip() or None),
                 lau=(str(raw.get("lau") or "").strip() or None), also_hosts=_list(raw.get("also_hosts")),
                 languages=[x.lower() for x in _list(raw.get("languages"))], max_pages=max_pages,
                 schedule=schedule), []


def read_portfolio(path: str | Path) -> list[Entry]:
    """Entries of a YAML or CSV portfolio; PortfolioError lists every problem found."""
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except OSError as exc:
        raise PortfolioError(f"cannot read {p}: {exc}") from None
    if p.suffix.lower() == ".csv":
        rows: list[Any] = list(csv.DictReader(io.StringIO(text)))
        where = [f"{p.name} line {i + 2}" for i in range(len(rows))]
    else:
        import yaml
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise PortfolioError(f"{p}: not valid YAML: {exc}") from None
        rows = data.get("portals") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise PortfolioError(f"{p}: expected a list of portals (or portals: [...])")
        where = [f"{p.name} entry {i + 1}" for i in range(len(rows))]
    entries, problems, names = [], [], set()
    for raw, w in zip(rows, where):
        entry, errs = _entry(raw, w)
        problems += errs
        if entry is not None:
            if entry.name in names:
                problems.append(f"{w}: the name {entry.name!r} is used twice")
            names.add(entry.name)
            entries.append(entry)
    if problems:
        raise PortfolioError("\n".join(problems))
    return entries


def import_portfolio(session: Session, entries: list[Entry]) -> tuple[int, int]:
    """Create or update portals by name; returns (created, updated)."""
    created = updated = 0
    for e in entries:
        portal = session.scalars(select(Portal).where(Portal.name == e.name).order_by(Portal.id)).first()
        if portal is None:
            portal = Portal(name=e.name, start_url=e.start_urls[0])
            session.add(portal)
            created += 1
        else:
            updated += 1
        portal.start_url = e.start_urls[0]
        portal.extra_start_urls = e.start_urls[1:]
        portal.country, portal.nuts, portal.lau = e.country, e.nuts, e.lau
        portal.also_hosts, portal.languages = e.also_hosts, e.languages
        portal.max_pages, portal.schedule = e.max_pages, e.schedule
    session.flush()
    return created, updated
