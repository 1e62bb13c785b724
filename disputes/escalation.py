"""Yellow and red cards, and escalation up the hierarchy (township → county → city).

Three ways a case's owning center moves up one level, all through `_escalate` below:

- `deadline_sweep` (the periodic Celery task and `manage.py sweep_deadlines`): set-based, one
  fixed-size batch per transaction. It selects the ids whose warning or owner must change
  (row locks with SKIP LOCKED on PostgreSQL, so several workers can sweep at once), re-reads
  them under the lock, and changes them with conditional UPDATEs whose WHERE repeats the
  condition (a case resolved in between is not touched). Each escalation writes an
  `Escalation` row, unique per (case, to_level) in the database, before the case moves, so a
  re-run, a duplicate delivery or two overlapping sweeps escalate nothing twice.
- `case_escalate`: manual 上报 by the owning center's staff.
- `case_escalate_by_rule`: rule-based direct escalation (越级上报) of a case just accepted,
  for policies with `direct_to_level`; the sweep applies the same rule to accepted cases.

Policies (`EscalationPolicy`) are data, per owning level and optionally per category (or its
parent) and risk grade; the most specific active row wins (category + risk > category >
parent category + risk > parent category > risk > level default; ties: lowest id).
Notifications are rows written in the same transaction and sent by tasks after commit.
See docs/background-jobs.md.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import reduce
from operator import or_
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, FloatField, Func, Q, QuerySet, Value, When
from django.db.models import Case as SqlCase
from django.db.models.functions import Cast
from django.db.models.lookups import LessThanOrEqual
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.models import (
    OPEN_ASSIGNMENT_STATES,
    TIMED_STATES,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseState,
    Category,
    DayKind,
    Escalation,
    EscalationPolicy,
    EscalationReason,
    TimeLimitPolicy,
    WarningLevel,
)
from disputes.permissions import CENTER, require_action
from governance.errors import Conflict, InvalidInput
from governance.models import LEVEL_ORDER, Region, RegionLevel, User
from governance.notifications import NotificationDraft, notifications_create, notifications_send_on_commit
from governance.scoping import Scope, scope_for
from governance.workdays import add_days

logger = logging.getLogger(__name__)

# Manual 上报 is for a case the owning center holds: accepted (待分流) or in progress.
MANUAL_ESCALATION_STATES = frozenset({CaseState.ACCEPTED, CaseState.IN_PROGRESS})
RED = WarningLevel.RED
YELLOW = WarningLevel.YELLOW
NONE = WarningLevel.NONE

# The columns the sweep reads for each locked case.
_ROW_FIELDS = (
    "id", "number", "title", "state", "owning_level", "owning_region_id", "category_id", "risk_grade_id",
    "step", "step_started_at", "due_at", "warning_level", "red_at", "version",
    "city_id", "county_id", "township_id", "village_id",
)
Row = dict[str, Any]


# --- Results ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepChange:
    kind: str  # "yellow", "red", "escalate"
    case_id: int
    number: str
    to_level: str = ""


@dataclass(frozen=True)
class SweepResult:
    yellow: int = 0
    red: int = 0
    escalated: int = 0
    next_after_id: int | None = None
    changes: tuple[SweepChange, ...] = ()

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(
            yellow=self.yellow + other.yellow,
            red=self.red + other.red,
            escalated=self.escalated + other.escalated,
            next_after_id=other.next_after_id,
            changes=self.changes + other.changes,
        )


# --- Levels ---------------------------------------------------------------------------------------

def _rank(level: str) -> int:
    """0 for the city; larger is lower in the hierarchy."""
    return LEVEL_ORDER.index(RegionLevel(level))


def _upper(row: Row, *, from_level: str | None = None) -> tuple[str, int] | None:
    """The first level above the owning level (or at/above `from_level`) whose region exists.

    Levels a region tree skips (a city without counties) are null in the path and skipped.
    """
    start = _rank(from_level) if from_level else _rank(row["owning_level"]) - 1
    for index in range(start, -1, -1):
        level = LEVEL_ORDER[index]
        region_id = row[f"{level}_id"]
        if region_id:
            return str(level), region_id
    return None


def _has_upper_q() -> Q:
    """SQL twin of `_upper(row) is not None`."""
    parts = []
    for index, level in enumerate(LEVEL_ORDER[1:], start=1):
        above = reduce(or_, [Q(**{f"{upper}__isnull": False}) for upper in LEVEL_ORDER[:index]])
        parts.append(Q(owning_level=level) & above)
    return reduce(or_, parts)


class _EpochSeconds(Func):
    """Seconds since 1970 (UTC) of a datetime column, as a float, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(EXTRACT(EPOCH FROM {sql}) AS double precision)", params

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores aware datetimes as UTC text, which julianday() reads.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"((julianday({sql}) - 2440587.5) * 86400.0)", params


# --- Policies -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """An active EscalationPolicy row, flattened."""

    id: int
    level: str
    category_id: int | None
    risk_grade_id: int | None
    yellow_ratio: float | None
    yellow_hours_before: int | None
    escalate_after_hours: int
    direct_to_level: str

    @property
    def directs_up(self) -> bool:
        return bool(self.direct_to_level) and _rank(self.direct_to_level) < _rank(self.level)

    def yellow_reached(self, row: Row, now: dt.datetime) -> bool:
        due, start = row["due_at"], row["step_started_at"]
        if due is None:
            return False
        if self.yellow_ratio is not None and start is not None and start + (due - start) * self.yellow_ratio <= now:
            return True
        return self.yellow_hours_before is not None and due - dt.timedelta(hours=self.yellow_hours_before) <= now

    def escalation_due(self, row: Row, now: dt.datetime) -> bool:
        return row["red_at"] is not None and row["red_at"] + dt.timedelta(hours=self.escalate_after_hours) <= now


class PolicyBook:
    """All active escalation policies, loaded once per batch (a small table).

    `rule_for(row)` picks the most specific rule in Python; `sql_value(...)` builds the same
    choice as one SQL CASE for the candidate query (When clauses ordered by specificity).
    """

    def __init__(self, rules: Sequence[Rule], category_parents: dict[int, int]):
        self.rules = list(rules)
        self.category_parents = category_parents
        self._by_level: dict[str, list[Rule]] = defaultdict(list)
        for rule in self.rules:
            self._by_level[rule.level].append(rule)
        # (specificity, rule, Q) for every way a rule can match, most specific first.
        children: dict[int, list[int]] = defaultdict(list)
        for child, parent in category_parents.items():
            children[parent].append(child)
        matches = []
        for rule in self.rules:
            risk_score = 1 if rule.risk_grade_id else 0
            base = Q(owning_level=rule.level)
            if rule.risk_grade_id:
                base &= Q(risk_grade_id=rule.risk_grade_id)
            if rule.category_id is None:
                matches.append((risk_score, rule, base))
                continue
            matches.append((4 + risk_score, rule, base & Q(category_id=rule.category_id)))
            if children.get(rule.category_id):
                matches.append((2 + risk_score, rule, base & Q(category_id__in=children[rule.category_id])))
        matches.sort(key=lambda m: (-m[0], m[1].id))
        self._matches = [(rule, q) for _score, rule, q in matches]

    @classmethod
    def load(cls) -> PolicyBook:
        rules = [
            Rule(
                id=p.pk, level=p.level, category_id=p.category_id, risk_grade_id=p.risk_grade_id,
                yellow_ratio=float(p.yellow_ratio) if p.yellow_ratio is not None else None,
                yellow_hours_before=p.yellow_hours_before, escalate_after_hours=p.escalate_after_hours,
                direct_to_level=p.direct_to_level,
            )
            for p in EscalationPolicy.objects.filter(is_active=True).order_by("id")
        ]
        category_ids = {r.category_id for r in rules if r.category_id}
        parents = (
            dict(Category.objects.filter(parent_id__in=category_ids).values_list("id", "parent_id"))
            if category_ids else {}
        )
        return cls(rules, parents)

    def rule_for(self, row: Row) -> Rule | None:
        category, risk = row["category_id"], row["risk_grade_id"]
        parent = self.category_parents.get(category)
        best, best_key = None, None
        for rule in self._by_level.get(row["owning_level"], ()):
            if rule.risk_grade_id is not None and rule.risk_grade_id != risk:
                continue
            if rule.category_id is None:
                score = 0
            elif rule.category_id == category:
                score = 4
            elif parent is not None and rule.category_id == parent:
                score = 2
            else:
                continue
            key = (score + (1 if rule.risk_grade_id else 0), -rule.id)
            if best_key is None or key > best_key:
                best, best_key = rule, key
        return best

    def sql_value(self, value_of, output_field) -> SqlCase | Cast | Value:
        """CASE over the rules: the most specific matching rule's `value_of(rule)`."""
        if not self._matches:
            return Value(None, output_field=output_field)
        whens = [When(q, then=Value(value_of(rule), output_field=output_field)) for rule, q in self._matches]
        case = SqlCase(*whens, default=Value(None, output_field=output_field), output_field=output_field)
        # An all-NULL CASE has no SQL type on PostgreSQL (text): give numbers one.
        return Cast(case, output_field) if isinstance(output_field, FloatField) else case


# --- New deadlines after a move -------------------------------------------------------------------

class _Deadlines:
    """The new step deadline at the new owning level (TimeLimitPolicy for the case's step:
    its category's row, its parent category's, else the level default; when the new level has
    none, the old level's; when neither has one, the length of the window that just ran out).

    Every case of a batch restarts its clock at the same `now`, so add_days runs once per
    distinct (days, kind), not per case.
    """

    def __init__(self, now: dt.datetime):
        self.now = now
        self._limits: dict[tuple[str, str, int | None], tuple[int, str]] | None = None
        self._parents: dict[int, int] = {}
        self._cache: dict[tuple[int, str], tuple[dt.datetime, bool]] = {}

    def _load(self) -> dict[tuple[str, str, int | None], tuple[int, str]]:
        if self._limits is None:
            self._limits = {
                (level, step, category_id): (days, kind)
                for level, step, category_id, days, kind in TimeLimitPolicy.objects.values_list(
                    "level", "step", "category_id", "days", "day_kind")
            }
            category_ids = {key[2] for key in self._limits if key[2]}
            if category_ids:
                self._parents = dict(
                    Category.objects.filter(parent_id__in=category_ids).values_list("id", "parent_id"))
        return self._limits

    def for_row(self, row: Row, level: str) -> tuple[dt.datetime | None, bool]:
        limits = self._load()
        category = row["category_id"]
        keys = (category, self._parents.get(category), None)
        for at_level in (level, row["owning_level"]):
            for key in keys:
                if (at_level, row["step"], key) in limits:
                    days, kind = limits[(at_level, row["step"], key)]
                    if (days, kind) not in self._cache:
                        deadline = add_days(self.now, days, working=kind == DayKind.WORKING)
                        self._cache[(days, kind)] = (deadline.due_at, deadline.provisional)
                    return self._cache[(days, kind)]
        if row["due_at"] and row["step_started_at"]:
            return self.now + (row["due_at"] - row["step_started_at"]), False
        return None, False


# --- The one escalation helper --------------------------------------------------------------------

@dataclass
class _Move:
    row: Row
    to_level: str
    to_region_id: int
    reason: str
    escalation_id: int | None = None
    copy_department_ids: tuple[int, ...] = ()
    policy_id: int | None = None


def _escalate(
    moves: Sequence[_Move], *, now: dt.datetime, deadlines: _Deadlines, where: Q,
    actor: User | None = None, note: str = "",
) -> list[_Move]:
    """Move cases up: Escalation rows first (the database keeps one per case and level),
    then one conditional UPDATE per (from, to, new deadline) group for the cases whose row
    was inserted now. The caller holds the case rows' locks; `where` repeats its condition.
    Returns the moves that happened."""
    if not moves:
        return []
    case_ids = [m.row["id"] for m in moves]
    existing = set(Escalation.objects.filter(case_id__in=case_ids).values_list("case_id", "to_level"))
    fresh = [m for m in moves if (m.row["id"], m.to_level) not in existing]
    for m in moves:
        if (m.row["id"], m.to_level) in existing:
            logger.warning("case %s already escalated to %s; left where it is", m.row["number"], m.to_level)
    Escalation.objects.bulk_create(
        [
            Escalation(
                case_id=m.row["id"], from_level=m.row["owning_level"], to_level=m.to_level,
                to_region_id=m.to_region_id, reason=m.reason, actor=actor, note=note,
            )
            for m in fresh
        ],
        ignore_conflicts=True,
    )
    # Re-select what was inserted: only those cases move and get an event.
    inserted = {
        (case_id, level): pk
        for pk, case_id, level in Escalation.objects.filter(case_id__in=[m.row["id"] for m in fresh]).values_list(
            "pk", "case_id", "to_level")
        if (case_id, level) not in existing
    }
    moved = [m for m in fresh if (m.row["id"], m.to_level) in inserted]
    groups: dict[tuple[str, str, dt.datetime | None, bool], list[int]] = defaultdict(list)
    for m in moved:
        m.escalation_id = inserted[(m.row["id"], m.to_level)]
        due_at, provisional = deadlines.for_row(m.row, m.to_level)
        groups[(m.row["owning_level"], m.to_level, due_at, provisional)].append(m.row["id"])
    for (from_level, to_level, due_at, provisional), ids in groups.items():
        # Uses index: the primary key; the WHERE repeats the condition the rows were chosen by.
        updated = Case.objects.filter(where, id__in=ids, state__in=TIMED_STATES, owning_level=from_level).update(
            owning_level=to_level, owning_region=F(to_level), warning_level=NONE, red_at=None,
            step_started_at=now, due_at=due_at, due_provisional=provisional,
            version=F("version") + 1, updated_at=now,
        )
        if updated != len(ids):
            # The rows are locked by this transaction, so this means they changed under a
            # caller that did not lock them: refuse the whole batch (it rolls back).
            raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")
    for m in moved:
        m.row.update(owning_level=m.to_level, owning_region_id=m.to_region_id, warning_level=NONE, red_at=None)
    return moved


# --- Notifications ------------------------------------------------------------------------------

@dataclass
class _Notice:
    event: CaseEvent
    row: Row
    kind: str
    previous_region_id: int | None = None
    copy_department_ids: tuple[int, ...] = ()


def case_link(case_id: int) -> str:
    try:
        return reverse("disputes:detail", args=[case_id])
    except NoReverseMatch:  # the pages app is not wired (e.g. a worker-only deployment)
        return f"/cases/{case_id}/"


def _notify(notices: Sequence[_Notice], *, exclude_user_id: int | None = None) -> None:
    """Write the inbox rows now (same transaction) and send them after commit.

    Recipients, set-based (two queries per batch): the owning center's staff; the current
    handler (members of the department holding the open assignment, or the staff of the lower
    center it was dispatched to); on escalation also the previous owner's staff; on a rule
    escalation also the members of the copied departments.
    """
    if not notices:
        return
    case_ids = {n.row["id"] for n in notices}
    handlers: dict[int, tuple[int | None, int | None]] = {
        case_id: (department_id, region_id)
        for case_id, department_id, region_id in CaseAssignment.objects.filter(
            case_id__in=case_ids, status__in=OPEN_ASSIGNMENT_STATES).values_list("case_id", "department_id", "region_id")
    }
    region_ids = {n.row["owning_region_id"] for n in notices} | {n.previous_region_id for n in notices}
    region_ids |= {r for _d, r in handlers.values()}
    department_ids = {d for d, _r in handlers.values()} | {d for n in notices for d in n.copy_department_ids}
    region_ids.discard(None)
    department_ids.discard(None)
    staff: dict[int, list[int]] = defaultdict(list)
    members: dict[int, list[int]] = defaultdict(list)
    users = User.objects.filter(is_active=True).filter(
        Q(region_id__in=region_ids, role__in=CENTER) | Q(department_id__in=department_ids)
    ).values_list("id", "region_id", "role", "department_id")
    for user_id, region_id, role, department_id in users:
        if role in CENTER and region_id in region_ids:
            staff[region_id].append(user_id)
        if department_id in department_ids:
            members[department_id].append(user_id)
    names = dict(Region.objects.filter(pk__in=region_ids).values_list("id", "name")) if any(
        n.kind == "escalate" for n in notices) else {}

    drafts = []
    for n in notices:
        row = n.row
        recipients = set(staff[row["owning_region_id"]])
        department_id, region_id = handlers.get(row["id"], (None, None))
        recipients.update(members[department_id] if department_id else staff[region_id] if region_id else ())
        if n.previous_region_id:
            recipients.update(staff[n.previous_region_id])
        for copied in n.copy_department_ids:
            recipients.update(members[copied])
        recipients.discard(exclude_user_id)
        if not recipients:
            continue
        title, body = _notice_text(n, names)
        key = f"case:{row['id']}:{n.kind}:{n.event.pk}"
        link = case_link(row["id"])
        drafts.extend(
            NotificationDraft(recipient_id=user_id, event_key=key, title=title, body=body, link=link)
            for user_id in sorted(recipients)
        )
    notifications_send_on_commit(notifications_create(drafts=drafts))


def _notice_text(n: _Notice, names: dict[int, str]) -> tuple[str, str]:
    row = n.row
    if n.kind == "yellow":
        return (_("黄牌预警：%(number)s") % {"number": row["number"]},
                _("案件「%(title)s」办理时限即将届满，请抓紧办理。") % {"title": row["title"]})
    if n.kind == "red":
        return (_("红牌超期：%(number)s") % {"number": row["number"]},
                _("案件「%(title)s」已超过办理时限。") % {"title": row["title"]})
    return (
        _("案件升级：%(number)s") % {"number": row["number"]},
        _("案件「%(title)s」已由%(source)s上报至%(target)s。%(note)s") % {
            "title": row["title"], "source": names.get(n.previous_region_id, ""),
            "target": names.get(row["owning_region_id"], ""), "note": n.event.note},
    )


# --- The sweep ------------------------------------------------------------------------------------

def _unscoped_candidate_ids(*, book: PolicyBook, now: dt.datetime, after_id: int, batch_size: int) -> list[int]:
    """Ids (> after_id, in id order) of timed cases whose warning or owner must change now.

    Unscoped on purpose: the sweep works for every jurisdiction. On PostgreSQL the rows are
    locked with SKIP LOCKED, so a second sweep running at the same time takes other rows.
    # Uses index: case_timed_due (partial, timed states) for the red part; the primary key
    # for the cursor.
    """
    start, due = _EpochSeconds("step_started_at"), _EpochSeconds("due_at")
    now_ep = now.timestamp()
    condition = Q(due_at__lt=now) & ~Q(warning_level=RED)
    if book.rules:
        ratio = book.sql_value(lambda r: r.yellow_ratio, FloatField())
        hours = book.sql_value(lambda r: r.yellow_hours_before, FloatField())
        after_red = book.sql_value(lambda r: float(r.escalate_after_hours), FloatField())
        direct = book.sql_value(lambda r: r.directs_up, BooleanField())
        yellow_by_ratio = ExpressionWrapper(start + ratio * (due - start), output_field=FloatField())
        yellow_by_hours = ExpressionWrapper(due - hours * Value(3600.0), output_field=FloatField())
        escalate_at = ExpressionWrapper(_EpochSeconds("red_at") + after_red * Value(3600.0), output_field=FloatField())
        condition |= Q(warning_level=NONE, due_at__gte=now) & (
            Q(LessThanOrEqual(yellow_by_ratio, now_ep)) | Q(LessThanOrEqual(yellow_by_hours, now_ep))
        )
        condition |= Q(warning_level=RED, red_at__isnull=False) & _has_upper_q() & Q(
            LessThanOrEqual(escalate_at, now_ep))
        condition = (Q(due_at__isnull=False) & condition) | (Q(state=CaseState.ACCEPTED) & Q(direct))
    queryset = (
        Case.objects.filter(id__gt=after_id, state__in=TIMED_STATES)
        .filter(condition)
        .order_by("id")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("id", flat=True)
    )
    return list(queryset[:batch_size])


def _unscoped_lock_rows(ids: Iterable[int]) -> list[Row]:
    """Current values of the timed cases among `ids`, locked until the transaction ends
    (PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE). Unscoped: the sweep."""
    return list(
        Case.objects.filter(id__in=list(ids), state__in=TIMED_STATES)
        .select_for_update(of=("self",))
        .order_by("id")
        .values(*_ROW_FIELDS)
    )


def _event(row: Row, action: str, now: dt.datetime, *, actor: User | None = None, note: str = "",
           data: dict | None = None) -> CaseEvent:
    return CaseEvent(
        case_id=row["id"], created_at=now, actor=actor, action=action, from_state=row["state"],
        to_state=row["state"], note=note, data=data or {},
    )


def _move_data(m: _Move, from_level: str, from_region_id: int) -> dict:
    return {
        "from_level": from_level, "from_region_id": from_region_id, "to_level": m.to_level,
        "to_region_id": m.to_region_id, "reason": m.reason, "escalation_id": m.escalation_id,
    }


def _rule_moves(rows: Sequence[Row], book: PolicyBook) -> list[_Move]:
    moves = []
    for row in rows:
        if row["state"] != CaseState.ACCEPTED:
            continue
        rule = book.rule_for(row)
        if rule is None or not rule.directs_up:
            continue
        target = _upper(row, from_level=rule.direct_to_level)
        if target:
            moves.append(_Move(row, *target, reason=EscalationReason.RULE, policy_id=rule.id))
    if moves:
        copies: dict[int, list[int]] = defaultdict(list)
        for policy_id, department_id in EscalationPolicy.copy_departments.through.objects.filter(
                escalationpolicy_id__in={m.policy_id for m in moves}).values_list(
                "escalationpolicy_id", "department_id"):
            copies[policy_id].append(department_id)
        for m in moves:
            m.copy_department_ids = tuple(copies[m.policy_id])  # type: ignore[index]
    return moves


def _sweep_apply(*, ids: Sequence[int], now: dt.datetime, book: PolicyBook | None = None,
                 rules_only: bool = False) -> SweepResult:
    """Apply the sweep to `ids` inside the caller's transaction.

    Reads the rows again under lock, so an id list that went stale (a case resolved since it
    was selected) changes nothing for that case; every UPDATE repeats its condition.
    """
    book = book or PolicyBook.load()
    rows = _unscoped_lock_rows(ids)
    deadlines = _Deadlines(now)
    events: list[CaseEvent] = []
    notices: list[_Notice] = []
    changes: list[SweepChange] = []

    # 1. Rule-based direct escalation (越级上报) of accepted cases.
    moves = _rule_moves(rows, book)
    before = {m.row["id"]: (m.row["owning_level"], m.row["owning_region_id"]) for m in moves}
    rule_moved = _escalate(moves, now=now, deadlines=deadlines, where=Q(state=CaseState.ACCEPTED))
    for m in rule_moved:
        from_level, from_region = before[m.row["id"]]
        event = _event(m.row, "escalate", now, note=_("按越级上报规则直接上报"), data=_move_data(m, from_level, from_region))
        events.append(event)
        notices.append(_Notice(event, m.row, "escalate", from_region, m.copy_department_ids))
        changes.append(SweepChange("escalate", m.row["id"], m.row["number"], m.to_level))
    done = {m.row["id"] for m in rule_moved}
    if rules_only:
        return _finish(events, notices, changes)
    rows = [row for row in rows if row["id"] not in done]

    # 2. Red: the deadline passed. The WHERE repeats the overdue condition.
    red_rows = [r for r in rows if r["warning_level"] != RED and r["due_at"] is not None and r["due_at"] < now]
    if red_rows:
        updated = Case.objects.filter(
            id__in=[r["id"] for r in red_rows], state__in=TIMED_STATES, due_at__lt=now,
        ).exclude(warning_level=RED).update(warning_level=RED, red_at=now, updated_at=now)
        if updated != len(red_rows):
            raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")
    red_events: dict[int, CaseEvent] = {}
    for row in red_rows:
        row.update(warning_level=RED, red_at=now)
        red_events[row["id"]] = event = _event(row, "red", now, data={"due_at": row["due_at"].isoformat()})
        events.append(event)
        changes.append(SweepChange("red", row["id"], row["number"]))

    # 3. Overdue escalation: red long enough under the owning level's policy.
    moves = []
    for row in rows:
        rule = book.rule_for(row) if row["warning_level"] == RED else None
        target = _upper(row) if rule is not None and rule.escalation_due(row, now) else None
        if target:
            moves.append(_Move(row, *target, reason=EscalationReason.OVERDUE))
    before = {m.row["id"]: (m.row["owning_level"], m.row["owning_region_id"]) for m in moves}
    escalated = _escalate(moves, now=now, deadlines=deadlines, where=Q(warning_level=RED, due_at__lt=now))
    for m in escalated:
        from_level, from_region = before[m.row["id"]]
        event = _event(m.row, "escalate", now, note=_("超期自动升级"), data=_move_data(m, from_level, from_region))
        events.append(event)
        notices.append(_Notice(event, m.row, "escalate", from_region))
        changes.append(SweepChange("escalate", m.row["id"], m.row["number"], m.to_level))
    moved_now = {m.row["id"] for m in escalated}
    # A case that turned red and moved up in the same batch gets one message (the move).
    notices.extend(_Notice(red_events[row["id"]], row, "red") for row in red_rows if row["id"] not in moved_now)

    # 4. Yellow: the policy's share of the time used (or hours before the deadline).
    yellow_groups: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row["id"] in moved_now or row["warning_level"] != NONE or row["due_at"] is None or row["due_at"] < now:
            continue
        rule = book.rule_for(row)
        if rule is not None and rule.yellow_reached(row, now):
            yellow_groups[rule.id].append(row)
    for group in yellow_groups.values():
        updated = Case.objects.filter(
            id__in=[r["id"] for r in group], state__in=TIMED_STATES, warning_level=NONE, due_at__gte=now,
        ).update(warning_level=YELLOW, updated_at=now)
        if updated != len(group):
            raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")
        for row in group:
            row["warning_level"] = YELLOW
            event = _event(row, "yellow", now, data={"due_at": row["due_at"].isoformat()})
            events.append(event)
            notices.append(_Notice(event, row, "yellow"))
            changes.append(SweepChange("yellow", row["id"], row["number"]))
    return _finish(events, notices, changes)


def _finish(events: list[CaseEvent], notices: list[_Notice], changes: list[SweepChange]) -> SweepResult:
    # Primary keys come back from the bulk insert (PostgreSQL; SQLite >= 3.35): the
    # notifications' event keys use them.
    CaseEvent.objects.bulk_create(events)
    _notify(notices)
    return SweepResult(
        yellow=sum(c.kind == "yellow" for c in changes),
        red=sum(c.kind == "red" for c in changes),
        escalated=sum(c.kind == "escalate" for c in changes),
        changes=tuple(changes),
    )


def deadline_sweep(*, now: dt.datetime | None = None, batch_size: int = 500, after_id: int = 0) -> SweepResult:
    """Sweep ONE batch of at most `batch_size` cases with id > `after_id`, in one transaction.

    `next_after_id` is the cursor for the next batch when this one was full, else None.
    Idempotent: a second run with the same `now` changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        book = PolicyBook.load()
        ids = _unscoped_candidate_ids(book=book, now=now, after_id=after_id, batch_size=batch_size)
        if not ids:
            return SweepResult()
        result = _sweep_apply(ids=ids, now=now, book=book)
    return replace(result, next_after_id=ids[-1] if len(ids) == batch_size else None)


def deadline_sweep_all(*, now: dt.datetime | None = None, batch_size: int = 500) -> SweepResult:
    """Every batch, one after the other (the management command; cron-only deployments)."""
    now = now or timezone.now()
    total = SweepResult()
    after_id: int | None = 0
    while after_id is not None:
        total = total + deadline_sweep(now=now, batch_size=batch_size, after_id=after_id)
        after_id = total.next_after_id
    return total


# --- Manual and rule-based escalation -------------------------------------------------------------

def _row_of(case: Case) -> Row:
    return {name: getattr(case, name) for name in _ROW_FIELDS}


@transaction.atomic
def case_escalate(*, actor: User, case_id: int, note: str, version: int | None = None) -> Case:
    """上报: the owning center hands the case to the center one level up.

    Owning center's window staff or dispatcher only (403); state accepted or in progress
    (409); outside the actor's jurisdiction or missing: 404. The case keeps its state; the
    upper center now owns it (it may re-dispatch, supervise or urge) and the step clock
    restarts under the upper level's time limit.
    """
    scope = scope_for(actor)
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        pk = 0
    # Lock first: the sweep locks the same row before it writes an Escalation (no deadlock).
    case = scope.require(
        Case.objects.select_for_update(of=("self",)).select_related("owning_region").filter(pk=pk).first()
    )
    require_action(user=actor, case=case, action="escalate", assignment=None)
    if case.state not in MANUAL_ESCALATION_STATES:
        raise Conflict(
            _("案件当前状态为「%(state)s」，不能上报") % {"state": case.get_state_display()},
            code="invalid_state", extra={"state": case.state, "action": "escalate"},
        )
    if version is not None and int(version) != case.version:
        raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")
    note = (note or "").strip()
    if not note:
        message = _("请填写上报理由")
        raise InvalidInput(message, extra={"fields": {"note": message}})
    row = _row_of(case)
    target = _upper(row)
    if target is None:
        raise Conflict(_("已是最高层级，无法继续上报"), code="top_level")
    now = timezone.now()
    from_level, from_region = case.owning_level, case.owning_region_id
    move = _Move(row, *target, reason=EscalationReason.MANUAL)
    moved = _escalate([move], now=now, deadlines=_Deadlines(now), actor=actor, note=note,
                      where=Q(state=case.state, version=case.version))
    if not moved:
        raise Conflict(_("该案件已上报过该层级"), code="already_escalated")
    event = _event(row, "escalate", now, actor=actor, note=note, data=_move_data(move, from_level, from_region))
    event.save()
    _notify([_Notice(event, row, "escalate", from_region)], exclude_user_id=actor.pk)
    case.refresh_from_db()
    return case


@transaction.atomic
def case_escalate_by_rule(*, case_id: int, now: dt.datetime | None = None) -> bool:
    """越级上报 at acceptance: when the case's policy names a higher `direct_to_level`, move
    the case straight there (copying the policy's departments). Call it from case_accept
    inside its transaction, after the case became accepted. Returns True when it moved."""
    result = _sweep_apply(ids=[int(case_id)], now=now or timezone.now(), rules_only=True)
    return result.escalated > 0


# --- Reads ------------------------------------------------------------------------------------------

def cases_red_at_top(*, scope: Scope) -> QuerySet[Case]:
    """Red cases the city center owns: nowhere higher to go, so they stay on leaders' lists.

    # Uses index: case_owner_state
    """
    return (
        scope.filter(Case.objects.timed())
        .filter(owning_level=RegionLevel.CITY, warning_level=RED)
        .select_related("category", "owning_region", "township", "county")
        .order_by("red_at", "id")
    )
