"""Small PDF files for tests: text pages, optionally with fillable (AcroForm) fields.

Real PDF forms come from office suites and form designers; what checks read is
the same either way: the text of the pages and the ``/AcroForm`` field list.
Written with pypdf's object model, so no extra library is needed.

    python -m tests.pdfgen OUT.pdf "Title" "line" "line" --field name --field other
"""
from __future__ import annotations

import argparse
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject,
                           NumberObject, TextStringObject)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(path: Path | str, title: str, lines: list[str], fields: list[str] = ()) -> Path:
    """Write a one-page PDF with ``title`` and ``lines`` (Latin-1 text) and, when
    ``fields`` are given, one fillable text field per name below the text."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica"),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    ops = ["BT", "/F1 16 Tf", "50 790 Td", f"({_escape(title)}) Tj", "/F1 11 Tf", "0 -24 Td"]
    for line in lines:
        ops += [f"({_escape(line)}) Tj", "0 -16 Td"]
    ops.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    if fields:
        annots, refs = ArrayObject(), ArrayObject()
        y = 760 - 16 * len(lines) - 30
        for name in fields:
            widget = DictionaryObject({
                NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject(name),
                NameObject("/Rect"): ArrayObject([FloatObject(200), FloatObject(y), FloatObject(500),
                                                  FloatObject(y + 18)]),
                NameObject("/F"): NumberObject(4), NameObject("/P"): page.indirect_reference,
                NameObject("/DA"): TextStringObject("/F1 10 Tf 0 g")})
            ref = writer._add_object(widget)
            annots.append(ref)
            refs.append(ref)
            y -= 26
        page[NameObject("/Annots")] = annots
        writer._root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject({
            NameObject("/Fields"): refs, NameObject("/NeedAppearances"): NameObject("/true")}))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("title")
    ap.add_argument("lines", nargs="*")
    ap.add_argument("--field", action="append", default=[])
    a = ap.parse_args()
    make_pdf(a.out, a.title, a.lines, a.field)


if __name__ == "__main__":
    main()
