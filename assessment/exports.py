"""The Excel exports of the ranking and of a unit's detail: numbers as numbers (openpyxl)."""
from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from assessment.selectors import Ranking, UnitDetail

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book(title: str, header: list[str], rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _num(value) -> float | None:
    return None if value is None else float(value)


def ranking_workbook(result: Ranking) -> bytes:
    header = [_("排名"), _("单位"), _("总分"), _("计算得分"), _("调整"), _("等次"), _("一票否决"), _("较上期名次"),
              _("较上期得分"), _("目标分")]
    rows = [[r.score.rank, r.name, _num(r.score.total), _num(r.score.computed_total), _num(r.score.adjustment),
             r.score.get_grade_display(), _("是") if r.score.vetoed else "", r.change_rank, _num(r.change_total),
             _num(r.target)] for r in result.rows]
    return _book(_("考核排名"), header, rows)


def unit_workbook(detail: UnitDetail) -> bytes:
    header = [_("编号"), _("考核内容"), _("类型"), _("分值"), _("分子"), _("分母"), _("指标值"), _("得分"), _("目标值"),
              _("说明")]
    rows = []
    for d in detail.lines:
        line = d.line
        points = d.group_points if line is None else line.points
        rows.append([d.item.code, d.item.name, d.item.get_kind_display(), _num(d.item.max_points),
                     line.numerator if line else None, line.denominator if line else None,
                     _num(line.value) if line else None, _num(points), _num(d.target) if d.target not in ("",) else None,
                     line.note if line else ""])
    rows.append([_("合计"), detail.score.unit.name, "", None, None, None, None, _num(detail.score.total), None,
                 _("排名第%(rank)s") % {"rank": detail.score.rank}])
    return _book(_("得分明细"), header, rows)
