"""The deadline sweep's part for assisting units (协办, joint handling): each assisting
dispatch has its own deadline and gets its own yellow and red card, once each. The case's own
card, 催办 and escalation follow the lead dispatch's deadline (disputes.sweep).

Yellow: the case's escalation rule (the same `yellow_ratio` / `yellow_hours_before` as the
case's own card, over the dispatch's span from its creation to its deadline). Red: the
deadline passed. Each card is a conditional UPDATE that repeats its condition (a re-run or a
second beat changes nothing), one timeline event per dispatch, and a notice to that unit and
the owning center.
"""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from disputes.deadlines import PolicyBook
from disputes.models import OPEN_ASSIGNMENT_STATES, AssignmentRole, CaseAssignment
from disputes.services.audit_trail import events_save, region_of
from disputes.services.core import Notice, Recipients, event_build, notices_send, stale_conflict

# How far ahead the yellow probe looks: a yellow card is never due earlier than this before a
# deadline under any seeded rule (the longest step is 60 days).
_YELLOW_HORIZON = dt.timedelta(days=90)

_FIELDS = ("id", "case_id", "department_id", "region_id", "created_at", "due_at", "case__number", "case__title",
           "case__state", "case__owning_region_id", "case__owning_level", "case__category_id", "case__risk_grade_id",
           "case__village_id", "case__township_id", "case__county_id", "case__city_id")


def _open_assists():
    return CaseAssignment.objects.filter(role=AssignmentRole.ASSIST, status__in=OPEN_ASSIGNMENT_STATES,
                                         overdue_at__isnull=True)


def assists_sweep(*, now: dt.datetime, limit: int, book: PolicyBook) -> tuple[int, int]:
    """(yellow cards, red cards) given to assisting units now; at most `limit` of each."""
    return _assists_due_soon(now=now, limit=limit, book=book), _assists_overdue(now=now, limit=limit)


def _assists_due_soon(*, now: dt.datetime, limit: int, book: PolicyBook) -> int:
    # Uses index: assignment_assist_due (due_at, partial: open assisting, not yet overdue).
    due = _open_assists().filter(warned_at__isnull=True, due_at__gte=now, due_at__lt=now + _YELLOW_HORIZON)
    candidates = list(due.select_for_update(skip_locked=True, of=("self",)).order_by("due_at", "id")
                      .values(*_FIELDS)[:limit])
    rows = []
    for r in candidates:
        rule = book.rule_for({"owning_level": r["case__owning_level"], "category_id": r["case__category_id"],
                              "risk_grade_id": r["case__risk_grade_id"]})
        yellow_at = rule.yellow_at(r["created_at"], r["due_at"]) if rule else None
        if yellow_at is not None and yellow_at <= now:
            rows.append(r)
    if not rows:
        return 0
    if due.filter(pk__in=[r["id"] for r in rows]).update(warned_at=now, updated_at=now) != len(rows):
        raise stale_conflict()
    _record(rows, now=now, action="assist_yellow", title=_("协办即将超期：%(number)s"),
            body=_("案件「%(title)s」的协办期限将至，请抓紧办理并反馈。"))
    return len(rows)


def _assists_overdue(*, now: dt.datetime, limit: int) -> int:
    # Uses index: assignment_assist_due (due_at, partial: open assisting, not yet overdue).
    due = _open_assists().filter(due_at__lt=now)
    rows = list(due.select_for_update(skip_locked=True, of=("self",)).order_by("due_at", "id")
                .values(*_FIELDS)[:limit])
    if not rows:
        return 0
    if due.filter(pk__in=[r["id"] for r in rows]).update(overdue_at=now, updated_at=now) != len(rows):
        raise stale_conflict()
    _record(rows, now=now, action="assist_red", title=_("协办超期：%(number)s"),
            body=_("案件「%(title)s」的协办期限已过，请抓紧办理并反馈。"))
    return len(rows)


def _record(rows: list[dict], *, now: dt.datetime, action: str, title: str, body: str) -> None:
    """One timeline event per dispatch, and a notice to that unit and the owning center."""
    events = [
        event_build(case_id=r["case_id"], actor=None, action=action, from_state=r["case__state"],
                    to_state=r["case__state"], now=now, data={"assignment_id": r["id"], "department_id": r["department_id"]})
        for r in rows
    ]
    events_save(events, regions={
        r["case_id"]: region_of({k.removeprefix("case__"): v for k, v in r.items() if k.startswith("case__")})
        for r in rows})
    notices_send([
        Notice(case_id=r["case_id"], kind=action, event_id=event.pk,
               title=title % {"number": r["case__number"]}, body=body % {"title": r["case__title"]},
               recipients=Recipients.of_holder(department_id=r["department_id"], region_id=r["region_id"])
               | Recipients(center_region_ids=(r["case__owning_region_id"],)))
        for r, event in zip(rows, events, strict=True)
    ])
