"""a11y.statement: does the accessibility statement follow the EU model?

Directive (EU) 2016/2102 Art. 7 requires public sector bodies to publish an
accessibility statement; Implementing Decision (EU) 2018/1523 (Annex, section 1)
fixes what it must say: the compliance status (full, partial, none), the
content that is not accessible and why, when the statement was prepared and
last reviewed, a feedback mechanism with contact details, and the enforcement
procedure. This site check reads the statement page the crawl kept (the one
most pages link to) and reports one finding per element, each with the
sentence that satisfies it, or with what was searched when nothing does.

The words live in ``statement_phrases.json`` (data, per element and language).
Matching is case-insensitive on the page's visible text, block by block
(paragraphs, list items, cells, headings, leaf divs); the evidence is the
sentence holding the phrase and its element's XPath. The check is a pure
function: "today" comes from the artifact.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import Any, ClassVar, Iterable
from urllib.parse import urlsplit

from lxml import etree

from checks.a11y_statement_link import registry_of
from checks.artifacts import Link, PageArtifact, StatementArtifact, element_snippet, normalise_space, region_of
from checks.base import TEXT_MAX, Check, CheckMeta, Evidence, Finding, Outcome, Scope
from checks.lexicon import fold
from checks.phrases import PhraseBook, compile_phrase, fold_char  # noqa: F401 - compile_phrase re-exported

# Bound the work on hostile pages.
MAX_TEXT_CHARS = 200_000
# A statement with fewer words than this was probably built by JavaScript.
MIN_WORDS = 40
# Main-content text below this means the header/footer detection swallowed
# the page: read all of it instead.
MIN_MAIN_CHARS = 300
# A block this short is a label or heading ("Kontakt", "Data sporządzenia:").
SHORT_BLOCK = 120
HEADING_MAX = 60
# How far from a phrase its date, contact or link may sit.
DATE_WINDOW = 150
NEAR_BLOCKS = 15
LINK_BLOCKS = 6
MAX_AGE_DAYS = 365
STATUS_LOOKAHEAD = 60

BLOCK_TAGS = frozenset({
    "p", "li", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section",
    "article", "main", "header", "footer", "nav", "aside", "address", "blockquote", "figcaption",
    "caption", "summary", "details", "form", "fieldset", "legend", "ul", "ol", "dl", "table",
    "thead", "tbody", "tfoot", "tr", "pre", "body", "figure", "label",
})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "select", "option",
                       "svg", "math", "iframe", "object", "textarea"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LABEL_TAGS = HEADING_TAGS | {"dt", "th", "legend", "caption", "summary"}
LABEL_MAX = 40

STATUS_LABEL = {"full": "full compliance", "partial": "partial compliance", "none": "non-compliance"}
# Where matches of different statuses overlap, the most specific reading wins.
STATUS_PRIORITY = {"partial": 0, "none": 1, "full": 2}

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”»)\]]*\s+")
_NO_SPLIT_BEFORE = re.compile(
    r"(?:^|\s)(?:\d{1,2}|[^\W\d_]{1,2}|(?:[^\W\d_]\.)+[^\W\d_]|tel|nr|no|bzw|vgl|abs|art|ca|str|"
    r"inkl|ggf|usw|etc|dott|sig|ecc|ul|mgr|godz|dz|poz|pkt|ust|zm|tj|sp|gem|ggf|vs|approx|incl)$",
    re.I)
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:@|\s?[\[({]\s?(?:at|ät|@)\s?[\])}]\s?)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w@])",
    re.I)
_INTL_PHONE = re.compile(r"(?<![\w+])\+\d{2,3}[\s\d()/.\-]{6,}\d(?!\d)")
_TIME_DATETIME = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_CLAUSE_END = re.compile(r"[.!?;](?:\s|$)")


@dataclass(frozen=True)
class DateRange:
    """A date as written: exact (lo == hi), or a month ("März 2022": its first and last day)."""

    lo: date
    hi: date
    text: str

    def __str__(self) -> str:
        return self.lo.isoformat() if self.lo == self.hi else self.lo.strftime("%Y-%m")


# -- the phrases ----------------------------------------------------------

STATEMENT = PhraseBook("statement_phrases.json")
patterns = STATEMENT.patterns
examples = STATEMENT.examples


def phrase_data() -> dict:
    return STATEMENT.data


@lru_cache(maxsize=1)
def _months() -> dict[str, int]:
    months: dict[str, int] = {}
    for lang, names in phrase_data()["months"].items():
        if lang.startswith("_"):
            continue
        for number, variants in enumerate(names, start=1):
            for name in [variants] if isinstance(variants, str) else variants:
                for v in {name.lower(), "".join(fold_char(c) for c in name.lower())}:
                    months[v] = number
    return months


@lru_cache(maxsize=1)
def _date_patterns() -> tuple[re.Pattern[str], ...]:
    names = sorted(_months(), key=len, reverse=True)
    month = r"(?P<mon>" + "|".join(re.escape(n) for n in names) + r")\.?(?![^\W\d_])"
    return (
        re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
        re.compile(r"(?<![\d.])(?P<d>\d{1,2})\s?[./-]\s?(?P<m>\d{1,2})\s?[./-]\s?(?P<y>(?:19|20)\d\d)(?!\d)"),
        re.compile(r"(?<![\d.])(?P<d>\d{1,2})(?:\.|º|°|er|st|nd|rd|th)?\s*(?:de\s+)?(?<![^\W\d_])"
                   + month + r"\s*,?\s*(?:de\s+|del\s+)?(?P<y>(?:19|20)\d\d)(?!\d)", re.I),
        re.compile(r"(?<![^\W\d_])" + month + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)(?!\d)",
                   re.I),
        # a month only: "im März 2022", "en mars 2022"
        re.compile(r"(?<![^\W\d_])" + month + r"\s+(?:de\s+)?(?P<y>(?:19|20)\d\d)(?!\d)", re.I),
    )


def find_dates(text: str) -> list[tuple[int, int, DateRange]]:
    """Every date written in ``text``, as (start, end, range), in order."""
    found: list[tuple[int, int, DateRange]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _date_patterns():
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            parsed = _parse_date(m)
            if parsed is None:
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), m.end(), parsed))
    found.sort(key=lambda t: t[0])
    return found


def _parse_date(m: re.Match[str]) -> DateRange | None:
    groups = m.groupdict()
    try:
        year = int(groups["y"])
        month = _months()[groups["mon"].lower()] if groups.get("mon") else int(groups["m"])
        if groups.get("d") is None:
            lo = date(year, month, 1)
            hi = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
            return DateRange(lo, hi, m.group(0))
        day = date(year, month, int(groups["d"]))
    except (ValueError, KeyError, OverflowError):
        return None
    return DateRange(day, day, m.group(0))


# -- the page as blocks of text ------------------------------------------

@dataclass
class Block:
    el: Any
    text: str
    region: str
    order: int

    @cached_property
    def xpath(self) -> str:
        return self.el.getroottree().getpath(self.el)

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return split_sentences(self.text)

    @property
    def is_short(self) -> bool:
        return len(self.text) <= SHORT_BLOCK


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``; a full stop after a day number or an
    abbreviation ("14. März", "z. B.", "Nr.") does not end a sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        nxt = text[m.end():m.end() + 2]
        if not nxt or not (nxt[0].isupper() or (nxt[0] in "\"'“„«(" and nxt[1:2].isupper())):
            continue
        if text[m.start()] == "." and _NO_SPLIT_BEFORE.search(text[max(start, m.start() - 12):m.start()]):
            continue
        spans.append((start, m.start() + len(m.group(0).rstrip())))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


def _hidden(el: Any) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def extract_blocks(root: Any, limit: int = MAX_TEXT_CHARS) -> list[Block]:
    """The visible text of ``root``, owned block by block.

    Each piece of text belongs to its nearest block ancestor, so a list item
    holding a paragraph yields the paragraph once, and a div with block
    children keeps only its loose text. At most ``limit`` characters are read.
    """
    body = root.find("body")
    if body is None:
        body = root
    regions: dict[Any, str] = {}
    blocks: list[Block] = []
    stack: list[tuple[Any, list[str], int]] = []
    seen = 0
    order = 0

    def close() -> None:
        owner, parts, index = stack.pop()
        text = normalise_space("".join(parts).replace("\x00", " "))
        if text:
            blocks.append(Block(owner, text, region_of(owner, regions), index))

    walker = etree.iterwalk(body, events=("start", "end"))
    for event, el in walker:
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        piece = None
        if event == "start":
            if tag is None:
                continue
            if tag in SKIP_TAGS or _hidden(el):
                walker.skip_subtree()  # its "end" still comes, and brings the tail
                continue
            if tag in BLOCK_TAGS or not stack:
                stack.append((el, [], order))
                order += 1
            if tag == "br" and stack:
                stack[-1][1].append(" ")
            piece = el.text
        else:
            if tag is not None and stack and stack[-1][0] is el:
                close()
            if el is not body:
                piece = el.tail
        if piece and stack:
            stack[-1][1].append(piece)
            seen += len(piece)
            if seen >= 2 * limit:  # raw text, indentation included
                break
    while stack:
        close()
    blocks.sort(key=lambda b: b.order)
    total = 0
    kept: list[Block] = []
    for b in blocks:
        if total >= limit:
            break
        if total + len(b.text) > limit:
            b.text = b.text[: limit - total]
        total += len(b.text)
        kept.append(b)
    return kept


@dataclass
class Hit:
    """A phrase found in a block."""

    block: int          # index into Statement.blocks
    start: int
    end: int
    phrase: str
    key: str = ""


@dataclass
class Contact:
    kind: str           # "email", "telephone", "contact form"
    block: int | None   # index into Statement.blocks, None if outside them
    in_content: bool
    evidence: Evidence


@dataclass
class Statement:
    """The statement page, read: its blocks of text and helpers to search them."""

    page: PageArtifact
    blocks: list[Block]
    content: list[int]              # indices of blocks judged as the statement's content
    words: int
    _index: dict[Any, int] = field(default_factory=dict)
    book: ClassVar[PhraseBook] = STATEMENT  # where find() looks phrases up
    noun: ClassVar[str] = "statement"       # what the page is, in evidence texts

    @classmethod
    def read(cls, page: PageArtifact) -> "Statement":
        blocks = extract_blocks(page.tree)
        main = [i for i, b in enumerate(blocks) if b.region == "main"]
        if sum(len(blocks[i].text) for i in main) < MIN_MAIN_CHARS:
            main = list(range(len(blocks)))
        words = sum(len(_WORD.findall(blocks[i].text)) for i in main)
        st = cls(page, blocks, main, words)
        st._index = {b.el: i for i, b in enumerate(blocks)}
        return st

    # searching
    @cached_property
    def _joined(self) -> tuple[str, list[int]]:
        """The content blocks' texts in one string ("\\x00" between blocks, which no
        phrase can cross), and where each block starts in it."""
        starts, parts, pos = [], [], 0
        for i in self.content:
            starts.append(pos)
            parts.append(self.blocks[i].text)
            pos += len(self.blocks[i].text) + 1
        return "\x00".join(parts), starts

    @cached_property
    def _folded(self) -> str:
        return fold(self._joined[0])

    def find(self, *path: str, key: str = "", short_only: bool = False) -> list[Hit]:
        hits: list[Hit] = []
        candidates = [(phrase, pattern) for (phrase, pattern), n
                      in zip(self.book.patterns(*path), self.book.needles(*path)) if n in self._folded]
        if short_only:
            short = [i for i in self.content if len(self.blocks[i].text) <= HEADING_MAX]
            for phrase, pattern in candidates:
                for i in short:
                    m = pattern.search(self.blocks[i].text)
                    if m and _fills_label(self.blocks[i].text, m):
                        hits.append(Hit(i, m.start(), m.end(), phrase, key))
        else:
            text, starts = self._joined
            for phrase, pattern in candidates:
                for m in pattern.finditer(text):
                    k = bisect_right(starts, m.start()) - 1
                    base = starts[k]
                    if m.end() - base > len(self.blocks[self.content[k]].text):
                        continue  # crossed into the next block ("re:" phrases only)
                    hits.append(Hit(self.content[k], m.start() - base, m.end() - base, phrase, key))
        hits.sort(key=lambda h: (self.blocks[h.block].order, h.start))
        return hits

    @cached_property
    def link_blocks(self) -> list[tuple[Link, int | None]]:
        """Every link of the page with the block it sits in (None if in none)."""
        return [(link, self.block_of(link.element)) for link in self.page.links]

    def block_of(self, el: Any) -> int | None:
        node = el
        while node is not None:
            i = self._index.get(node)
            if i is not None:
                return i
            node = node.getparent()
        return None

    # evidence
    def sentence(self, hit: Hit) -> tuple[int, int]:
        spans = self.blocks[hit.block].sentences
        first = next((s for s in spans if s[0] <= hit.start < s[1]), spans[0])
        last = next((s for s in spans if s[0] < hit.end <= s[1]), first)
        return first[0], max(first[1], last[1])

    def sentence_text(self, hit: Hit) -> str:
        s, e = self.sentence(hit)
        return clip_around(self.blocks[hit.block].text, s, e, hit.start, hit.end)

    def evidence(self, hit: Hit) -> Evidence:
        block = self.blocks[hit.block]
        return Evidence(url=self.page.url, selector=block.xpath, text=self.sentence_text(hit))

    def is_label(self, i: int) -> bool:
        """A heading or short label: fine to find a section by, poor evidence."""
        block = self.blocks[i]
        return (block.el.tag in LABEL_TAGS
                or (len(block.text) <= LABEL_MAX and block.text[-1:] not in ".;,!?"))

    def best(self, hits: list[Hit]) -> Hit:
        """The first hit in a sentence of running text, else the first hit."""
        return next((h for h in hits if not self.is_label(h.block)), hits[0])

    def block_evidence(self, i: int) -> Evidence:
        block = self.blocks[i]
        return Evidence(url=self.page.url, selector=block.xpath,
                        text=clip_around(block.text, 0, len(block.text), 0, 0))

    def searched(self, what: Iterable[str]) -> Evidence:
        return Evidence(url=self.page.url, selector="/html/body",
                        text=f"searched {self.words:,} words of the {self.noun} for: " + ", ".join(what))

    def following(self, i: int, count: int) -> list[int]:
        """Up to ``count`` content blocks after block ``i``, in document order."""
        pos = self._position.get(i)
        return [] if pos is None else self.content[pos + 1: pos + 1 + count]

    @cached_property
    def _position(self) -> dict[int, int]:
        return {i: pos for pos, i in enumerate(self.content)}


def _fills_label(text: str, m: re.Match[str]) -> bool:
    """A heading-only phrase counts when it is (nearly) the whole short block."""
    rest = (text[: m.start()] + text[m.end():]).strip(" :.-–—|»›>")
    return len(rest) <= 25


def clip_around(text: str, s: int, e: int, ms: int, me: int, limit: int = TEXT_MAX) -> str:
    """``text[s:e]``, or a window of it around ``text[ms:me]`` when too long."""
    piece = text[s:e].strip()
    if len(piece) <= limit:
        return piece
    room = limit - 2 - (me - ms)
    start = max(s, ms - max(0, room // 3))
    end = min(e, start + limit - 2)
    out = text[start:end].strip()
    return ("…" if start > s else "") + out + ("…" if end < e else "")


def _host_matches(url: str, hosts: Iterable[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in hosts)


# -- the check -----------------------------------------------------------

class AccessibilityStatement(Check):
    meta = CheckMeta(
        id="a11y.statement",
        title="Accessibility statement follows the EU model",
        principles=("accessibility",),
        scope=Scope.SITE,
        requires=("statement",),
        version="1.0",
        standard="Directive (EU) 2016/2102 Art. 7; Implementing Decision (EU) 2018/1523 Annex",
        description="Reads the accessibility statement the most pages link to and looks, in 12 "
                    "EU languages, for each element of the model statement: compliance status, "
                    "non-accessible content with reasons, preparation or review date within a "
                    "year, feedback mechanism with a contact, and the enforcement procedure.",
    )

    def evaluate(self, statement: StatementArtifact) -> list[Finding]:
        if not statement.links:
            return [self.finding(
                Outcome.FAILED, "Located: No accessibility statement found",
                evidence=[Evidence(text=f"{statement.pages_examined} pages examined; no link on "
                                        "them names an accessibility statement")])]
        chosen = self._choose(statement)
        if isinstance(chosen, Finding):
            return [chosen]
        url, linked = chosen
        page = statement.pages[url]
        st = Statement.read(page)
        findings = [self._located(statement, page, linked)]
        if st.words < MIN_WORDS:
            why = (f"the statement page has almost no text ({st.words} words); it is probably "
                   "built by JavaScript, so verify it by hand")
            for name in ("Compliance status", "Non-accessible content", "Preparation/review date",
                         "Feedback and contact", "Enforcement procedure"):
                findings.append(self.finding(Outcome.CANT_TELL, f"{name}: {why}",
                                             evidence=[Evidence(url=page.url, selector="/html/body",
                                                                text=f"{st.words} words of text")]))
            return findings
        status_finding, statuses = self._status(st)
        findings.append(status_finding)
        findings.append(self._non_accessible(st, statuses))
        findings.append(self._date(st, statement.today))
        findings.append(self._feedback(st))
        findings.append(self._enforcement(st))
        return findings

    # -- which page ------------------------------------------------------
    def _choose(self, statement: StatementArtifact) -> tuple[str, int] | Finding:
        fetched = [(u, n) for u, n in statement.links if u in statement.pages]
        for url, n in fetched:
            page = statement.pages[url]
            if _readable(page) is None:
                return url, n
        if not fetched:
            first, n = statement.links[0]
            others = [u for u, _ in statement.links[1:4]]
            msg = f"Located: The statement is at {first}, which was not fetched; verify it by hand"
            if others:
                msg = (f"Located: The statement is at {first} (also linked: {', '.join(others)}), "
                       "none of which was fetched; verify it by hand")
            return self.finding(Outcome.CANT_TELL, msg, evidence=[
                Evidence(url=u, text=f"linked from {k} of {statement.pages_examined} pages examined; "
                                     "not fetched (outside the crawl or not reached)")
                for u, k in statement.links[:4]])
        reasons = [(u, _readable(statement.pages[u])) for u, _ in fetched]
        evidence = [Evidence(url=u, text=why) for u, why in reasons[:4]]
        if all(statement.pages[u].status in (404, 410) for u, _ in fetched):
            return self.finding(Outcome.FAILED,
                                f"Located: The statement link leads to a missing page ({reasons[0][1]})",
                                evidence=evidence)
        return self.finding(Outcome.CANT_TELL,
                            f"Located: The statement at {reasons[0][0]} could not be read "
                            f"({reasons[0][1]}); verify it by hand", evidence=evidence)

    def _located(self, statement: StatementArtifact, page: PageArtifact, linked: int) -> Finding:
        title = page.title or "no title"
        text = (f'title "{title}"; linked from {linked} of {statement.pages_examined} pages examined')
        skipped = [u for u, _ in statement.links if u != page.url][:2]
        if skipped:
            text += "; other statement links: " + ", ".join(skipped)
        return self.finding(
            Outcome.PASSED,
            f"Located: Accessibility statement found at {page.url} (\u201c{title}\u201d, linked "
            f"from {linked} page{'s' if linked != 1 else ''})",
            evidence=[Evidence(url=page.url, selector="/html/head/title" if page.title else None,
                               text=text)])

    # -- compliance status -------------------------------------------------
    def _status(self, st: Statement) -> tuple[Finding, list[str]]:
        """The compliance status finding, and the statuses the statement names."""
        ignore = re.compile(phrase_data()["status_ignore_after"].removeprefix("re:"), re.I)
        hits: list[Hit] = []
        for status in ("full", "partial", "none"):
            for h in st.find("status", status, key=status):
                after = st.blocks[h.block].text[h.end:h.end + STATUS_LOOKAHEAD]
                after = after[:m.start()] if (m := _CLAUSE_END.search(after)) else after
                if not ignore.search(after):
                    hits.append(h)
        hits.extend(_rgaa_rate(st))
        kept: list[Hit] = []
        for h in sorted(hits, key=lambda h: (STATUS_PRIORITY[h.key], -(h.end - h.start))):
            if not any(k.block == h.block and h.start < k.end and k.start < h.end for k in kept):
                kept.append(h)
        kept.sort(key=lambda h: (st.blocks[h.block].order, h.start))
        found = list(dict.fromkeys(h.key for h in kept))
        if not found:
            return self.finding(
                Outcome.FAILED,
                "Compliance status: no declaration of full, partial or non-compliance found",
                evidence=[st.searched(examples("status", "partial"))]), []
        if len(found) > 1:
            ev = [st.evidence(next(h for h in kept if h.key == s)) for s in found]
            return self.finding(
                Outcome.CANT_TELL,
                f"Compliance status: the statement names more than one status ({', '.join(found)}); "
                "verify which one it declares",
                evidence=ev), found
        status = found[0]
        first = kept[0]
        words = st.blocks[first.block].text[first.start:first.end]
        return self.finding(
            Outcome.PASSED,
            f"Compliance status: {status} \u2014 the statement declares {STATUS_LABEL[status]} "
            f"(\u201c{words[:80]}\u201d)",
            evidence=[st.evidence(first)]), found

    # -- non-accessible content -----------------------------------------
    def _non_accessible(self, st: Statement, statuses: list[str]) -> Finding:
        section = st.find("non_accessible", "section")
        reasons = st.find("non_accessible", "reasons")
        if reasons:
            named = list(dict.fromkeys(_reason_name(h.phrase) for h in reasons))
            # the reason given in the list beats one named in passing before it
            listed = reasons
            note = "" if section else " (no heading names the list)"
            if section:
                after = st.blocks[section[0].block].order
                listed = [h for h in reasons if st.blocks[h.block].order >= after]
                if not listed:
                    listed, note = reasons, " (the reason is named before the list, not in it)"
            reason = st.best(listed)
            ev = ([st.evidence(section[0])] if section else []) + [st.evidence(reason)]
            return self.finding(
                Outcome.PASSED,
                f"Non-accessible content: listed with reasons ({', '.join(named)}){note}",
                evidence=ev)
        if section:
            return self.finding(
                Outcome.CANT_TELL,
                "Non-accessible content: the statement names content that is not accessible but "
                "gives no reason (non-compliance, disproportionate burden, outside the scope); "
                "verify the list",
                evidence=[st.evidence(st.best(section))])
        looked = st.searched(examples("non_accessible", "section") + examples("non_accessible", "reasons"))
        if statuses == ["full"]:
            return self.finding(
                Outcome.INAPPLICABLE,
                "Non-accessible content: not required, the statement declares full compliance",
                evidence=[looked])
        if "full" in statuses:
            return self.finding(
                Outcome.CANT_TELL,
                "Non-accessible content: no section lists content that is not accessible; it is "
                "required unless the statement declares full compliance, and the status is unclear",
                evidence=[looked])
        if not statuses:
            return self.finding(
                Outcome.FAILED,
                "Non-accessible content: no section lists content that is not accessible, and the "
                "statement does not declare full compliance either",
                evidence=[looked])
        declared = " or ".join(STATUS_LABEL[s] for s in statuses)
        return self.finding(
            Outcome.FAILED,
            f"Non-accessible content: no section lists content that is not accessible and why, "
            f"although the statement declares {declared}",
            evidence=[looked])

    # -- preparation / review date ---------------------------------------
    def _date(self, st: Statement, today: date) -> Finding:
        hits = (st.find("date", "prepared", key="prepared") + st.find("date", "reviewed", key="reviewed"))
        hits.sort(key=lambda h: (st.blocks[h.block].order, h.start))
        dated: list[tuple[DateRange, int, list[Evidence]]] = []
        for h in hits:
            dated.extend(self._dates_near(st, h))
        dated.extend(self._dates_by_id(st))
        if not dated:
            if hits:
                return self.finding(
                    Outcome.CANT_TELL,
                    "Preparation/review date: the statement speaks of its preparation or review but "
                    "gives no date that could be read; verify it by hand",
                    evidence=[st.evidence(st.best(hits))])
            return self.finding(
                Outcome.FAILED,
                "Preparation/review date: the statement says neither when it was prepared nor when "
                "it was last reviewed",
                evidence=[st.searched(examples("date", "prepared") + examples("date", "reviewed"))])
        # the latest date; of its mentions, the one written in the phrase's own sentence
        last, _, ev = max(dated, key=lambda t: (t[0].hi, t[0].lo, t[1]))
        newest_age = (today - min(last.hi, today)).days
        oldest_age = (today - last.lo).days
        if last.lo > today:
            return self.finding(
                Outcome.CANT_TELL,
                f"Preparation/review date: the latest date given ({last}) is in the future; "
                "verify it by hand", evidence=ev)
        if newest_age > MAX_AGE_DAYS:
            return self.finding(
                Outcome.FAILED,
                f"Preparation/review date: older than one year (last: {last}, {oldest_age} days "
                f"before {today.isoformat()})", evidence=ev)
        if oldest_age > MAX_AGE_DAYS:
            return self.finding(
                Outcome.CANT_TELL,
                f"Preparation/review date: only a month is given ({last}), which may be more or "
                "less than one year ago; verify it by hand", evidence=ev)
        return self.finding(
            Outcome.PASSED,
            f"Preparation/review date: last prepared or reviewed on {last} ({oldest_age} days "
            f"before {today.isoformat()})", evidence=ev)

    def _dates_near(self, st: Statement, hit: Hit) -> list[tuple[DateRange, int, list[Evidence]]]:
        """Dates that go with a date phrase, ranked by how closely: 3 in its sentence,
        2 just after it in its block, 1 in a <time> of its block, 0 in the next block
        when the phrase is a label or heading ("Data sporządzenia:" / "2020-09-23")."""
        block = st.blocks[hit.block]
        s, e = st.sentence(hit)
        ev = [st.evidence(hit)]
        found = [(d, 3, ev) for _, _, d in find_dates(block.text[s:e])]
        if not found:
            found = [(d, 2, ev) for _, _, d in find_dates(block.text[hit.end:hit.end + DATE_WINDOW])]
        if not found:
            found = [(d, 1, ev) for d in _time_elements(block.el)]
        if not found and block.is_short:
            for j in st.following(hit.block, 1):
                nxt = st.blocks[j]
                for start, end, d in find_dates(nxt.text[:DATE_WINDOW]):
                    found.append((d, 0, ev + [Evidence(url=st.page.url, selector=nxt.xpath,
                                                       text=_sentence_at(nxt, start, end))]))
                found += [(d, 0, ev + [st.block_evidence(j)]) for d in _time_elements(nxt.el)]
        return found

    def _dates_by_id(self, st: Statement) -> list[tuple[DateRange, int, list[Evidence]]]:
        out: list[tuple[DateRange, int, list[Evidence]]] = []
        ids = phrase_data()["date"]["element_ids"]["prepared"]
        tree = st.page.tree
        for el_id in ids:
            for el in tree.iterfind(f".//*[@id='{el_id}']"):
                text = normalise_space(el.text_content())
                dates = [d for _, _, d in find_dates(text)] or _time_elements(el)
                for d in dates:
                    out.append((d, 1, [Evidence(url=st.page.url, selector=el.getroottree().getpath(el),
                                                text=f'id="{el_id}": {text}'[:TEXT_MAX])]))
        return out

    # -- feedback and contact --------------------------------------------
    def _feedback(self, st: Statement) -> Finding:
        section = st.find("feedback", "section") + st.find("feedback", "headings", short_only=True)
        section.sort(key=lambda h: (st.blocks[h.block].order, h.start))
        contacts = self._contacts(st)
        near: list[Contact] = []
        if section:
            zone: set[int] = set()
            for h in section[:3]:
                zone.add(h.block)
                zone.update(st.following(h.block, NEAR_BLOCKS))
            near = [c for c in contacts if c.in_content and c.block in zone]
            near += [c for c in self._form_links(st, zone) if not any(c.evidence == n.evidence for n in near)]
        near = _unique(near)
        in_content = _unique([c for c in contacts if c.in_content])
        elsewhere = _unique([c for c in contacts if not c.in_content])
        sec_ev = [st.evidence(section[0])] if section else []
        if near:
            kinds = ", ".join(dict.fromkeys(c.kind for c in near))
            return self.finding(Outcome.PASSED,
                                f"Feedback and contact: a feedback section with a contact ({kinds})",
                                evidence=sec_ev + [c.evidence for c in near[:2]])
        if in_content:
            kinds = ", ".join(dict.fromkeys(c.kind for c in in_content))
            note = ("the feedback section gives none, but the statement does elsewhere"
                    if section else "no section names the feedback mechanism")
            return self.finding(Outcome.PASSED,
                                f"Feedback and contact: the statement gives a contact ({kinds}); {note}",
                                evidence=sec_ev + [c.evidence for c in in_content[:2]])
        if elsewhere:
            return self.finding(
                Outcome.CANT_TELL,
                "Feedback and contact: only the site-wide header or footer gives contact details; "
                "the statement itself names no way to report accessibility problems; verify it by hand",
                evidence=sec_ev + [c.evidence for c in elsewhere[:2]])
        looked = st.searched(["email addresses", "mailto: and tel: links", "telephone numbers",
                              "contact-form links"])
        if section:
            return self.finding(
                Outcome.FAILED,
                "Feedback and contact: a feedback section, but no email address, telephone number "
                "or contact form in it", evidence=sec_ev + [looked])
        return self.finding(
            Outcome.FAILED,
            "Feedback and contact: neither a feedback mechanism nor any contact (email, telephone, "
            "contact form) found",
            evidence=[st.searched(examples("feedback", "section") + ["email", "telephone", "contact form"])])

    def _contacts(self, st: Statement) -> list[Contact]:
        content = set(st.content)
        out: list[Contact] = []
        form_phrases = patterns("feedback", "contact_form")
        slugs = phrase_data()["feedback"]["contact_form_slugs"]
        for link, i in st.link_blocks:
            href = link.href.strip().lower()
            inside = i in content if i is not None else False
            kind = None
            if href.startswith("mailto:"):
                kind = "email"
            elif href.startswith(("tel:", "callto:")):
                kind = "telephone"
            else:
                path = urlsplit(link.url).path.lower()
                if any(p.search(link.text) for _, p in form_phrases) or any(s in path for s in slugs):
                    kind = "contact form"
            if kind:
                out.append(Contact(kind, i, inside, _link_evidence(st, link)))
        phone = _phone_pattern()
        for i, block in enumerate(st.blocks):
            inside = i in content
            for m in _EMAIL.finditer(block.text):
                out.append(Contact("email", i, inside, Evidence(
                    url=st.page.url, selector=block.xpath,
                    text=_sentence_at(block, m.start(), m.end()))))
            for pattern in (phone, _INTL_PHONE):
                for m in pattern.finditer(block.text):
                    if sum(c.isdigit() for c in m.group(0)) >= 7:
                        out.append(Contact("telephone", i, inside, Evidence(
                            url=st.page.url, selector=block.xpath,
                            text=_sentence_at(block, m.start(), m.end()))))
        # links before text: a mailto link is the best evidence
        return out

    def _form_links(self, st: Statement, zone: set[int]) -> list[Contact]:
        words = patterns("feedback", "form_words")
        out = []
        for link, i in st.link_blocks:
            if i in zone and any(p.search(link.text) for _, p in words):
                out.append(Contact("contact form", i, True, _link_evidence(st, link)))
        return out

    # -- enforcement -----------------------------------------------------
    def _enforcement(self, st: Statement) -> Finding:
        hosts = phrase_data()["enforcement"]["hosts"]
        strong = st.find("enforcement", "phrases")
        weak = st.find("enforcement", "weak")
        content = set(st.content)
        # strong words before weak ones; a sentence naming the body beats a heading as evidence
        for h in sorted(strong, key=lambda h: st.is_label(h.block)) + weak:
            link = self._link_near(st, h, hosts)
            if link is not None:
                return self.finding(
                    Outcome.PASSED,
                    f"Enforcement procedure: named, with a link ({link.url})",
                    evidence=[st.evidence(h), _link_evidence(st, link)])
        host_links = [(l, i) for l, i in st.link_blocks
                      if i in content and _host_matches(l.url, hosts) and not registry_of(l.url)]
        if host_links:
            link, i = host_links[0]
            ev = [st.block_evidence(i)] if i is not None else []
            return self.finding(
                Outcome.PASSED,
                f"Enforcement procedure: a link to the enforcement body ({link.url})",
                evidence=ev + [_link_evidence(st, link)])
        if strong:
            return self.finding(
                Outcome.PASSED,
                "Enforcement procedure: named, but no link to it was found (the model statement "
                "asks for one)",
                evidence=[st.evidence(st.best(strong))])
        return self.finding(
            Outcome.FAILED,
            "Enforcement procedure: the statement does not say where to turn if a complaint is "
            "not answered",
            evidence=[st.searched(examples("enforcement", "phrases"))])

    def _link_near(self, st: Statement, hit: Hit, hosts: list[str]) -> Link | None:
        zone = [hit.block]
        for j in st.following(hit.block, LINK_BLOCKS):
            if st.blocks[j].el.tag in HEADING_TAGS:
                break
            zone.append(j)
        candidates = [(l, i) for l, i in st.link_blocks if i in zone
                      and not l.href.lower().startswith(("mailto:", "tel:", "#")) and not registry_of(l.url)]
        if not candidates:
            return None
        for l, _ in candidates:
            if _host_matches(l.url, hosts):
                return l
        names = patterns("enforcement", "phrases")
        for l, _ in candidates:
            if any(p.search(l.text) for _, p in names):
                return l
        same = [l for l, i in candidates if i == hit.block]
        return same[0] if same else candidates[0][0]


# -- helpers -------------------------------------------------------------

def _readable(page: PageArtifact) -> str | None:
    """Why a fetched statement page cannot be read, or None if it can."""
    if page.status is not None and not 200 <= page.status < 300:
        return f"HTTP status {page.status}"
    if not page.is_html:
        return f"not an HTML page ({page.content_type or 'unknown type'})"
    if page.tree is None:
        return "the HTML could not be parsed"
    return None


def _rgaa_rate(st: Statement) -> list[Hit]:
    """French RGAA audits state "X % des critères ... sont respectés": 100 % is full,
    50 % or more partial, less non-compliance (the RGAA rule)."""
    pattern = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s?%\s+des\s+crit[èe]res|"
                         r"taux\s+global\s+de\s+conformit[ée][^%.]{0,60}?(\d{1,3}(?:[.,]\d+)?)\s?%", re.I)
    hits = []
    for i in st.content:
        for m in pattern.finditer(st.blocks[i].text):
            rate = float((m.group(1) or m.group(2)).replace(",", "."))
            key = "full" if rate >= 100 else "partial" if rate >= 50 else "none"
            hits.append(Hit(i, m.start(), m.end(), "re:RGAA rate", key))
    return hits


def _reason_name(phrase: str) -> str:
    p = phrase.lower()
    burden = ("burden", "belastung", "aufwand", "disproportionn", "sproporzion", "onevenredig",
              "desproporcion", "obciąż", "betungande", "rasit", "byrde", "zátěž", "dérogation")
    scope = ("scope", "anwendungsbereich", "champ", "ambito", "ámbito", "âmbito", "toepassingsgebied",
             "wyłącz", "omfattas", "undanta", "soveltamisala", "anvendelsesområde", "působnost",
             "nespadá", "soumis", "exempt")
    if any(b in p for b in burden):
        return "disproportionate burden"
    if any(s in p for s in scope):
        return "outside the scope"
    return "non-compliance"


@lru_cache(maxsize=1)
def _phone_pattern() -> re.Pattern[str]:
    labels = sorted(phrase_data()["feedback"]["phone_labels"], key=len, reverse=True)
    alt = "|".join(re.escape(l) for l in labels)
    return re.compile(r"(?<!\w)(?:" + alt + r")\.?\s*(?:\([^)]{0,20}\))?\s*[:.]?\s*"
                      r"(\+?\(?\d[\d\s()/.\-]{5,}\d)(?!\d)", re.I)


def _time_elements(el: Any) -> list[DateRange]:
    out = []
    for t in el.iter("time"):
        m = _TIME_DATETIME.match(t.get("datetime") or "")
        if m:
            try:
                d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
            out.append(DateRange(d, d, t.get("datetime")))
    return out


def _unique(contacts: list[Contact]) -> list[Contact]:
    """One contact per piece of evidence (an email and a phone in one sentence cite it once)."""
    seen: set[tuple[str | None, str | None]] = set()
    out = []
    for c in contacts:
        key = (c.evidence.selector, c.evidence.text)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _sentence_at(block: Block, start: int, end: int) -> str:
    first = next((s for s in block.sentences if s[0] <= start < s[1]), block.sentences[0])
    last = next((s for s in block.sentences if s[0] < end <= s[1]), first)
    return clip_around(block.text, first[0], max(first[1], last[1]), start, end)


def _link_evidence(st: Statement, link: Link) -> Evidence:
    return Evidence(url=st.page.url, selector=link.xpath, snippet=element_snippet(link.element),
                    text=link.href if link.href.lower().startswith(("mailto:", "tel:")) else
                    f"{link.text or link.href} \u2192 {link.url}")
