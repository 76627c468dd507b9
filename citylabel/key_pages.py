"""Key pages: the few pages that site checks read in full (the accessibility
statement and the privacy notice).

Which page is "the statement" is decided by the page checks already: the link
evidence of a passed ``a11y.statement-link`` finding names its URL. Links are
judged before the pages they lead to are fetched (the crawl discovers pages
through them), so when such a page arrives it is kept, parsed, for the site
checks. Only a handful of pages are kept, so memory stays bounded.
"""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from checks.artifacts import PageArtifact, StatementArtifact
from crawler.urls import canonical

# role -> the page check whose passed findings' evidence URLs name that page
SOURCES = {"statement": "a11y.statement-link", "privacy": "privacy.notice-link"}
MAX_KEPT_PER_ROLE = 5


class KeyPages:
    def __init__(self) -> None:
        self.linked: dict[str, Counter] = {role: Counter() for role in SOURCES}
        self.first_url: dict[str, dict[str, str]] = {role: {} for role in SOURCES}
        self.kept: dict[str, dict[str, PageArtifact]] = {role: {} for role in SOURCES}
        self.pages_examined = 0

    def note_findings(self, findings: list[dict[str, Any]]) -> None:
        """Count the key-page links a judged page's findings point to."""
        self.pages_examined += 1
        for role, check_id in SOURCES.items():
            for f in findings:
                if f["check"] != check_id or f["outcome"] != "passed":
                    continue
                seen = set()
                for ev in f["evidence"]:
                    url = ev.get("url")
                    if not url or not url.startswith(("http://", "https://")):
                        continue
                    key = canonical(url)
                    if key not in seen:
                        seen.add(key)
                        self.linked[role][key] += 1
                        self.first_url[role].setdefault(key, url)

    def offer(self, page: PageArtifact) -> None:
        """Keep a fetched page if it is a key page's link target."""
        key = canonical(page.url)
        for role in SOURCES:
            kept = self.kept[role]
            if key in self.linked[role] and key not in kept and len(kept) < MAX_KEPT_PER_ROLE:
                kept[key] = page

    def statement(self, today: date) -> StatementArtifact:
        return self._artifact("statement", today)

    def notice(self, today: date) -> StatementArtifact:
        """The privacy notice candidates, in the same shape as the statement's."""
        return self._artifact("privacy", today)

    def _artifact(self, role: str, today: date) -> StatementArtifact:
        ranked = self.linked[role].most_common()
        return StatementArtifact(
            links=[(self.first_url[role][k], n) for k, n in ranked],
            pages={self.first_url[role][k]: p for k, p in self.kept[role].items()},
            pages_examined=self.pages_examined,
            today=today,
        )
