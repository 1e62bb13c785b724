"""The monthly report's charts, drawn on the server: inline SVG for the PDF (WeasyPrint lays
SVG out natively, text in the document's CJK font) and PNG for the .docx (Word shows no SVG
everywhere), drawn with Pillow — installed with WeasyPrint, which needs it for images — in
Noto Sans CJK (Debian fonts-noto-cjk, the font the PDFs embed). Without that font file the
PNG labels fall back to Pillow's own font, which has no Chinese glyphs: the .docx then
carries the same numbers as tables beside the charts (it always does).

Two shapes are enough: horizontal bars (categories, villages, child regions) and a line of
daily counts.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from django.utils.html import escape

FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)
BAR = "#206bc4"
SECOND = "#2fb344"
GRID = "#d0d7de"
WIDTH = 640
SVG_FONT = '"Noto Sans CJK SC", "Noto Sans SC", sans-serif'


def _scale(values: Sequence[int]) -> int:
    return max([1, *values])


# --- SVG (PDF) -----------------------------------------------------------------------------------

def svg_bars(rows: Sequence[tuple[str, int]], *, title: str) -> str:
    """Horizontal bars, one row per (label, value)."""
    if not rows:
        return ""
    top, row_h, label_w = 28, 24, 170
    height = top + row_h * len(rows) + 8
    peak = _scale([v for _label, v in rows])
    usable = WIDTH - label_w - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" font-family=\'{SVG_FONT}\' role="img" aria-label="{escape(title)}">',
             f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>']
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        length = round(usable * value / peak)
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" font-size="11" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{max(length, 1)}" height="{row_h - 8}" fill="{BAR}"/>')
        parts.append(f'<text x="{label_w + length + 4}" y="{y + 15}" font-size="11">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_line(points: Sequence[tuple[str, int]], *, title: str) -> str:
    """A line of values over labelled points (the month's days)."""
    if not points:
        return ""
    height, left, top, bottom = 220, 36, 28, 28
    plot_w, plot_h = WIDTH - left - 10, height - top - bottom
    peak = _scale([v for _label, v in points])
    step = plot_w / max(len(points) - 1, 1)
    coords = [(left + i * step, top + plot_h - plot_h * v / peak) for i, (_label, v) in enumerate(points)]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" font-family=\'{SVG_FONT}\' role="img" aria-label="{escape(title)}">',
             f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 10}" y2="{top + plot_h}" stroke="{GRID}"/>',
             f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end">{peak}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" font-size="10" text-anchor="end">0</text>',
             '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>'.format(
                 BAR, " ".join(f"{x:.1f},{y:.1f}" for x, y in coords))]
    for i, (label, _value) in enumerate(points):
        if i % 5 == 0 or i == len(points) - 1:
            x = left + i * step
            parts.append(f'<text x="{x:.1f}" y="{height - 8}" font-size="10" text-anchor="middle">'
                         f'{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# --- PNG (docx) ----------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _font(size: int):
    from PIL import ImageFont

    for path in FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def cjk_font_available() -> bool:
    return any(Path(path).exists() for path in FONT_FILES)


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def png_bars(rows: Sequence[tuple[str, int]], *, title: str) -> bytes | None:
    """The same bars as `svg_bars`, as a PNG at twice the size (crisp in Word)."""
    if not rows:
        return None
    from PIL import Image, ImageDraw

    k = 2
    top, row_h, label_w = 28 * k, 24 * k, 170 * k
    width, height = WIDTH * k, top + row_h * len(rows) + 8 * k
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((0, 2 * k), title, fill="black", font=_font(13 * k))
    peak = _scale([v for _label, v in rows])
    usable = width - label_w - 60 * k
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        length = max(round(usable * value / peak), 1)
        draw.text((label_w - 6 * k, y + 3 * k), label, fill="black", font=_font(11 * k), anchor="ra")
        draw.rectangle((label_w, y + 3 * k, label_w + length, y + row_h - 5 * k), fill=BAR)
        draw.text((label_w + length + 4 * k, y + 3 * k), str(value), fill="black", font=_font(11 * k))
    return _png(image)


def png_line(points: Sequence[tuple[str, int]], *, title: str) -> bytes | None:
    if not points:
        return None
    from PIL import Image, ImageDraw

    k = 2
    width, height, left, top, bottom = WIDTH * k, 220 * k, 36 * k, 28 * k, 28 * k
    plot_w, plot_h = width - left - 10 * k, height - top - bottom
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((0, 2 * k), title, fill="black", font=_font(13 * k))
    peak = _scale([v for _label, v in points])
    step = plot_w / max(len(points) - 1, 1)
    coords = [(left + i * step, top + plot_h - plot_h * v / peak) for i, (_label, v) in enumerate(points)]
    draw.line((left, top + plot_h, width - 10 * k, top + plot_h), fill=GRID, width=k)
    draw.text((left - 4 * k, top), str(peak), fill="black", font=_font(10 * k), anchor="ra")
    draw.text((left - 4 * k, top + plot_h), "0", fill="black", font=_font(10 * k), anchor="rs")
    if len(coords) > 1:
        draw.line(coords, fill=BAR, width=2 * k)
    for i, (label, _value) in enumerate(points):
        if i % 5 == 0 or i == len(points) - 1:
            draw.text((left + i * step, height - 20 * k), label, fill="black", font=_font(10 * k), anchor="ma")
    return _png(image)
