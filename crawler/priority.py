"""Which links to fetch first, so that a small page budget still finds the evidence.

Scrapy's scheduler serves higher priorities first. A link scores for what its
text or URL names (privacy, accessibility statement, login, services, forms,
participation, contact, complaints, in the lexicon's languages), for sitting in
the footer or header (where portals put their legal and service links), and
loses a little per level of depth.
"""
from __future__ import annotations

from checks.artifacts import Link
from checks.lexicon import text_concepts, url_concepts

CONCEPT_WEIGHTS: dict[str, int] = {
    "accessibility_statement": 60,
    "privacy": 60,
    "login": 50,
    "accessibility": 45,
    "legal_notice": 35,
    "forms": 40,
    "services": 40,
    "participation": 40,
    "complaint": 40,
    "report_problem": 40,
    "contact": 35,
    "cookies": 25,
    "sitemap": 20,
}
REGION_BONUS = {"footer": 20, "header": 15, "main": 0}
DEPTH_PENALTY = 5
DOCUMENT_PENALTY = 15


def score(link: Link, depth: int, is_document: bool = False) -> tuple[int, str | None]:
    """(priority, concept that raised it or None)."""
    best, concept = 0, None
    named = set(text_concepts(link.text)) | set(url_concepts(link.url))
    for name in named:
        weight = CONCEPT_WEIGHTS.get(name, 0)
        if weight > best or (weight == best and concept is not None and name < concept):
            best, concept = weight, name
    total = best + REGION_BONUS.get(link.region, 0) - DEPTH_PENALTY * depth
    if is_document:
        total -= DOCUMENT_PENALTY
    return total, concept
