"""Multilingual words for the evidence citylabel looks for.

The phrases live in ``lexicon.json`` (data, so adding a language is a data
change). Matching is case-insensitive, on whole words, and also tried on an
accent-folded copy so that "Accessibilite" or "Datenschutzerklaerung" in a
slug or in a sloppy link text still match.
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Iterable
from urllib.parse import unquote, urlsplit

_GERMAN_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Typographic apostrophes and spaces vary between sites ("d’accessibilité").
_PUNCT = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "\u00a0": " ", "\u202f": " "})


def fold(text: str) -> str:
    """Lower-case and strip diacritics ("Erklärung" -> "erklarung")."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def _variants(phrase: str) -> set[str]:
    phrase = unicodedata.normalize("NFC", phrase.lower()).translate(_PUNCT)
    return {phrase, fold(phrase), fold(phrase.translate(_GERMAN_FOLD))}


@lru_cache(maxsize=1)
def lexicon() -> dict:
    data = resources.files("checks").joinpath("lexicon.json").read_text(encoding="utf-8")
    return json.loads(data)["concepts"]


def concepts() -> list[str]:
    return sorted(lexicon())


def phrases(concept: str) -> set[str]:
    texts = lexicon()[concept]["texts"]
    out: set[str] = set()
    for lang, words in texts.items():
        if lang.startswith("_"):
            continue
        for w in words:
            out |= _variants(w)
    return out


def slugs(concept: str) -> list[str]:
    out: set[str] = set()
    for s in lexicon()[concept].get("slugs", []):
        out |= {v.replace("_", "-").replace(" ", "-") for v in _variants(s)}
    return sorted(out)


@lru_cache(maxsize=None)
def _text_pattern(concept: str) -> re.Pattern[str]:
    words = sorted(phrases(concept), key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.I)


@lru_cache(maxsize=None)
def _slug_pattern(concept: str) -> re.Pattern[str] | None:
    s = slugs(concept)
    if not s:
        return None
    return re.compile("|".join(re.escape(x) for x in sorted(s, key=len, reverse=True)))


def match_text(concept: str, text: str) -> str | None:
    """The phrase of ``concept`` found in ``text`` (as written there), or None."""
    if not text:
        return None
    text = text.translate(_PUNCT)
    pattern = _text_pattern(concept)
    m = pattern.search(text)
    if m:
        return m.group(0)
    m = pattern.search(fold(text))
    return m.group(0) if m else None


def match_url(concept: str, url: str) -> str | None:
    """The slug of ``concept`` found in the URL's path or query, or None."""
    pattern = _slug_pattern(concept)
    if pattern is None or not url:
        return None
    parts = urlsplit(url)
    where = fold(unquote(parts.path + "?" + parts.query)).replace("_", "-")
    m = pattern.search(where)
    return m.group(0) if m else None


def match_any(concepts_: Iterable[str], text: str, url: str = "") -> tuple[str, str] | None:
    """First (concept, matched phrase) among ``concepts_`` for a link's text or URL."""
    for c in concepts_:
        hit = match_text(c, text) or match_url(c, url)
        if hit:
            return c, hit
    return None
