"""What the disputes exports write: the rows of a filtered case list and of a statistic table,
for the kernel's Excel writer (governance/xlsx.py). Reads only through the scoped selectors.

Parties' ID numbers and phones are masked; a user whose role may reveal them (center staff
of the jurisdiction, the same rule as the case page's 显示完整) may ask for them in full
(`reveal`), and that export is audited once with its filters and row count.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _

from disputes import parties as party_data
from disputes.actions import CENTER
from disputes.models import CaseState, Channel, WarningLevel
from disputes.selectors import case_list
from disputes.selectors.cases import case_list_with_parties
from disputes.selectors.statistics import Table
from governance.permissions import can
from governance.scoping import Scope
from governance.services import audit_record
from governance.xlsx import Percent

CHUNK = 2000


def may_reveal(scope: Scope) -> bool:
    """Whether the user may export parties' personal data in full (the reveal rule of a
    center's staff: every case of their jurisdiction)."""
    return can(scope, "disputes.reveal") and scope.role in CENTER


def case_export_header() -> list[str]:
    return [_("案件编号"), _("标题"), _("类别"), _("来源渠道"), _("状态"), _("预警"), _("乡镇(街道)"),
            _("村(社区)"), _("责任中心"), _("登记时间"), _("环节期限"), _("办结时间"), _("按期办结"),
            _("回访满意"), _("涉及人数"), _("涉及金额(元)"), _("当事人"), _("证件号码"), _("联系电话")]


def case_export_count(*, scope: Scope, filters: Mapping[str, Any]) -> int:
    return case_list(scope=scope, filters=dict(filters)).order_by().count()


def case_export_rows(*, scope: Scope, filters: Mapping[str, Any], reveal: bool = False) -> Iterator[list[Any]]:
    """The filtered case list, one row per case, streamed in chunks (parties batched per
    chunk); personal data masked unless `reveal` (the caller checked `may_reveal` and audits)."""
    cases = case_list_with_parties(scope=scope, filters=dict(filters))
    states, channels, warnings = dict(CaseState.choices), dict(Channel.choices), dict(WarningLevel.choices)
    for case in cases.iterator(chunk_size=CHUNK):
        people = list(case.parties.all())
        if reveal:
            ids = [party_data.decrypt(p.id_number_enc) if p.id_number_enc else "" for p in people]
            phones = [party_data.decrypt(p.phone_enc) if p.phone_enc else "" for p in people]
        else:
            ids = [p.id_number_masked for p in people]
            phones = [p.phone_masked for p in people]
        yield [
            case.number, case.title, case.category.name, str(channels.get(case.channel, case.channel)),
            str(states.get(case.state, case.state)), str(warnings.get(case.warning_level, case.warning_level)),
            case.township.name if case.township_id else "", case.village.name if case.village_id else "",
            case.owning_region.name, case.created_at, case.due_at, case.resolved_at, case.resolved_on_time,
            case.callback_satisfied, case.people_involved, case.amount_involved,
            "、".join(p.name for p in people), "、".join(v for v in ids if v), "、".join(v for v in phones if v),
        ]


def case_export_audit(*, actor, scope: Scope, filters: Mapping[str, Any], rows: int, ip_address: str | None) -> None:
    """One audit row for an export with personal data in full."""
    audit_record(actor=actor, action="cases.export_reveal", target_type="disputes.case", region_id=scope.region_id,
                 ip_address=ip_address, detail={"filters": {k: str(v) for k, v in filters.items()}, "rows": rows})


def table_export(table: Table) -> tuple[list[str], list[list[Any]]]:
    """A statistic table as (header, rows): counts as numbers, rates as percentages."""
    header = [str(column.label) for column in table.columns]
    rows = []
    for row in table.rows:
        values = []
        for column in table.columns:
            value = row[column.key].value
            values.append(Percent(value) if column.kind == "rate" else value)
        rows.append(values)
    return header, rows
