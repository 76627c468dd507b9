"""From findings to a proposed label: indicator outcomes, principle scores with confidence, a level.

A pure function of the report's per-check outcome counts and a label model.
``cantTell`` and ``error`` never count as ``failed``: they are left out of the
score, lower its confidence, and put the indicator in the review queue (as do
indicators the model marks ``manual``). Nothing here reads the database, so the
same findings and model always give the same assessment.
"""
from __future__ import annotations

from typing import Any

from reports.model import LabelModel

UNSURE = ("cantTell", "error")


def indicator_result(counts: dict[str, int] | None) -> dict[str, Any]:
    """Outcome, score (passed share of decided findings) and what is still undecided."""
    counts = counts or {}
    passed, failed = counts.get("passed", 0), counts.get("failed", 0)
    unsure = sum(counts.get(o, 0) for o in UNSURE)
    if passed + failed == 0:
        outcome = "cantTell" if unsure else "inapplicable"
        return {"outcome": outcome, "score": None, "passed": 0, "failed": 0, "unsure": unsure}
    outcome = "failed" if failed else ("cantTell" if unsure else "passed")
    return {"outcome": outcome, "score": round(passed / (passed + failed), 4), "passed": passed,
            "failed": failed, "unsure": unsure}


def assess(checks: list[dict[str, Any]], model: LabelModel) -> dict[str, Any]:
    """The assessment of one run: ``checks`` is the report summary's per-check list
    (check id, counts by outcome)."""
    by_check = {c["check"]: c for c in checks}
    principles = []
    results: dict[str, dict[str, Any]] = {}
    queue = []
    for p in model.principles:
        indicators = []
        weight_total = weight_decided = weighted = 0.0
        for ind in p.indicators:
            known = ind.check in by_check
            r = indicator_result(by_check[ind.check]["counts"] if known else None)
            r.update(check=ind.check, weight=ind.weight, manual=ind.manual, ran=known)
            results[ind.check] = r
            indicators.append(r)
            if r["outcome"] != "inapplicable":
                weight_total += ind.weight
            if r["score"] is not None:
                weight_decided += ind.weight
                weighted += ind.weight * r["score"]
            if r["outcome"] == "cantTell" or r["unsure"] or ind.manual:
                queue.append({"check": ind.check, "principle": p.id, "outcome": r["outcome"],
                              "unsure": r["unsure"], "manual": ind.manual})
        score = round(weighted / weight_decided, 4) if weight_decided else None
        confidence = round(weight_decided / weight_total, 4) if weight_total else None
        principles.append({"id": p.id, "title": p.title, "score": score, "confidence": confidence,
                           "indicators": indicators})
    level, reasons = _level(principles, results, model)
    return {"model": {"name": model.name, "version": model.version, "title": model.title,
                      "source": model.source},
            "levels": [{"name": lv.name, "rank": lv.rank} for lv in model.levels],
            "level": level, "reasons": reasons, "principles": principles, "review_queue": queue}


def _level(principles: list[dict[str, Any]], results: dict[str, dict[str, Any]],
           model: LabelModel) -> tuple[dict[str, Any] | None, list[str]]:
    """The highest level whose conditions hold, and why each higher level was missed."""
    reasons: list[str] = []
    for lv in model.levels:
        missing = []
        pending = []
        for p in principles:
            need = lv.minimum(p["id"])
            if need <= 0 or p["confidence"] is None:
                continue  # no minimum, or nothing under the principle applies to this portal
            if p["score"] is None:
                pending.append(f"{p['title']}: nothing decided yet (only can't-tell findings)")
            elif p["score"] < need:
                missing.append(f"{p['title']}: {p['score']:.0%} < {need:.0%}")
        for check in lv.mandatory:
            outcome = results.get(check, {}).get("outcome", "inapplicable")
            if outcome == "cantTell":
                pending.append(f"{check} is to be reviewed")
            elif outcome != "passed":
                missing.append(f"{check} is {outcome}, mandatory for {lv.name}")
        if not missing and not pending:
            return {"name": lv.name, "rank": lv.rank}, reasons
        if not missing and pending:
            reasons.append(f"{lv.name} pending review: " + "; ".join(pending))
            return {"name": lv.name, "rank": lv.rank, "pending_review": True}, reasons
        reasons.append(f"not {lv.name}: " + "; ".join(missing + pending))
    return None, reasons
