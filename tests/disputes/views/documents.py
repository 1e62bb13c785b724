"""Reading printed documents back in tests: a PDF's text (pypdf), whitespace removed so CJK
runs compare whole whatever line breaks the layout chose."""
from __future__ import annotations

import io

from pypdf import PdfReader


def _squeeze(text: str) -> str:
    return "".join(text.split())


def pdf_text(pdf: bytes, *, pages: bool = False) -> str | list[str]:
    """The text of a PDF without whitespace (or a list of it per page)."""
    reader = PdfReader(io.BytesIO(pdf))
    texts = [_squeeze(page.extract_text() or "") for page in reader.pages]
    return texts if pages else "".join(texts)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)
