"""Phrase books: per-element, per-language phrases kept as JSON data, compiled once.

Site checks that read a document (the accessibility statement, the privacy
notice) look for what it must say in many languages. The words are data; this
module turns the JSON's small phrase syntax (see a book's ``_syntax``) into
regular expressions, and gives each phrase a "needle": a plain piece of text
that must occur in the folded page text for the phrase to be worth running.
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

from checks.lexicon import fold

_PUNCT = {"'": "['’ʼ‘`´]", "’": "['’ʼ‘`´]"}
_HYPHEN = r"(?:[-‐‑–]|\s+)?"
# up to 8 words of one sentence; a word may hold inner dots ("2.0") or end in a
# day number's dot ("14."), but a sentence's full stop ends the gap
_GAP = r"\s+(?:(?:[^\s.!?;\x00]|\.(?=\S))+(?:(?<=\d)\.)?\s+){0,8}?"


def fold_char(c: str) -> str:
    base = unicodedata.normalize("NFKD", c)[:1]
    return base if base and not unicodedata.combining(base) else c


def compile_phrase(phrase: str) -> re.Pattern[str]:
    """One phrase of the JSON syntax (see its ``_syntax``) as a regular expression."""
    if phrase.startswith("re:"):
        return re.compile(phrase[3:], re.I)
    parts: list[str] = []
    tokens = unicodedata.normalize("NFC", phrase.lower()).split()
    for tok in tokens:
        if tok == "...":
            parts.append(_GAP)
            continue
        stem = tok.endswith("*")
        tok = tok.rstrip("*")
        pattern = ""
        for c in tok:
            if c in _PUNCT:
                pattern += _PUNCT[c]
            elif c in "-‐‑":
                pattern += _HYPHEN
            else:
                base = fold_char(c)
                pattern += f"[{re.escape(c)}{re.escape(base)}]" if base != c else re.escape(c)
        if stem:
            pattern += r"\w*"
        if parts and parts[-1] != _GAP:
            parts.append(r"\s+")
        parts.append(pattern)
    body = "".join(parts)
    head = r"(?<!\w)" if tokens and re.match(r"\w", tokens[0]) else ""
    last = tokens[-1] if tokens else ""
    tail = r"(?!\w)" if last and (last.endswith("*") or re.search(r"\w$", last)) else ""
    return re.compile(head + body + tail, re.I)


def needle(phrase: str) -> str:
    """The longest plain piece of a phrase, folded: if the folded text lacks it, the
    phrase cannot match and its regular expression need not run."""
    if phrase.startswith("re:"):
        return ""
    pieces = re.split(r"[^\w]+", fold(phrase.replace("...", " ")))
    return max(pieces, key=len, default="")


def _by_language(table: dict) -> list[str]:
    out: list[str] = []
    for lang, words in table.items():
        if not lang.startswith("_"):
            out.extend(words)
    return out


class PhraseBook:
    """One JSON file of phrases in the ``checks`` package."""

    def __init__(self, filename: str) -> None:
        self.filename = filename

    @property
    def data(self) -> dict:
        return _load(self.filename)

    def node(self, *path: str) -> Any:
        node: Any = self.data
        for key in path:
            node = node[key]
        return node

    def patterns(self, *path: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """The compiled phrases at ``path`` (all languages), as (phrase, pattern)."""
        return _patterns(self.filename, path)

    def needles(self, *path: str) -> tuple[str, ...]:
        return _needles(self.filename, path)

    def examples(self, *path: str, per_language: int = 1) -> list[str]:
        """A few phrases of each language, to say in a failed finding what was looked for."""
        out: list[str] = []
        for lang, words in self.node(*path).items():
            if not lang.startswith("_"):
                out.extend(w.replace("*", "") for w in words[:per_language] if not w.startswith("re:"))
        return out


@lru_cache(maxsize=None)
def _load(filename: str) -> dict:
    return json.loads(resources.files("checks").joinpath(filename).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _patterns(filename: str, path: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    node = PhraseBook(filename).node(*path)
    phrases = _by_language(node) if isinstance(node, dict) else list(node)
    return tuple((p, compile_phrase(p)) for p in phrases)


@lru_cache(maxsize=None)
def _needles(filename: str, path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(needle(p) for p, _ in _patterns(filename, path))


_WORDS = re.compile(r"\w+")
_SHORT = 300  # texts up to this length (link texts, labels, headings) repeat across pages: cached


class TextIndex:
    """A text, folded once, with its set of words: a phrase whose needle is a plain word
    is dismissed by one set lookup instead of a scan of the whole text."""

    __slots__ = ("text", "folded", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)
        self.words = set(_WORDS.findall(self.folded))

    def may_hold(self, needle: str, whole_word: bool) -> bool:
        if not needle:
            return True
        return needle in self.words if whole_word else needle in self.folded


def _whole_word(phrase: str) -> bool:
    """Whether a phrase's needle must appear as a whole word of the text: not for stems
    ('word*'), hyphens (which may join compounds) or regular expressions."""
    return not (phrase.startswith("re:") or "*" in phrase or "-" in phrase or "'" in phrase or "’" in phrase)


@lru_cache(maxsize=None)
def _needle_kinds(filename: str, path: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    return tuple((n, _whole_word(p)) for (p, _), n in zip(_patterns(filename, path), _needles(filename, path)))


def first_phrase(book: PhraseBook, path: tuple[str, ...], text: str | TextIndex) -> str | None:
    """The first phrase at ``path`` of ``book`` found in ``text`` (a string, or a TextIndex
    built once for a long text searched many times), or None."""
    if not text:
        return None
    if isinstance(text, str) and len(text) <= _SHORT:
        return _first_short(book.filename, path, text)
    index = text if isinstance(text, TextIndex) else TextIndex(text)
    return _first(book.filename, path, index)


# Sized for what repeats across pages (navigation, footer, form labels: a few thousand
# texts, each asked for a few phrase sets), not for every page's own title and heading,
# which are asked once: at 100,000 entries this cache alone held ~20 MiB of the judge
# process by 7,500 pages, for no more hits than 20,000 entries give.
@lru_cache(maxsize=20_000)
def _first_short(filename: str, path: tuple[str, ...], text: str) -> str | None:
    return _first(filename, path, _short_index(text))


@lru_cache(maxsize=5_000)
def _short_index(text: str) -> TextIndex:
    return TextIndex(text)


@lru_cache(maxsize=None)
def _needle_table(filename: str, path: tuple[str, ...]) -> tuple[dict[str, list[int]], list[int]] | None:
    """Whole-word needle -> the positions of its phrases, and the positions of phrases that
    need a substring test (stems, hyphens, apostrophes) or none (regular expressions)."""
    try:
        kinds = _needle_kinds(filename, path)
    except (KeyError, TypeError):
        return None  # the book has no such section (data files may grow apart)
    by_word: dict[str, list[int]] = {}
    other: list[int] = []
    for i, (needle, whole) in enumerate(kinds):
        if whole and needle:
            by_word.setdefault(needle, []).append(i)
        else:
            other.append(i)
    return by_word, other


def _first(filename: str, path: tuple[str, ...], index: TextIndex) -> str | None:
    table = _needle_table(filename, path)
    if table is None:
        return None
    by_word, other = table
    patterns = _patterns(filename, path)
    kinds = _needle_kinds(filename, path)
    words = index.words
    found = [i for w in (by_word.keys() & words if len(words) > len(by_word) else words & by_word.keys())
             for i in by_word[w]]
    found += [i for i in other if index.may_hold(kinds[i][0], False)]
    for i in sorted(found):  # the data file's order decides which phrase is quoted
        phrase, pattern = patterns[i]
        if pattern.search(index.text):
            return phrase
    return None
