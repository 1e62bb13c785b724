"""The import/export file format of grids and grid workers: one sheet (or CSV file) per kind,
Chinese headers in a fixed order, one row per grid or tenure. Reading and writing only (no
database): services.imports checks and applies rows, the pages export with `write_rows`.

.xlsx through openpyxl (already pinned); .csv through the standard library, UTF-8 with a BOM
on the way out (Excel opens it), UTF-8 or GB18030 on the way in (what Chinese Excel saves)."""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from governance.errors import InvalidInput

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Layout:
    kind: str
    title: str
    headers: tuple[str, ...]


GRID_LAYOUT = Layout("grids", "网格", (
    "网格编码", "网格名称", "所属村(社区)编码", "网格类型", "户数", "人口", "中心点经度", "中心点纬度", "边界(GeoJSON)"))
WORKER_LAYOUT = Layout("workers", "网格员", (
    "网格编码", "网格员账号", "网格员姓名", "用工形式", "任职日期", "离任日期", "离任原因"))
LAYOUTS = {layout.kind: layout for layout in (GRID_LAYOUT, WORKER_LAYOUT)}


def _fail(message: str) -> InvalidInput:
    return InvalidInput(message, code="bad_file", extra={"fields": {"file": message}})


# A cell starting with one of these is a formula to Excel: exported text gets a leading "'"
# (shown as text, never run), which the import takes off again.
FORMULA_STARTS = ("=", "+", "@", "-")


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def _unsafe(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_STARTS else text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "date") and callable(value.date):  # an Excel date cell
        value = value.date()
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _fail(_("无法读取该 Excel 文件,请确认是 .xlsx 格式(不支持旧版 .xls)")) from None
    sheet = book.worksheets[0]
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    book.close()
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _fail(_("无法识别 CSV 文件的编码,请另存为 UTF-8 编码的 CSV"))
    if "\x00" in text:
        raise _fail(_("文件内容不是 CSV 文本"))
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error:
        raise _fail(_("CSV 文件格式不正确")) from None


def read_rows(*, name: str, data: bytes, layout: Layout) -> list[dict[str, str]]:
    """The file's data rows as {header: text}, checked for type, size and headers. Blank rows
    are skipped; each row keeps its spreadsheet line number under "_line"."""
    if len(data) > MAX_BYTES:
        raise _fail(_("文件过大(最大 %(mb)s MB)") % {"mb": MAX_BYTES // (1024 * 1024)})
    lower = name.lower()
    if lower.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise _fail(_("文件扩展名是 .xlsx,但内容不是 Excel 文件"))
        rows = _xlsx_rows(data)
    elif lower.endswith(".csv"):
        rows = _csv_rows(data)
    else:
        raise _fail(_("只支持 .xlsx 或 .csv 文件"))
    if not rows:
        raise _fail(_("文件是空的"))
    header = [h for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    if tuple(header) != layout.headers:
        raise _fail(_("表头不正确,应为:%(headers)s") % {"headers": "、".join(layout.headers)})
    body = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        body.append({"_line": str(line),
                     **{h: _unsafe(row[i]) if i < len(row) else "" for i, h in enumerate(layout.headers)}})
    if len(body) > MAX_ROWS:
        raise _fail(_("行数过多(最多 %(n)s 行)") % {"n": MAX_ROWS})
    if not body:
        raise _fail(_("文件中没有数据行"))
    return body


def write_rows(*, layout: Layout, rows: Iterable[Sequence], fmt: str) -> bytes:
    """The rows under the layout's headers, as .xlsx or .csv bytes."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(layout.headers)
        writer.writerows([[_safe(v) for v in row] for row in rows])
        return out.getvalue().encode("utf-8-sig")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(layout.title)
    sheet.append(list(layout.headers))
    for row in rows:
        sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
