"""The disputes rows a user could have stored before the input bounds: what
governance/data_checks.py finds and repairs (registered by DisputesConfig.ready()).

Unreadable or impossible moments (before 1949-10-01, after now) are set to the moment the
row was written — the best value the platform knows — and counts beyond the bound to the
bound. Filters compare in SQL and read only ids, so a BC timestamp never reaches Python.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import F, Q

from disputes.models import Case, CaseParty, Mediation
from governance import clock
from governance.data_checks import DataCheck, register_data_check
from governance.inputs import COUNT_MAX, EARLIEST_OCCURRENCE, OCCURRENCE_SLACK

# 1949-10-01 00:00 in Beijing.
EARLIEST_MOMENT = dt.datetime.combine(EARLIEST_OCCURRENCE, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=8)))
BIRTH_EARLIEST = dt.date(1900, 1, 1)


def _outside(field: str) -> Q:
    return Q(**{f"{field}__lt": EARLIEST_MOMENT}) | Q(**{f"{field}__gt": clock.now() + OCCURRENCE_SLACK})


def _ids(queryset) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


# Cross-jurisdiction by nature (an operator's check of the whole database): unscoped_*.

def unscoped_case_occurred_at_ids() -> list[int]:
    return _ids(Case.objects.filter(_outside("occurred_at")))


def unscoped_case_occurred_at_repair(ids: Sequence[int]) -> int:
    return Case.objects.filter(pk__in=ids).update(occurred_at=F("created_at"))


def unscoped_case_people_ids() -> list[int]:
    return _ids(Case.objects.filter(people_involved__gt=COUNT_MAX))


def unscoped_case_people_repair(ids: Sequence[int]) -> int:
    return Case.objects.filter(pk__in=ids).update(people_involved=COUNT_MAX)


def unscoped_mediation_held_at_ids() -> list[int]:
    return _ids(Mediation.objects.filter(_outside("held_at")))


def unscoped_mediation_held_at_repair(ids: Sequence[int]) -> int:
    return Mediation.objects.filter(pk__in=ids).update(held_at=F("created_at"))


def unscoped_party_birth_ids() -> list[int]:
    return _ids(CaseParty.objects.filter(Q(birth_date__lt=BIRTH_EARLIEST) | Q(birth_date__gt=clock.localdate())))


def unscoped_party_birth_repair(ids: Sequence[int]) -> int:
    return CaseParty.objects.filter(pk__in=ids).update(birth_date=None)


def register() -> None:
    for name, description, rule, find, repair in (
        ("disputes.case_occurred_at", "案件发生时间早于1949年10月1日或晚于当前时间", "发生时间改为登记时间",
         unscoped_case_occurred_at_ids, unscoped_case_occurred_at_repair),
        ("disputes.case_people_involved", f"案件涉及人数超过{COUNT_MAX}", f"涉及人数改为{COUNT_MAX}",
         unscoped_case_people_ids, unscoped_case_people_repair),
        ("disputes.mediation_held_at", "调解时间早于1949年10月1日或晚于当前时间", "调解时间改为记录时间",
         unscoped_mediation_held_at_ids, unscoped_mediation_held_at_repair),
        ("disputes.party_birth_date", "当事人出生日期早于1900年或晚于今天", "出生日期清空",
         unscoped_party_birth_ids, unscoped_party_birth_repair),
    ):
        register_data_check(DataCheck(name=name, description=description, rule=rule, find=find, repair=repair))
