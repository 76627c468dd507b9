"""What people decide about findings: reviews of findings and comply-or-explain explanations.

Both are stored beside the machine's findings, never instead of them: a report
shows the finding as the check gave it and the decision next to it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Explanation, Finding, Portal, Review, Run

OUTCOMES = ("passed", "failed", "cantTell", "inapplicable")


class DecisionError(ValueError):
    pass


def record_review(session: Session, run_id: int, finding_id: int, *, decision: str, reviewer: str,
                  reason: str, outcome: str | None = None) -> Review:
    """Confirm a finding (its outcome stands) or override it with ``outcome``."""
    finding = session.get(Finding, finding_id)
    if finding is None or finding.run_id != run_id:
        raise DecisionError(f"run {run_id} has no finding {finding_id}")
    if not reviewer.strip() or not reason.strip():
        raise DecisionError("a review needs a reviewer and a reason")
    if decision == "confirm":
        if finding.outcome not in ("passed", "failed"):
            raise DecisionError(f"finding {finding_id} is {finding.outcome}: confirm only a passed or failed "
                                "finding; decide a can't-tell one with --override passed|failed")
        outcome = finding.outcome
    elif decision == "override":
        if outcome not in OUTCOMES:
            raise DecisionError(f"--override needs one of {', '.join(OUTCOMES)}, got {outcome!r}")
    else:
        raise DecisionError(f"unknown decision {decision!r}")
    review = Review(finding_id=finding_id, run_id=run_id, decision=decision, outcome=outcome,
                    reviewer=reviewer.strip()[:200], reason=reason.strip())
    session.add(review)
    session.flush()
    return review


def review_queue(session: Session, run_id: int, manual_checks: list[str] = ()) -> list[dict[str, Any]]:
    """Findings a person must look at: can't tell, errors, and findings of checks the model
    marks manual, not yet reviewed."""
    if session.get(Run, run_id) is None:
        raise DecisionError(f"no run with id {run_id}")
    reviewed = set(session.scalars(select(Review.finding_id).where(Review.run_id == run_id)))
    rows = session.scalars(select(Finding).where(Finding.run_id == run_id).order_by(Finding.id)).all()
    return [{"id": f.id, "check": f.check_id, "outcome": f.outcome, "url": f.url, "message": f.message,
             "why": "manual check" if f.check_id in manual_checks and f.outcome not in ("cantTell", "error")
             else f.outcome}
            for f in rows if f.id not in reviewed and (f.outcome in ("cantTell", "error") or f.check_id in manual_checks)]


def find_portal(session: Session, ref: str) -> list[Portal]:
    """Portals by id or by name (a portal audited at several addresses has several rows)."""
    if ref.isdigit():
        p = session.get(Portal, int(ref))
        return [p] if p else []
    return list(session.scalars(select(Portal).where(Portal.name == ref).order_by(Portal.id)))


def add_explanation(session: Session, portal_ref: str, check_id: str, text: str, author: str,
                    expires_on: date) -> list[Explanation]:
    portals = find_portal(session, portal_ref)
    if not portals:
        raise DecisionError(f"no portal {portal_ref!r}")
    if not text.strip() or not author.strip():
        raise DecisionError("an explanation needs a text and an author")
    out = []
    for p in portals:
        e = Explanation(portal_id=p.id, check_id=check_id, text=text.strip(), author=author.strip()[:200],
                        expires_on=expires_on)
        session.add(e)
        out.append(e)
    session.flush()
    return out
