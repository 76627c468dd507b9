"""Multilingual words for the evidence citylabel looks for.

The phrases live in ``lexicon.json`` (data, so adding a language is a data
change). A phrase matches a link text when its words appear there in order as
whole words, case-insensitively; the text is also tried accent-folded, so
"Accessibilite" or "Datenschutzerklaerung" still match. Matching works on word
n-grams looked up in one index for all concepts, not on one huge regular
expression per concept: link texts repeat on every page (navigation, footer),
so results are cached per text and per URL.
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from urllib.parse import unquote, urlsplit

_GERMAN_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Typographic apostrophes and spaces vary between sites ("d’accessibilité").
_PUNCT = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "\u00a0": " ", "\u202f": " "})
_TOKEN = re.compile(r"\w+")
_CACHE = 50_000


# Unicode's combining marks (the diacritics NFKD splits off), removed in one C-speed pass.
_COMBINING = re.compile("[" + "".join(
    re.escape(chr(c)) for c in range(0x300, 0x20000) if unicodedata.combining(chr(c))) + "]")


def fold(text: str) -> str:
    """Lower-case and strip diacritics ("Erklärung" -> "erklarung")."""
    text = unicodedata.normalize("NFKD", text.lower())
    return _COMBINING.sub("", text) if not text.isascii() else text


def _variants(phrase: str) -> set[str]:
    phrase = unicodedata.normalize("NFC", phrase.lower()).translate(_PUNCT)
    return {phrase, fold(phrase), fold(phrase.translate(_GERMAN_FOLD))}


@lru_cache(maxsize=1)
def lexicon() -> dict:
    data = resources.files("checks").joinpath("lexicon.json").read_text(encoding="utf-8")
    return json.loads(data)["concepts"]


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


@lru_cache(maxsize=1)
def _phrase_index() -> tuple[dict[tuple[str, ...], tuple[str, ...]], int]:
    """Word tuple -> concepts it names; and the longest phrase in words."""
    index: dict[tuple[str, ...], set[str]] = {}
    longest = 1
    for concept in lexicon():
        for phrase in phrases(concept):
            words = tuple(_TOKEN.findall(phrase))
            if words:
                index.setdefault(words, set()).add(concept)
                longest = max(longest, len(words))
    return {k: tuple(sorted(v)) for k, v in index.items()}, longest


@lru_cache(maxsize=1)
def _slug_index() -> tuple[re.Pattern[str] | None, dict[str, tuple[str, ...]]]:
    by_slug: dict[str, set[str]] = {}
    for concept in lexicon():
        for s in slugs(concept):
            by_slug.setdefault(s, set()).add(concept)
    if not by_slug:
        return None, {}
    pattern = re.compile("|".join(re.escape(s) for s in sorted(by_slug, key=len, reverse=True)))
    return pattern, {k: tuple(sorted(v)) for k, v in by_slug.items()}


def _scan(words: list[str], index: dict, longest: int, found: dict[str, str]) -> None:
    for i in range(len(words)):
        for n in range(1, min(longest, len(words) - i) + 1):
            hit = index.get(tuple(words[i:i + n]))
            if hit:
                phrase = " ".join(words[i:i + n])
                for concept in hit:
                    # keep the longest phrase per concept: it is the best evidence
                    if len(phrase) > len(found.get(concept, "")):
                        found[concept] = phrase


@lru_cache(maxsize=_CACHE)
def text_concepts(text: str) -> dict[str, str]:
    """Every concept named in ``text``, with the phrase that names it."""
    if not text:
        return {}
    index, longest = _phrase_index()
    lowered = text.lower().translate(_PUNCT)
    found: dict[str, str] = {}
    _scan(_TOKEN.findall(lowered), index, longest, found)
    folded = fold(lowered)
    if folded != lowered:
        _scan(_TOKEN.findall(folded), index, longest, found)
    return found


@lru_cache(maxsize=_CACHE)
def url_concepts(url: str) -> dict[str, str]:
    """Every concept whose slug appears in the URL's path or query."""
    pattern, by_slug = _slug_index()
    if pattern is None or not url:
        return {}
    parts = urlsplit(url)
    where = fold(unquote(parts.path + "?" + parts.query)).replace("_", "-")
    found: dict[str, str] = {}
    for m in pattern.finditer(where):
        for concept in by_slug[m.group(0)]:
            found.setdefault(concept, m.group(0))
    return found


def match_text(concept: str, text: str) -> str | None:
    """The phrase of ``concept`` found in ``text``, or None."""
    return text_concepts(text).get(concept)


def match_url(concept: str, url: str) -> str | None:
    """The slug of ``concept`` found in the URL's path or query, or None."""
    return url_concepts(url).get(concept)

