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


def font_names(pdf: bytes) -> set[str]:
    """The /FontName of every font the pages use, read through pypdf's object model (a regex
    over raw streams misses a stream whose compressed bytes happen to end in 0x0D)."""
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts") or [font]:
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    names.add(str(descriptor.get_object()["/FontName"]).lstrip("/"))
    return names


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)
