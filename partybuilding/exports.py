"""The statistics page's Excel export: one sheet per table, numbers as numbers."""
from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from partybuilding.selectors.stats import PartyStats


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = book.create_sheet(title=title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 16


def stats_workbook(stats: PartyStats) -> bytes:
    book = Workbook()
    book.remove(book.active)
    _sheet(book, _("网格覆盖"), [_("区划"), _("有效网格数"), _("有党小组的网格数"), _("覆盖率"), _("服务党员数"),
                                 _("每网格党员数")],
           [[r.region_name, r.grids, r.covered, r.rate, r.members, r.members_per_grid] for r in stats.coverage]
           + [[_("合计"), stats.grids, stats.covered, stats.rate, sum(r.members for r in stats.coverage), None]])
    _sheet(book, _("组建方式"), [_("组建方式"), _("党小组数")],
           [[_("单建"), stats.groups_single], [_("联建"), stats.groups_joint]])
    _sheet(book, _("双报到"), [_("社区"), _("在职党员报到人数")], [list(r) for r in stats.reported_by_community])
    _sheet(book, _("兼职委员"), [_("社区"), _("在任兼职委员数")], [list(r) for r in stats.part_time_by_community])
    months = [_("%(m)s月") % {"m": m} for m in range(1, 13)]
    _sheet(book, _("活动"), [_("活动类型"), *months, _("合计")],
           [[kind, *counts, sum(counts)] for kind, counts in stats.activities_by_month.items()]
           + [[_("志愿服务时长(小时)"), *([None] * 12), float(stats.volunteer_hours)]])
    _sheet(book, _("经费"), [_("社区"), _("年度经费(元)"), _("已批准(元)"), _("待审批(元)"), _("余额(元)")],
           [[r.region_name, float(r.amount), float(r.approved), float(r.pending), float(r.balance)]
            for r in stats.funds])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
