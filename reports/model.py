"""Label models: which checks measure which principle, how scores add up, what each level needs.

A model is a YAML file (the default, ``reports/models/tallinn-2026.yaml``, is
documented in its own comments). It is data, so an assessor can weigh
principles differently or make an indicator mandatory without touching code;
every assessment names the model and its version. Loading validates the file
and says exactly what is wrong, since a silently misread model would hand a
city the wrong label.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_MODEL = "tallinn-2026.yaml"


class ModelError(ValueError):
    pass


@dataclass(frozen=True)
class Indicator:
    check: str
    weight: float = 1.0
    manual: bool = False   # a person must confirm it (always in the review queue)


@dataclass(frozen=True)
class Principle:
    id: str
    title: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Level:
    name: str
    rank: int
    min_score: dict[str, float]           # principle id (or "default") -> minimum score, 0..1
    mandatory: tuple[str, ...] = ()       # check ids that must have passed

    def minimum(self, principle: str) -> float:
        return float(self.min_score.get(principle, self.min_score.get("default", 0.0)))


@dataclass(frozen=True)
class LabelModel:
    name: str
    version: str
    title: str
    principles: tuple[Principle, ...]
    levels: tuple[Level, ...]             # highest rank first
    source: str = field(default="", compare=False)

    @property
    def checks(self) -> list[str]:
        return [i.check for p in self.principles for i in p.indicators]


def _require(data: dict, key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if key not in data:
        raise ModelError(f"{where}: missing '{key}'")
    value = data[key]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ModelError(f"{where}: '{key}' must be {names}, got {type(value).__name__}")
    return value


def parse_model(data: Any, source: str = "") -> LabelModel:
    """A validated model from parsed YAML."""
    if not isinstance(data, dict):
        raise ModelError(f"{source or 'model'}: the file must hold a mapping (name, version, principles, levels)")
    where = source or "model"
    name = str(_require(data, "name", where, (str,)))
    version = str(_require(data, "version", where, (str, int, float)))
    principles = []
    seen: set[str] = set()
    for i, p in enumerate(_require(data, "principles", where, list)):
        pw = f"{where}: principles[{i}]"
        if not isinstance(p, dict):
            raise ModelError(f"{pw}: must be a mapping with id, title, indicators")
        pid = str(_require(p, "id", pw, (str,)))
        indicators = []
        for j, ind in enumerate(_require(p, "indicators", pw, list)):
            iw = f"{pw} ({pid}) indicators[{j}]"
            if not isinstance(ind, dict):
                raise ModelError(f"{iw}: must be a mapping like {{check: a11y.statement, weight: 3}}")
            check = str(_require(ind, "check", iw, (str,)))
            weight = ind.get("weight", 1)
            if not isinstance(weight, (int, float)) or weight <= 0:
                raise ModelError(f"{iw}: weight must be a positive number, got {weight!r}")
            if check in seen:
                raise ModelError(f"{iw}: check {check} is listed twice in the model")
            seen.add(check)
            indicators.append(Indicator(check, float(weight), bool(ind.get("manual", False))))
        if not indicators:
            raise ModelError(f"{pw} ({pid}): no indicators")
        principles.append(Principle(pid, str(p.get("title", pid)), tuple(indicators)))
    ids = {p.id for p in principles}
    levels = []
    for i, lv in enumerate(_require(data, "levels", where, list)):
        lw = f"{where}: levels[{i}]"
        if not isinstance(lv, dict):
            raise ModelError(f"{lw}: must be a mapping with name, rank, min_score, mandatory")
        mins = lv.get("min_score", {}) or {}
        if not isinstance(mins, dict):
            raise ModelError(f"{lw}: min_score must map principle ids (or 'default') to 0..1")
        for key, value in mins.items():
            if key != "default" and key not in ids:
                raise ModelError(f"{lw}: min_score names unknown principle {key!r}; known: {', '.join(sorted(ids))}")
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ModelError(f"{lw}: min_score {key} must be between 0 and 1, got {value!r}")
        mandatory = tuple(str(c) for c in lv.get("mandatory", []) or [])
        unknown = [c for c in mandatory if c not in seen]
        if unknown:
            raise ModelError(f"{lw}: mandatory indicator(s) {', '.join(unknown)} are not in any principle")
        levels.append(Level(str(_require(lv, "name", lw, (str,))), int(_require(lv, "rank", lw, (int,))),
                            {k: float(v) for k, v in mins.items()}, mandatory))
    if not levels:
        raise ModelError(f"{where}: no levels")
    levels.sort(key=lambda lv: lv.rank, reverse=True)
    return LabelModel(name, version, str(data.get("title", name)), tuple(principles), tuple(levels), source)


def load_model(path: str | Path | None = None) -> LabelModel:
    """The model at ``path``, or the default model shipped with citylabel."""
    import yaml
    if path is None:
        text = resources.files("reports").joinpath("models", DEFAULT_MODEL).read_text("utf-8")
        source = DEFAULT_MODEL
    else:
        p = Path(path)
        if not p.is_file():
            raise ModelError(f"no model file at {p}")
        text, source = p.read_text("utf-8"), str(p)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ModelError(f"{source}: not valid YAML: {exc}") from None
    return parse_model(data, source)
