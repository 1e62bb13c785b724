"""The kernel's Excel writer: an iterator of rows → an .xlsx with real numbers and dates.

openpyxl's write-only mode keeps no rows in memory (each row goes to a temporary file as it
is written), so 100,000 rows cost the same memory as 100. `xlsx_write` writes to any binary
file; `xlsx_response` answers a request with a temporary file (spooled to disk past 1 MB) as
a download; `ExportJob` (governance/models.py) and the owning app's Celery task write large
exports in the background with their progress (docs/dashboard.md).

Values: `int`/`float`/`Decimal` stay numbers, `datetime` (aware → Asia/Shanghai) and `date`
become Excel dates with a date format, `Percent` a number with a percent format, `None` an
empty cell, anything else its text.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from governance.workdays import SHANGHAI

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class Percent:
    """A rate given in percent (85.3 means 85.3 %); written as 0.853 with a percent format."""

    value: float | None


def _cell(sheet, value: Any):
    if isinstance(value, Percent):
        if value.value is None:
            return WriteOnlyCell(sheet, value="—")
        cell = WriteOnlyCell(sheet, value=value.value / 100)
        cell.number_format = PERCENT_FORMAT
        return cell
    if isinstance(value, dt.datetime):
        local = value.astimezone(SHANGHAI) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(sheet, value=local.replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if value is None or isinstance(value, bool):
        return WriteOnlyCell(sheet, value=None if value is None else ("是" if value else "否"))
    if isinstance(value, int | float | Decimal):
        return WriteOnlyCell(sheet, value=value)
    return WriteOnlyCell(sheet, value=str(value))


def xlsx_write(target: IO[bytes], *, title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]],
               progress: Callable[[int], None] | None = None) -> int:
    """Write one sheet (a bold header, then `rows`) to `target`; returns the number of rows.
    `progress(n)` is called every 500 rows and at the end."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(title)[:31] or "Sheet1")
    bold = Font(bold=True)
    head = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if progress is not None:
        progress(count)
    book.save(target)
    return count


def xlsx_response(*, filename: str, title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> FileResponse:
    """A download of the rows as .xlsx, written to a temporary file first (the zip needs
    the whole sheet), so the rows never sit in memory."""
    # Closed by FileResponse once sent (a context manager would close it before).
    target = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
    xlsx_write(target, title=title, header=header, rows=rows)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
