"""Checks: pure functions from gathered artifacts to findings.

This package knows artifacts and findings only. It never imports ``crawler``,
``storage`` or ``reports`` and never touches the network, so every check can be
tested with a string of HTML.
"""
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope, worst

__all__ = ["Check", "CheckMeta", "Evidence", "Finding", "Outcome", "Scope", "worst"]
