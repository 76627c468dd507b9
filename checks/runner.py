"""Running checks: each check gets only the artifacts it declared.

As in Lighthouse's runner, an exception inside a check becomes an ``error``
finding and the run goes on; a missing artifact is an error too, never a
silent pass.
"""
from __future__ import annotations

import logging
import traceback
from typing import Any, Iterable

from checks.base import Check, Evidence, Finding, Outcome

log = logging.getLogger(__name__)


def run_check(check: Check, artifacts: dict[str, Any], url: str | None) -> list[Finding]:
    missing = [name for name in check.meta.requires if artifacts.get(name) is None]
    if missing:
        return [check.finding(Outcome.ERROR, f"Missing artifact(s): {', '.join(missing)}", url=url)]
    try:
        findings = check.evaluate(**{name: artifacts[name] for name in check.meta.requires})
    except Exception as exc:  # noqa: BLE001 - any failure of a check is reported, not raised
        log.warning("check %s raised on %s: %r", check.meta.id, url, exc)
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return [check.finding(Outcome.ERROR, f"The check raised an exception: {tb}", url=url,
                              evidence=[Evidence(url=url, text=tb)])]
    for f in findings:
        if not isinstance(f, Finding):
            return [check.finding(Outcome.ERROR, f"The check returned {type(f).__name__}, not a Finding",
                                  url=url)]
        f.outcome = Outcome(f.outcome)
    return findings


def run_checks(checks: Iterable[Check], artifacts: dict[str, Any], url: str | None) -> list[Finding]:
    out: list[Finding] = []
    for check in checks:
        out.extend(run_check(check, artifacts, url))
    return out
