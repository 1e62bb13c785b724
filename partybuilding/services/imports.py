"""Member import from an Excel (.xlsx) or CSV roster: every row is checked first (row-level
Chinese errors, duplicates inside the file and against registered members included); only
when no row has an error are all of them saved, in one transaction (all or nothing)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from governance.errors import ApplicationError, InvalidInput
from governance.models import RegionLevel, User
from governance.permissions import require
from governance.scoping import Scope, scope_for
from partybuilding import selectors
from partybuilding.models import Gender, MemberKind, PartyMember
from partybuilding.services.organisation import MemberInput, member_build

# The roster's columns (the header row names them; order does not matter).
COLUMNS = {
    "姓名": "name", "性别": "gender", "联系电话": "phone", "党员类型": "kind", "服务网格编码": "grid_code",
    "党小组": "group", "工作单位": "work_unit", "报到社区": "community", "入党日期": "joined_on",
    "报到日期": "reported_on",
}
REQUIRED = ("姓名", "性别", "党员类型")
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    message: str


def read_rows(name: str, content: bytes) -> list[dict[str, str]]:
    """The roster's rows as {column key: text}; unreadable files raise InvalidInput."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception:
            raise InvalidInput(_("无法读取该 Excel 文件")) from None
        table = [[_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    elif name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError:
                raise InvalidInput(_("CSV 文件编码无法识别，请保存为 UTF-8")) from None
        table = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise InvalidInput(_("请上传 .xlsx 或 .csv 文件"))
    if not table:
        raise InvalidInput(_("文件为空"))
    header = table[0]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise InvalidInput(_("缺少列：%(columns)s") % {"columns": "、".join(missing)})
    keys = [COLUMNS.get(column) for column in header]
    rows = [{key: (row[i] if i < len(row) else "") for i, key in enumerate(keys) if key} for row in table[1:]]
    rows = [row for row in rows if any(row.values())]
    if len(rows) > MAX_ROWS:
        raise InvalidInput(_("一次最多导入 %(n)s 行") % {"n": MAX_ROWS})
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: str, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.replace("/", "-")[:10])
    except ValueError:
        raise InvalidInput(_("%(label)s格式应为 2024-05-01") % {"label": label}) from None


def _choice(value: str, choices, label: str) -> str:
    by_label = {str(text): key for key, text in choices.choices}
    if value in by_label:
        return by_label[value]
    if value in choices.values:
        return value
    raise InvalidInput(_("%(label)s“%(value)s”无效") % {"label": label, "value": value})


class _Lookups:
    """The scope's grids by code, groups by name and communities by name, read once."""

    def __init__(self, scope: Scope):
        self.grids = dict(selectors.scoped_grids(scope).values_list("code", "pk"))
        self.groups: dict[str, list[int]] = {}
        for pk, name in selectors.party_group_list(scope=scope).values_list("pk", "name"):
            self.groups.setdefault(name, []).append(pk)
        self.communities: dict[str, list[int]] = {}
        for pk, name in scope.regions().filter(level=RegionLevel.VILLAGE).values_list("pk", "name"):
            self.communities.setdefault(name, []).append(pk)

    def one(self, table: dict, value: str, missing: str, ambiguous: str) -> int | None:
        if not value:
            return None
        found = table.get(value)
        if not found:
            raise InvalidInput(missing % {"value": value})
        if isinstance(found, list):
            if len(found) > 1:
                raise InvalidInput(ambiguous % {"value": value})
            return found[0]
        return found


def _member_input(row: dict[str, str], lookups: _Lookups) -> MemberInput:
    return MemberInput(
        name=row.get("name", ""), gender=_choice(row.get("gender", ""), Gender, _("性别")),
        kind=_choice(row.get("kind", ""), MemberKind, _("党员类型")), phone=row.get("phone", ""),
        grid_id=lookups.one(lookups.grids, row.get("grid_code", ""), _("未找到网格编码“%(value)s”"), ""),
        group_id=lookups.one(lookups.groups, row.get("group", ""), _("未找到党小组“%(value)s”"),
                             _("党小组“%(value)s”有重名，请改用服务网格编码")),
        work_unit=row.get("work_unit", ""),
        reported_community_id=lookups.one(lookups.communities, row.get("community", ""),
                                          _("未找到社区“%(value)s”"), _("社区“%(value)s”有重名")),
        joined_on=_date(row.get("joined_on", ""), _("入党日期")),
        reported_on=_date(row.get("reported_on", ""), _("报到日期")),
    )


@transaction.atomic
def member_import(*, actor: User, rows: list[dict[str, str]]) -> int:
    """Save every row as a member, or none: any row error raises InvalidInput with
    extra={"rows": [{"row", "message"}, ...]}."""
    scope = scope_for(actor)
    require(scope, "partybuilding.member_manage")
    if not rows:
        raise InvalidInput(_("文件中没有党员数据"))
    lookups = _Lookups(scope)
    members, errors, seen = [], [], {}
    for number, row in enumerate(rows, start=2):
        try:
            member = member_build(scope=scope, data=_member_input(row, lookups))
        except ApplicationError as exc:
            errors.append(RowError(number, exc.message))
            continue
        key = (member.name, member.phone_hash or row.get("grid_code", ""), member.region_id)
        if key in seen:
            errors.append(RowError(number, _("与第 %(n)s 行重复") % {"n": seen[key]}))
            continue
        seen[key] = number
        if member.phone_hash and PartyMember.objects.filter(
                region_id=member.region_id, name=member.name, phone_hash=member.phone_hash, is_active=True).exists():
            errors.append(RowError(number, _("该党员已登记")))
            continue
        members.append(member)
    if errors:
        raise InvalidInput(_("导入失败：%(n)s 行有错误，未导入任何数据") % {"n": len(errors)}, code="import_rows",
                           extra={"rows": [{"row": e.row, "message": e.message} for e in errors]})
    PartyMember.objects.bulk_create(members, batch_size=500)
    return len(members)
