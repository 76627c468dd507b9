"""``forms.pdf`` (page and document): forms the citizen must download, print, sign and send.

On a downloaded PDF: a form with fillable fields (``/AcroForm``) can at least be
filled on screen (``passed``, with the field count); a PDF whose title or first
lines name it a form ("Antrag auf…", "Modulo di domanda", "Cerfa") but has no
fields is paper-only (``failed``). Reports, minutes and budgets are not forms
(no finding).

On an HTML page: links to PDF or office documents whose text or file name names a
form. With an online service form on the same page, or wording that the service
can be done online, the download is an alternative (``passed``); without, the
page makes the citizen go through paper (``failed``), and the words around the
link that say so (print, sign, send by post, hand in at the office) are quoted.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from checks.artifacts import Link, PageArtifact, normalise_space
from checks.base import Check, CheckMeta, Evidence, Finding, Outcome, Scope
from checks.documents import document_extension, is_pdf, read_pdf
from checks.forms import FORMS, SERVICE_KINDS, read_forms
from checks.phrases import first_phrase

MAX_EVIDENCE = 5
# Dotted or underlined blanks ("Nom : ..........") are how a paper form asks, in any language.
_BLANKS = re.compile(r"[._…]{8,}")
MIN_BLANKS = 3
_BLOCKS = ("p", "li", "td", "dd", "div", "section", "article")


def matches(path: str, text: str) -> str | None:
    """The first phrase of ``forms_phrases.json`` at ``path`` found in ``text``."""
    return first_phrase(FORMS, (path,), text)


def _file_words(url: str) -> str:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ")


def _surrounding(link: Link) -> tuple[Any, str]:
    """The block around a link (its paragraph or list item, else its parent) and its text,
    with the two paragraphs before a download list ("Use our form… Print it, sign it…")."""
    node = link.element.getparent()
    while node is not None and node.tag not in _BLOCKS:
        node = node.getparent()
    node = node if node is not None else link.element.getparent()
    if node is None:
        return None, ""
    parts = [node.text_content()]
    holder = node.getparent() if node.tag == "li" else node
    prev = holder.getprevious() if holder is not None else None
    for _ in range(2):
        if prev is None or not isinstance(prev.tag, str) or prev.tag.startswith("h"):
            break
        parts.insert(0, prev.text_content())
        prev = prev.getprevious()
    return node, normalise_space(" ".join(parts))[:800]


def downloadable_forms(page: PageArtifact) -> list[tuple[Link, str, str, str | None]]:
    """Links to PDF/office documents that are forms: (link, extension, the words naming it a
    form, the paper-procedure words around it)."""
    out = []
    for link in page.links:
        ext = document_extension(link.url)
        if ext is None or matches("not_form_document_words", link.text):
            continue
        _, around = _surrounding(link)
        named = (matches("form_document_words", link.text) or matches("form_document_words", _file_words(link.url))
                 or matches("form_document_words", around))
        if named:
            out.append((link, ext, named, matches("pdf_paper", around)))
    return out


class PdfForms(Check):
    meta = CheckMeta(
        id="forms.pdf", title="No paper-only forms (download, print, sign, send)",
        principles=("digital-delivery", "once-only"), scope=Scope.PAGE, requires=("page",),
        version="1.0", reads_documents=True,
        standard="Tallinn Declaration (digital by default); Regulation (EU) 2018/1724 (SDG) Art. 6",
        description="Downloadable PDF/office forms: fillable or paper-only (pypdf), and whether the "
                    "page offers an online alternative; wording such as print, sign, send by post.")

    def evaluate(self, page: PageArtifact) -> list[Finding]:
        if is_pdf(page):
            return self._document(page)
        if not page.is_html or page.tree is None:
            return []
        return self._page(page)

    # -- a downloaded PDF -----------------------------------------------------
    def _document(self, page: PageArtifact) -> list[Finding]:
        doc = read_pdf(page)
        head = f"{doc.title} {doc.text[:600]}"
        form_word = matches("form_document_words", head) or matches("form_document_words", _file_words(page.url))
        if doc.error:
            if form_word:
                return [self.finding(Outcome.CANT_TELL, f"A PDF named as a form could not be read: {doc.error}",
                                     url=page.url, evidence=[Evidence(url=page.url, text=doc.error)],
                                     details={"document": "pdf", "error": doc.error})]
            return []
        details = {"document": "pdf", "fillable": doc.fillable, "fields": len(doc.fields), "pages": doc.pages}
        if doc.fillable:
            return [self.finding(Outcome.PASSED, f"Fillable PDF form ({len(doc.fields)} fields: "
                                 f"{', '.join(doc.fields[:6])}); it can be filled in on screen",
                                 url=page.url, evidence=[Evidence(url=page.url, text=doc.text[:280] or doc.title)],
                                 details=details)]
        not_form = matches("not_form_document_words", head)
        paper = matches("pdf_paper", doc.text)
        blanks = len(_BLANKS.findall(doc.text))
        details["blank_lines"] = blanks
        if (form_word and not (not_form and not paper)) or (blanks >= MIN_BLANKS and not not_form):
            why = ", ".join(x for x in (f'"{form_word}"' if form_word else "", f'"{paper}"' if paper else "",
                                        f"{blanks} blanks to fill in by hand" if blanks >= MIN_BLANKS else "") if x)
            return [self.finding(Outcome.FAILED, f"Paper-only PDF form (no fillable fields; {why}): it must be "
                                 "printed and filled in by hand", url=page.url,
                                 evidence=[Evidence(url=page.url, text=doc.text[:280] or doc.title)],
                                 details=dict(details, paper_words=paper))]
        return []

    # -- an HTML page linking documents -----------------------------------------
    def _page(self, page: PageArtifact) -> list[Finding]:
        downloads = downloadable_forms(page)
        if not downloads:
            return []
        online = [f for f in read_forms(page) if f.kind in SERVICE_KINDS]
        online_words = matches("online_service", page.main_text)
        evidence = []
        for link, ext, named, paper in downloads[:MAX_EVIDENCE]:
            _, around = _surrounding(link)
            evidence.append(Evidence(url=link.url, selector=link.xpath, snippet=link.snippet,
                                     text=f"{ext} form (\"{named}\"" + (f', "{paper}"' if paper else "")
                                          + f"): {around[:200]}"))
        details = {"documents": [link.url for link, *_ in downloads][:20],
                   "paper_words": sorted({p for *_, p in downloads if p}),
                   "online_forms": len(online), "online_wording": online_words}
        if online or online_words:
            alt = (f"an online form on the page ({online[0].kind.replace('_', ' ')})" if online
                   else f'wording that it can be done online ("{online_words}")')
            evidence.append(online[0].evidence(page.url) if online else
                            Evidence(url=page.url, text=online_words))
            return [self.finding(Outcome.PASSED, f"{len(downloads)} downloadable form(s), with {alt}",
                                 url=page.url, evidence=evidence, details=details)]
        paper = details["paper_words"]
        return [self.finding(Outcome.FAILED,
                             f"{len(downloads)} downloadable form(s) and no online alternative on the page"
                             + (f" (\"{paper[0]}\")" if paper else ""),
                             url=page.url, evidence=evidence, details=details)]
