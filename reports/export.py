"""Findings as CSV, for spreadsheets: one row per finding, its first evidence inline.

Cells that a spreadsheet would read as a formula (starting with =, +, -, @) get a
leading apostrophe: page content is hostile input, and CSV injection is how it
would reach an assessor's machine.
"""
from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = ("run", "portal", "check", "check_version", "principle", "outcome", "url", "message",
           "evidence_url", "evidence_selector", "evidence_text", "evidence_count")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def findings_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    run, portal = report["run"]["id"], report["portal"]["name"]
    for f in report["findings"]:
        ev = (f.get("evidence") or [{}])[0]
        writer.writerow([_cell(v) for v in (
            run, portal, f["check"], f.get("check_version"), f.get("principle"), f["outcome"], f.get("url"),
            f.get("message"), ev.get("url"), ev.get("selector"), ev.get("text"), len(f.get("evidence") or []))])
    return out.getvalue()
