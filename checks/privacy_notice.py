"""``privacy.notice``: does the privacy notice say what GDPR Article 13 requires?

Art. 13 lists what a controller must tell people when it collects their data:
who the controller is and how to reach it (1a), the data protection officer's
contact (1b), the purposes (1c) and legal basis (1c-d), the recipients (1e),
transfers outside the EU/EEA (1f), how long data are kept (2a), the data
subject's rights (2b), the right to withdraw consent (2c) and to complain to a
supervisory authority (2d). This site check reads the page the portal links to
as its privacy notice (the linked page that reads most like one, from the link
evidence of ``privacy.notice-link``) and reports one finding per element with
the sentence that states it, or with what was searched when nothing does.

The words are data (``privacy_notice_phrases.json``, per element and language);
the reading (blocks, sentences, phrase matching with accent and inflection
tolerance) is the accessibility statement's. A page that does not read like a
notice at all (a cookie table, a hub of links, a legal notice) makes every
element ``cantTell``: the notice may be elsewhere, and a person should look.
"""
from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from checks.a11y_statement import _EMAIL, _INTL_PHONE, MIN_WORDS, Hit, Statement, _readable, clip_around
from checks.artifacts import PageArtifact, StatementArtifact, normalise_space
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope
from checks.lexicon import match_text
from checks.phrases import PhraseBook

NOTICE = PhraseBook("privacy_notice_phrases.json")

# (id, label, GDPR reference); the order of the findings
ELEMENTS = (
    ("controller", "Controller identity and contact", "Art. 13(1)(a)"),
    ("dpo", "Data protection officer contact", "Art. 13(1)(b)"),
    ("purposes", "Purposes of the processing", "Art. 13(1)(c)"),
    ("legal_basis", "Legal basis", "Art. 13(1)(c), (d)"),
    ("recipients", "Recipients", "Art. 13(1)(e)"),
    ("transfers", "Transfers outside the EU/EEA", "Art. 13(1)(f)"),
    ("retention", "Retention period", "Art. 13(2)(a)"),
    ("rights", "Data subject rights", "Art. 13(2)(b)"),
    ("withdraw_consent", "Right to withdraw consent", "Art. 13(2)(c)"),
    ("complaint", "Right to complain to a supervisory authority", "Art. 13(2)(d)"),
)
CONTACT_ELEMENTS = {"controller", "dpo"}   # these must come with a way to reach them
CONTACT_WINDOW = 3                         # blocks after the one naming the controller/DPO
ADDRESS_LINE_MAX = 160                     # a short block after a sentence: its address line
SECTION_BLOCKS = 4                         # blocks under a heading that belong to its section
MIN_SENTENCE_WORDS = 6                     # shorter "sentences" are headings run into the text
MIN_ELEMENTS_FOR_A_NOTICE = 3


class Notice(Statement):
    """A privacy notice page, read like a statement but with the notice's phrases."""

    book: ClassVar[PhraseBook] = NOTICE
    noun: ClassVar[str] = "notice"


def find_element(notice: Notice, element: str) -> list[Hit]:
    """Sentences stating an element, then short labels naming it (a table's row header
    "Responsable", a definition term "Speicherdauer"), which count only as whole labels."""
    hits = notice.find(element)
    if element in NOTICE.data.get("labels", {}):
        hits += notice.find("labels", element, short_only=True)
    return hits


def _calls_itself_a_notice(notice: Notice) -> bool:
    """GDPR wording ("ai sensi dell'art. 13", "DSGVO"), or a title or main heading that
    names privacy in any EU language ("Politique de confidentialité"), not cookies."""
    if notice.find("notice"):
        return True
    tree = notice.page.tree
    h1 = tree.find(".//h1") if tree is not None else None
    names = [notice.page.title or "", normalise_space(h1.text_content()) if h1 is not None else ""]
    return any(match_text("privacy", n) and not match_text("cookies", n) for n in names if n)


def _score(notice: Notice) -> tuple[int, bool]:
    """How many elements a page states, and whether it calls itself a privacy notice."""
    return (sum(1 for e, _, _ in ELEMENTS if find_element(notice, e)), _calls_itself_a_notice(notice))


def best_hit(notice: Notice, hits: list[Hit]) -> Hit:
    """The sentence that best states an element, as evidence.

    Preferred: a sentence in the section under a heading that names the element
    (not the introduction that lists every topic), holding several of the
    element's phrases ("access, rectification, erasure"), long enough to be a
    sentence rather than a numbered heading run into the text; then the first.
    """
    headed: set[int] = set()
    for h in hits:
        if notice.is_label(h.block):
            headed.update(notice.following(h.block, SECTION_BLOCKS))
    sentences: dict[tuple[int, int], set[str]] = {}
    for h in hits:
        sentences.setdefault((h.block, notice.sentence(h)[0]), set()).add(h.phrase)

    def rank(h: Hit) -> tuple:
        start, end = notice.sentence(h)
        words = len(notice.blocks[h.block].text[start:end].split())
        return (notice.is_label(h.block), h.block not in headed,
                words < MIN_SENTENCE_WORDS, -len(sentences[(h.block, start)]),
                notice.blocks[h.block].order, h.start)
    return min(hits, key=rank)


def hit_evidence(notice: Notice, hit: Hit) -> list[Evidence]:
    """The sentence holding the hit; a heading run into the text ("2. Finalità del
    trattamento.") is quoted with the sentence after it, a label with the next block."""
    block = notice.blocks[hit.block]
    if notice.is_label(hit.block):
        return [notice.evidence(hit)] + [notice.block_evidence(i) for i in notice.following(hit.block, 1)]
    start, end = notice.sentence(hit)
    if len(block.text[start:end].split()) < MIN_SENTENCE_WORDS:
        end = next((e for s, e in block.sentences if s >= end), end)
    return [Evidence(url=notice.page.url, selector=block.xpath,
                     text=clip_around(block.text, start, end, hit.start, hit.end))]


class PrivacyNotice(Check):
    meta = CheckMeta(
        id="privacy.notice", title="Privacy notice gives the GDPR Article 13 information",
        principles=("privacy",), scope=Scope.SITE, requires=("privacy_notice",), version="1.0",
        standard="GDPR (EU) 2016/679 Art. 13 (information to be provided)",
        description="Reads the linked privacy notice and looks for each Art. 13 element "
                    "(controller, DPO, purposes, legal basis, recipients, transfers, retention, "
                    "rights, withdrawal of consent, complaint), quoting the sentence.")

    def evaluate(self, privacy_notice: StatementArtifact) -> list[Finding]:
        art = privacy_notice
        if not art.links:
            return [self.finding(Outcome.FAILED, "Located: No privacy notice found",
                                 evidence=[Evidence(text=f"{art.pages_examined} pages examined; no link "
                                                         "on them names a privacy notice")])]
        readable = [(u, art.pages[u]) for u, _ in art.links
                    if u in art.pages and _readable(art.pages[u]) is None]
        if not readable:
            return [self._not_read(art)]
        # the linked page that reads most like a notice; ties go to the most linked
        read = [(u, p, Notice.read(p)) for u, p in readable]
        scored = [(_score(n), -i, u, p, n) for i, (u, p, n) in enumerate(read)]
        (elements, marked), _, url, page, notice = max(scored, key=lambda t: (t[0][0], t[0][1], t[1]))
        linked = dict(art.links)[url]
        located = self._located(art, page, linked, elements, marked, notice)
        findings = [located]
        unsure = located.outcome != Outcome.PASSED
        for element, label, ref in ELEMENTS:
            findings.append(self._element(notice, element, label, ref, unsure))
        return findings

    def _not_read(self, art: StatementArtifact) -> Finding:
        fetched = [u for u, _ in art.links if u in art.pages]
        ev = [Evidence(url=u, text=(_readable(art.pages[u]) if u in art.pages else
                                    f"linked from {n} pages; not fetched (outside the crawl, e.g. "
                                    "another host, or not reached)")) for u, n in art.links[:4]]
        if fetched and all(art.pages[u].status in (404, 410) for u in fetched):
            return self.finding(Outcome.FAILED, "Located: The privacy notice link leads to a missing page",
                                evidence=ev)
        return self.finding(Outcome.CANT_TELL,
                            f"Located: The privacy notice at {art.links[0][0]} could not be read "
                            "(not fetched, or not an HTML page); verify it by hand", evidence=ev)

    def _located(self, art: StatementArtifact, page: PageArtifact, linked: int, elements: int,
                 marked: bool, notice: Notice) -> Finding:
        title = page.title or "no title"
        text = f'title "{title}"; linked from {linked} of {art.pages_examined} pages examined'
        others = [u for u, _ in art.links if u != page.url][:2]
        if others:
            text += "; other privacy links: " + ", ".join(others)
        ev = [Evidence(url=page.url, selector="/html/head/title" if page.title else None, text=text)]
        details = {"elements_found": elements, "calls_itself_a_notice": marked, "words": notice.words}
        if notice.words < MIN_WORDS:
            return self.finding(Outcome.CANT_TELL,
                                f"Located: The page linked as privacy notice ({page.url}) has almost no "
                                f"text ({notice.words} words); it is probably built by JavaScript or "
                                "a PDF link hub: verify it by hand", evidence=ev, details=details)
        if elements < MIN_ELEMENTS_FOR_A_NOTICE and not marked:
            return self.finding(Outcome.CANT_TELL,
                                f"Located: The page linked as privacy notice ({page.url}, \u201c{title}\u201d) "
                                f"does not read like a GDPR notice ({elements} of {len(ELEMENTS)} elements, "
                                "no GDPR wording, no privacy title); it may be a cookie policy, a legal notice or a "
                                "hub of notices: verify by hand", evidence=ev, details=details)
        return self.finding(Outcome.PASSED,
                            f"Located: Privacy notice found at {page.url} (\u201c{title}\u201d, linked from "
                            f"{linked} page{'s' if linked != 1 else ''}; {elements} of {len(ELEMENTS)} "
                            "Art. 13 elements stated)", evidence=ev, details=details)

    def _element(self, notice: Notice, element: str, label: str, ref: str, unsure: bool) -> Finding:
        details = {"element": element, "gdpr": ref}
        hits = find_element(notice, element)
        if element == "complaint":
            dpa = self._dpa_link(notice)
            if dpa is not None and not hits:
                return self.finding(Outcome.PASSED, f"{label} ({ref}): links to a supervisory authority",
                                    evidence=[dpa], details=details)
        if not hits:
            outcome = Outcome.CANT_TELL if unsure else Outcome.FAILED
            return self.finding(outcome, f"{label} ({ref}): not found in the notice",
                                evidence=[notice.searched(NOTICE.examples(element))], details=details)
        best = best_hit(notice, hits)
        evidence = hit_evidence(notice, best)
        if element in CONTACT_ELEMENTS:
            other = next(e for e in CONTACT_ELEMENTS if e != element)
            contact = self._contact_near(notice, hits, {h.block for h in find_element(notice, other)})
            if contact is None:
                return self.finding(Outcome.CANT_TELL,
                                    f"{label} ({ref}): named, but no e-mail address, telephone number or "
                                    "mailto link near it; verify how to reach them", evidence=evidence,
                                    details=details)
            evidence.append(contact)
        outcome = Outcome.CANT_TELL if unsure else Outcome.PASSED
        return self.finding(outcome, f"{label} ({ref}): stated", evidence=evidence, details=details)

    @staticmethod
    def _contact_near(notice: Notice, hits: list[Hit], other: set[int]) -> Evidence | None:
        """An e-mail, telephone number or mailto link in a block naming the controller/DPO,
        or in the few blocks after it (an address block under a heading); never in a
        block naming the other one (``other``: the DPO's blocks for the controller)."""
        zone: list[int] = []
        for h in hits:
            zone.append(h.block)
            if notice.is_label(h.block):  # a heading: its section's first blocks
                zone += notice.following(h.block, CONTACT_WINDOW)
            else:  # a sentence: an address line right after it, not the next topic
                zone += [i for i in notice.following(h.block, 1)
                         if len(notice.blocks[i].text) <= ADDRESS_LINE_MAX]
        zone = [i for i in zone if i not in other or i in {h.block for h in hits}]
        zone_set = set(zone)
        for link, i in notice.link_blocks:
            if i in zone_set and link.href.strip().lower().startswith(("mailto:", "tel:")):
                return Evidence(url=notice.page.url, selector=link.xpath, snippet=link.snippet,
                                text=link.text or link.href)
        for i in dict.fromkeys(zone):
            block = notice.blocks[i]
            m = _EMAIL.search(block.text) or _INTL_PHONE.search(block.text)
            if m:
                return Evidence(url=notice.page.url, selector=block.xpath,
                                text=block.text[max(0, m.start() - 80): m.end() + 40])
        return None

    @staticmethod
    def _dpa_link(notice: Notice) -> Evidence | None:
        hosts = [h.lower() for h in NOTICE.data.get("dpa_hosts", [])]
        for link, _ in notice.link_blocks:
            host = (urlsplit(link.url).hostname or "").lower()
            if any(host == h or host.endswith("." + h) for h in hosts):
                return Evidence(url=link.url, selector=link.xpath, snippet=link.snippet, text=link.text)
        return None
