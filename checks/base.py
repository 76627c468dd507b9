"""The vocabulary every check speaks: metadata, outcomes, findings, evidence.

Outcomes follow W3C EARL / ACT (passed, failed, cantTell, inapplicable) plus
``error`` for a check that crashed, as Lighthouse does: an error is never a
failure of the portal. Metadata is kept apart from the judging logic, as in
axe-core, so reports and the label model can describe a check without running it.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable

SNIPPET_MAX = 500
TEXT_MAX = 300


class Outcome(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    CANT_TELL = "cantTell"
    INAPPLICABLE = "inapplicable"
    ERROR = "error"

    def __str__(self) -> str:  # so f-strings show the EARL word
        return self.value


# Worst wins when findings roll up (axe-core's aggregate order), with error
# kept below failed: a crashed check must not make a portal fail.
_SEVERITY = {
    Outcome.INAPPLICABLE: 0,
    Outcome.PASSED: 1,
    Outcome.ERROR: 2,
    Outcome.CANT_TELL: 3,
    Outcome.FAILED: 4,
}


def worst(outcomes: Iterable[Outcome | str]) -> Outcome:
    """Aggregate outcomes worst-wins; no outcomes at all is ``inapplicable``."""
    result = Outcome.INAPPLICABLE
    for o in outcomes:
        o = Outcome(o)
        if _SEVERITY[o] > _SEVERITY[result]:
            result = o
    return result


class Scope(str, enum.Enum):
    PAGE = "page"
    SITE = "site"


# Principles of the Tallinn Declaration annex, as short ids used in findings.
PRINCIPLES = {
    "digital-interaction": "Digital interaction",
    "accessibility": "Accessibility, security, availability and usability",
    "once-only": "Reduction of administrative burden (once-only)",
    "digital-delivery": "Digital delivery of public services",
    "engagement": "Citizen engagement",
    "incentives": "Incentives for digital public services",
    "privacy": "Protection of personal data and privacy",
    "redress": "Redress and complaint mechanisms",
    "security": "Security",
    "eid": "Electronic identification (key enabler)",
    "openness": "Cross-border openness",
}


def _clip(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = str(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class Evidence:
    """What a person needs to verify a finding in a minute."""

    url: str | None = None
    selector: str | None = None
    snippet: str | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        # Page content is hostile and unbounded: clip it where it enters.
        object.__setattr__(self, "snippet", _clip(self.snippet, SNIPPET_MAX))
        object.__setattr__(self, "text", _clip(self.text, TEXT_MAX))

    def to_dict(self) -> dict[str, str | None]:
        return {"url": self.url, "selector": self.selector, "snippet": self.snippet, "text": self.text}


@dataclass
class Finding:
    check: str
    outcome: Outcome
    message: str
    url: str | None = None  # None for site-level findings
    evidence: list[Evidence] = field(default_factory=list)
    check_version: str = ""
    principles: tuple[str, ...] = ()
    # Structured facts for summaries (e.g. an axe rule's impact and WCAG
    # criteria), as Lighthouse audits return "details"; small, JSON-safe.
    details: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "check_version": self.check_version,
            "outcome": Outcome(self.outcome).value,
            "principle": self.principles[0] if self.principles else None,
            "principles": list(self.principles),
            "url": self.url,
            "message": self.message,
            "evidence": [e.to_dict() for e in self.evidence],
            "details": self.details,
        }


@dataclass(frozen=True)
class CheckMeta:
    """Static description of a check (the axe-core 'rule' half)."""

    id: str
    title: str
    principles: tuple[str, ...]
    scope: Scope
    requires: tuple[str, ...]
    version: str
    standard: str
    description: str = ""
    # Tunable settings and their defaults (e.g. a coverage threshold); a run
    # sets them with ``--check-option ID.NAME=VALUE`` and records them.
    options: tuple[tuple[str, Any], ...] = ()
    # A page check that also judges downloaded documents (PDF...), not only HTML pages.
    reads_documents: bool = False


class Check:
    """Base class. Subclasses set ``meta`` and implement :meth:`evaluate`.

    ``evaluate`` receives only the artifacts named in ``meta.requires`` (as
    keyword arguments) and returns findings. It must not fetch anything.
    """

    meta: ClassVar[CheckMeta]

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options: dict[str, Any] = dict(self.meta.options)
        self.options.update(options or {})

    def evaluate(self, **artifacts: Any) -> list[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(self, outcome: Outcome, message: str, *, url: str | None = None,
                evidence: Iterable[Evidence] = (), details: dict[str, Any] | None = None) -> Finding:
        """Build a finding stamped with this check's id, version and principles."""
        return Finding(
            check=self.meta.id,
            outcome=outcome,
            message=message,
            url=url,
            evidence=list(evidence),
            check_version=self.meta.version,
            principles=self.meta.principles,
            details=details,
        )
