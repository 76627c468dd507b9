"""Discovering checks through the ``citylabel.checks`` entry-point group.

Built-in checks are registered in our own ``pyproject.toml`` exactly as a
third-party plugin would register its own (the flake8/pytest model). The
entry-point name must equal the check's id.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Iterable, Mapping

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


def parse_option(text: str) -> tuple[str, str, str]:
    """``ID.NAME=VALUE`` (the check id may itself contain dots) -> (id, name, value)."""
    key, sep, value = text.partition("=")
    check_id, dot, name = key.strip().rpartition(".")
    if not sep or not dot or not check_id or not name:
        raise CheckLoadError(f"check option must look like CHECK_ID.NAME=VALUE, got {text!r}")
    return check_id, name, value.strip()


def _coerce(check_id: str, name: str, default: Any, value: Any) -> Any:
    if not isinstance(value, str) or isinstance(default, str):
        return value
    try:
        if isinstance(default, bool):
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(value)
            return value.lower() in ("true", "1", "yes")
        return type(default)(value)
    except ValueError:
        raise CheckLoadError(f"option {check_id}.{name} takes a {type(default).__name__}, "
                             f"got {value!r}") from None


def load(enable: Iterable[str] | None = None, disable: Iterable[str] = (),
         options: Mapping[str, Mapping[str, Any]] | None = None) -> LoadedChecks:
    """Instantiate the selected checks. ``enable`` None means all installed.

    ``options`` maps a check id to settings it declares in ``meta.options``;
    string values are converted to the type of the declared default.
    """
    available = discover()
    wanted = list(available) if enable is None else list(enable)
    options = options or {}
    unknown = [c for c in [*wanted, *disable, *options] if c not in available]
    if unknown:
        raise CheckLoadError(f"unknown check(s): {', '.join(unknown)}; "
                             f"installed: {', '.join(available)}")
    for check_id, given in options.items():
        declared = dict(available[check_id].meta.options)
        for name in given:
            if name not in declared:
                raise CheckLoadError(f"check {check_id} has no option {name!r}; it has: "
                                     f"{', '.join(declared) or 'none'}")
    chosen = []
    for c in wanted:
        if c in set(disable):
            continue
        declared = dict(available[c].meta.options)
        given = {k: _coerce(c, k, declared[k], v) for k, v in (options.get(c) or {}).items()}
        chosen.append(available[c](given))
    return LoadedChecks(
        page=tuple(c for c in chosen if c.meta.scope == Scope.PAGE),
        site=tuple(c for c in chosen if c.meta.scope == Scope.SITE),
    )
