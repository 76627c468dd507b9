"""Discovering checks through the ``citylabel.checks`` entry-point group.

Built-in checks are registered in our own ``pyproject.toml`` exactly as a
third-party plugin would register its own (the flake8/pytest model). The
entry-point name must equal the check's id.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Iterable

from checks.base import Check, Scope

GROUP = "citylabel.checks"
log = logging.getLogger(__name__)


class CheckLoadError(RuntimeError):
    pass


@dataclass(frozen=True)
class LoadedChecks:
    page: tuple[Check, ...]
    site: tuple[Check, ...]

    @property
    def all(self) -> tuple[Check, ...]:
        return self.page + self.site

    def versions(self) -> dict[str, str]:
        return {c.meta.id: c.meta.version for c in self.all}


def discover() -> dict[str, type[Check]]:
    """All installed check classes by id, sorted by id."""
    found: dict[str, type[Check]] = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            cls = ep.load()
        except Exception as exc:  # a broken plugin must not hide the others
            raise CheckLoadError(f"check plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
        meta = getattr(cls, "meta", None)
        if meta is None or meta.id != ep.name:
            raise CheckLoadError(
                f"check plugin {ep.name!r} ({ep.value}) must define meta.id == {ep.name!r}")
        found[ep.name] = cls
    return found


def load(enable: Iterable[str] | None = None, disable: Iterable[str] = ()) -> LoadedChecks:
    """Instantiate the selected checks. ``enable`` None means all installed."""
    available = discover()
    wanted = list(available) if enable is None else list(enable)
    unknown = [c for c in [*wanted, *disable] if c not in available]
    if unknown:
        raise CheckLoadError(f"unknown check(s): {', '.join(unknown)}; "
                             f"installed: {', '.join(available)}")
    chosen = [available[c]() for c in wanted if c not in set(disable)]
    return LoadedChecks(
        page=tuple(c for c in chosen if c.meta.scope == Scope.PAGE),
        site=tuple(c for c in chosen if c.meta.scope == Scope.SITE),
    )
