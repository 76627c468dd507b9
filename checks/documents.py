"""Reading downloaded documents (PDF) for what form checks need: fillable fields and text.

pypdf reads the document's ``/AcroForm`` field list (a fillable form) and the
text of its first pages (the title and instructions: "Antrag auf…", "da
stampare e firmare"). Documents are hostile input like pages: only the first
``MAX_BYTES`` are considered, at most ``MAX_PAGES`` pages are read, and any
parse error makes the document unreadable (said so), never a crash.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from checks.artifacts import PageArtifact

MAX_BYTES = 15 * 1024 * 1024
MAX_PAGES = 2
MAX_TEXT = 4000
PDF_TYPES = ("application/pdf", "application/x-pdf")
OFFICE_EXTENSIONS = (".doc", ".docx", ".odt", ".rtf", ".xls", ".xlsx", ".ods")
DOCUMENT_EXTENSIONS = (".pdf",) + OFFICE_EXTENSIONS
_CACHE_ATTR = "_citylabel_document"

logging.getLogger("pypdf").setLevel(logging.ERROR)  # broken PDFs are common; we report, not log


@dataclass(frozen=True)
class Document:
    url: str
    fields: tuple[str, ...]      # fillable field names (AcroForm)
    text: str                    # text of the first pages, clipped
    title: str                   # the document's metadata title, if any
    pages: int
    error: str | None = None

    @property
    def fillable(self) -> bool:
        return bool(self.fields)


def is_pdf(page: PageArtifact) -> bool:
    ct = (page.content_type or "").split(";")[0].strip().lower()
    return ct in PDF_TYPES or (ct in ("", "application/octet-stream")
                               and urlsplit(page.url).path.lower().endswith(".pdf")
                               and page.body[:5] == b"%PDF-")


def document_extension(url: str) -> str | None:
    path = urlsplit(url).path.lower()
    return next((ext for ext in DOCUMENT_EXTENSIONS if path.endswith(ext)), None)


def read_pdf(page: PageArtifact) -> Document:
    """The PDF's fields and first text, read once per page artifact."""
    cached = page.__dict__.get(_CACHE_ATTR)
    if cached is not None:
        return cached
    doc = _read(page)
    page.__dict__[_CACHE_ATTR] = doc
    return doc


def _read(page: PageArtifact) -> Document:
    if len(page.body) > MAX_BYTES:
        return Document(page.url, (), "", "", 0, f"larger than {MAX_BYTES // (1024 * 1024)} MiB; not read")
    try:
        from pypdf import PdfReader
        reader = PdfReader(io.BytesIO(page.body), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001 - a password-protected PDF cannot be read
                return Document(page.url, (), "", "", 0, "encrypted")
        fields = tuple(sorted((reader.get_fields() or {}).keys()))[:200]
        parts = []
        for p in reader.pages[:MAX_PAGES]:
            parts.append(p.extract_text() or "")
            if sum(len(x) for x in parts) > MAX_TEXT:
                break
        meta = reader.metadata
        title = str(meta.title) if meta is not None and meta.title else ""
        return Document(page.url, fields, " ".join(" ".join(parts).split())[:MAX_TEXT], title[:300],
                        len(reader.pages))
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken files
        return Document(page.url, (), "", "", 0, f"unreadable PDF: {type(exc).__name__}: {str(exc)[:200]}")
