"""Yellow and red cards, and escalation up the hierarchy (township → county → city).

Three ways a case's owning center moves up one level, all through `_escalate` below:

- `deadline_sweep` (the periodic Celery task and `manage.py sweep_deadlines`): set-based, one
  fixed-size batch per transaction. It selects the ids whose warning or owner must change by
  comparing thresholds stamped on the case with `now` through partial indexes (`yellow_at`,
  stamped when a step starts; `due_at`; `escalate_at`, stamped with the red card — see
  `thresholds_recompute` for policy edits), locks them (SKIP LOCKED on PostgreSQL, so several
  workers can sweep at once), re-reads
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
from typing import Any

from django.db import transaction
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, F, FloatField, Q, QuerySet, Value, When
from django.db.models import Case as SqlCase
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
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
from governance import clock
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
# The timed states as a sorted list (the partial indexes name them in this order).
_TIMED = sorted(str(state) for state in TIMED_STATES)

# The columns the sweep reads for each locked case.
_ROW_FIELDS = (
    "id", "number", "title", "state", "owning_level", "owning_region_id", "category_id", "risk_grade_id",
    "step", "step_started_at", "due_at", "warning_level", "red_at", "yellow_at", "escalate_at", "version",
    "city_id", "county_id", "township_id", "village_id",
)
# The columns the threshold stamping reads.
_THRESHOLD_FIELDS = (
    "id", "owning_level", "category_id", "risk_grade_id", "step_started_at", "due_at", "warning_level", "red_at",
    "yellow_at", "escalate_at", "city_id", "county_id", "township_id",
)
# Cases per sweep batch (one transaction); measured in docs/performance.md.
DEFAULT_BATCH_SIZE = 5000
# How many case numbers a SweepResult keeps per kind (the counts are always complete).
SAMPLE_LIMIT = 50
Row = dict[str, Any]


# --- Results ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepChange:
    kind: str  # "yellow", "red", "escalate"
    case_id: int
    number: str
    to_level: str = ""


def _sample(changes: Iterable[SweepChange]) -> tuple[SweepChange, ...]:
    """At most SAMPLE_LIMIT changes of each kind, in order: memory stays bounded however many
    cases a sweep changes."""
    kept: list[SweepChange] = []
    per_kind: dict[str, int] = defaultdict(int)
    for change in changes:
        if per_kind[change.kind] < SAMPLE_LIMIT:
            per_kind[change.kind] += 1
            kept.append(change)
    return tuple(kept)


@dataclass(frozen=True)
class SweepResult:
    """Counts of what a sweep changed, and `changes`: a sample of at most SAMPLE_LIMIT
    changes per kind (for the command's listing), never every change."""

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
            changes=_sample(self.changes + other.changes),
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

    @classmethod
    def of(cls, policy: Any) -> Rule:
        return cls(
            id=policy.pk, level=policy.level, category_id=policy.category_id, risk_grade_id=policy.risk_grade_id,
            yellow_ratio=float(policy.yellow_ratio) if policy.yellow_ratio is not None else None,
            yellow_hours_before=policy.yellow_hours_before, escalate_after_hours=policy.escalate_after_hours,
            direct_to_level=policy.direct_to_level,
        )

    @property
    def directs_up(self) -> bool:
        return bool(self.direct_to_level) and _rank(self.direct_to_level) < _rank(self.level)

    def yellow_at(self, start: dt.datetime | None, due: dt.datetime | None) -> dt.datetime | None:
        """When the yellow card is due for a step running from `start` to `due`: the earlier
        of `yellow_ratio` of the step's time used and `yellow_hours_before` the deadline."""
        if due is None:
            return None
        moments = []
        if self.yellow_ratio is not None and start is not None:
            moments.append(start + (due - start) * self.yellow_ratio)
        if self.yellow_hours_before is not None:
            moments.append(due - dt.timedelta(hours=self.yellow_hours_before))
        return min(moments) if moments else None

    def escalate_at(self, red_at: dt.datetime | None) -> dt.datetime | None:
        return red_at + dt.timedelta(hours=self.escalate_after_hours) if red_at is not None else None


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
    def load(cls, *, policy_model: Any = EscalationPolicy, category_model: Any = Category) -> PolicyBook:
        """The active policies (the model arguments let a data migration pass its historical
        models)."""
        rules = [Rule.of(p) for p in policy_model.objects.filter(is_active=True).order_by("id")]
        category_ids = {r.category_id for r in rules if r.category_id}
        parents = (
            dict(category_model.objects.filter(parent_id__in=category_ids).values_list("id", "parent_id"))
            if category_ids else {}
        )
        return cls(rules, parents)

    @property
    def any_direct(self) -> bool:
        return any(rule.directs_up for rule in self.rules)

    def thresholds(self, row: Row) -> tuple[dt.datetime | None, dt.datetime | None]:
        """(yellow_at, escalate_at) of a case row under these policies: yellow from its step's
        start and deadline; escalation only for a red card with a level above to go to."""
        rule = self.rule_for(row)
        if rule is None:
            return None, None
        yellow_at = rule.yellow_at(row["step_started_at"], row["due_at"])
        escalate_at = None
        if row["warning_level"] == RED and row["red_at"] is not None and _upper(row) is not None:
            escalate_at = rule.escalate_at(row["red_at"])
        return yellow_at, escalate_at

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


# --- Thresholds --------------------------------------------------------------------------------------

def step_yellow_at(*, level: str, category_id: int | None, category_parent_id: int | None,
                   risk_grade_id: int | None, start: dt.datetime | None, due: dt.datetime | None) -> dt.datetime | None:
    """The yellow threshold of a step starting now (for disputes.services.step_changes): one
    query for the policies that can apply at `level`; None without a deadline or policy."""
    if due is None:
        return None
    categories = [c for c in (category_id, category_parent_id) if c]
    policies = EscalationPolicy.objects.filter(is_active=True, level=level).filter(
        Q(category__isnull=True) | Q(category_id__in=categories)).order_by("id")
    parents = {category_id: category_parent_id} if category_id and category_parent_id else {}
    rule = PolicyBook([Rule.of(p) for p in policies], parents).rule_for(
        {"owning_level": level, "category_id": category_id, "risk_grade_id": risk_grade_id})
    return rule.yellow_at(start, due) if rule is not None else None


def _write_thresholds(case_model: Any, values: Sequence[tuple[int, dt.datetime | None, dt.datetime | None]]) -> None:
    """Set (id, yellow_at, escalate_at) on many cases: one UPDATE … FROM unnest(...) on
    PostgreSQL, bulk_update elsewhere."""
    if not values:
        return
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(case_model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS c SET yellow_at = v.y, escalate_at = v.e "
                "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS v(id, y, e) WHERE c.id = v.id",
                [[v[0] for v in values], [v[1] for v in values], [v[2] for v in values]],
            )
        return
    case_model.objects.bulk_update(
        [case_model(id=pk, yellow_at=yellow_at, escalate_at=escalate_at) for pk, yellow_at, escalate_at in values],
        ["yellow_at", "escalate_at"], batch_size=500,
    )


def thresholds_recompute(*, case_ids: Sequence[int] | None = None, batch_size: int = 10_000, case_model: Any = Case,
                         policy_model: Any = EscalationPolicy, category_model: Any = Category) -> int:
    """Re-stamp `yellow_at`/`escalate_at` of every timed case from the active policies; returns
    how many cases changed.

    Thresholds are stamped when a step starts and when the red card is set, so editing an
    EscalationPolicy applies to steps started afterwards; run this (`manage.py sweep_deadlines
    --recompute-thresholds`) to apply an edit to the running steps too. Also the backfill of
    migration 0007 (which passes its historical models). Keyset batches, one transaction
    each, rows locked while they are re-stamped; memory is bounded by `batch_size`.
    `case_ids` limits it to those cases.
    """
    book = PolicyBook.load(policy_model=policy_model, category_model=category_model)
    changed = 0
    after_id = 0
    while True:
        with transaction.atomic():
            # Uses index: the primary key (keyset).
            cases = case_model.objects.filter(id__gt=after_id, state__in=_TIMED)
            if case_ids is not None:
                cases = cases.filter(id__in=list(case_ids))
            rows = list(
                cases
                .select_for_update(of=("self",)).order_by("id").values(*_THRESHOLD_FIELDS)[:batch_size]
            )
            if not rows:
                return changed
            after_id = rows[-1]["id"]
            values = []
            for row in rows:
                yellow_at, escalate_at = book.thresholds(row)
                if (yellow_at, escalate_at) != (row["yellow_at"], row["escalate_at"]):
                    values.append((row["id"], yellow_at, escalate_at))
            _write_thresholds(case_model, values)
            changed += len(values)


# --- New deadlines after a move -------------------------------------------------------------------

class _Deadlines:
    """The new step deadline at the new owning level (TimeLimitPolicy for the case's step:
    its category's row, its parent category's, else the level default; when the new level has
    none, the old level's; when neither has one, the length of the window that just ran out).

    Every case of a batch restarts its clock at the same `now`, so add_days runs once per
    distinct (days, kind), not per case.
    """

    def __init__(self, now: dt.datetime, book: PolicyBook | None = None):
        self.now = now
        self._book = book
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

    @property
    def book(self) -> PolicyBook:
        if self._book is None:
            self._book = PolicyBook.load()
        return self._book

    def yellow_at(self, row: Row, level: str, due_at: dt.datetime | None) -> dt.datetime | None:
        """The yellow threshold of the step restarted at `now` at `level`."""
        rule = self.book.rule_for({**row, "owning_level": level})
        return rule.yellow_at(self.now, due_at) if rule is not None else None

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
    groups: dict[tuple[str, str, dt.datetime | None, bool, dt.datetime | None], list[int]] = defaultdict(list)
    for m in moved:
        m.escalation_id = inserted[(m.row["id"], m.to_level)]
        due_at, provisional = deadlines.for_row(m.row, m.to_level)
        yellow_at = deadlines.yellow_at(m.row, m.to_level, due_at)
        groups[(m.row["owning_level"], m.to_level, due_at, provisional, yellow_at)].append(m.row["id"])
    for (from_level, to_level, due_at, provisional, yellow_at), ids in groups.items():
        # Uses index: the primary key; the WHERE repeats the condition the rows were chosen by.
        # The step restarts at the new level: new deadline and yellow threshold, no red card.
        updated = Case.objects.filter(where, id__in=ids, state__in=TIMED_STATES, owning_level=from_level).update(
            owning_level=to_level, owning_region=F(to_level), warning_level=NONE, red_at=None,
            step_started_at=now, due_at=due_at, due_provisional=provisional, yellow_at=yellow_at, escalate_at=None,
            version=F("version") + 1, updated_at=now,
        )
        if updated != len(ids):
            # The rows are locked by this transaction, so this means they changed under a
            # caller that did not lock them: refuse the whole batch (it rolls back).
            raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")
    for m in moved:
        m.row.update(owning_level=m.to_level, owning_region_id=m.to_region_id, warning_level=NONE, red_at=None,
                     escalate_at=None)
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

_ID_PLUS_0 = ExpressionWrapper(F("id") + Value(0), output_field=BigIntegerField())


def _candidate_querysets(*, book: PolicyBook, now: dt.datetime, after_id: int) -> list[QuerySet[Case]]:
    """One query per transition, each an index range probe on a stamped threshold.

    # Uses index: case_sweep_yellow (yellow_at, partial: timed, no card),
    # case_sweep_red (due_at, partial: timed, no or yellow card),
    # case_sweep_escalate (escalate_at, partial: timed, red card).
    """
    timed = Case.objects.filter(id__gt=after_id, state__in=_TIMED)
    parts = [
        timed.filter(warning_level=NONE, yellow_at__lte=now),
        timed.filter(warning_level__in=[NONE, YELLOW], due_at__lt=now),
        timed.filter(warning_level=RED, escalate_at__lte=now),
    ]
    if book.any_direct:
        # 越级上报 rules exist: accepted cases their most specific rule sends up (rare; the
        # acceptance itself applies the rule, this catches policies added later).
        parts.append(Case.objects.filter(id__gt=after_id, state=CaseState.ACCEPTED).filter(
            Q(book.sql_value(lambda r: r.directs_up, BooleanField()))))
    return parts


def _unscoped_candidates(*, book: PolicyBook, now: dt.datetime, after_id: int,
                         batch_size: int) -> tuple[list[int], int | None]:
    """(locked ids, cursor): the first `batch_size` ids (> after_id, in id order) of timed
    cases whose warning or owner must change now, and the cursor for the next batch when
    there may be more (else None).

    Unscoped on purpose: the sweep works for every jurisdiction. The ids are locked with
    SKIP LOCKED on PostgreSQL, so a second sweep running at the same time leaves them to this
    one (they are re-read and re-checked under the lock by `_sweep_apply`).
    """
    ids: set[int] = set()
    for queryset in _candidate_querysets(book=book, now=now, after_id=after_id):
        # Ordered by `id + 0`, not `id`: ordering by the primary key lets PostgreSQL walk the
        # whole primary key filtering rows (2.5 s on 1M cases when nothing is due) whenever
        # it misjudges how many rows match; the expression keeps it on the partial index
        # (range probe, then a top-N sort of the matches).
        ids.update(queryset.order_by(_ID_PLUS_0).values_list("id", flat=True)[:batch_size])
    chosen = sorted(ids)[:batch_size]
    if not chosen:
        return [], None
    # Uses index: the primary key.
    locked = list(
        Case.objects.filter(id__in=chosen, state__in=_TIMED)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("id")
        .values_list("id", flat=True)
    )
    return locked, chosen[-1] if len(chosen) == batch_size else None


def _unscoped_candidate_ids(*, book: PolicyBook, now: dt.datetime, after_id: int, batch_size: int) -> list[int]:
    """The locked ids of `_unscoped_candidates` (without the cursor)."""
    return _unscoped_candidates(book=book, now=now, after_id=after_id, batch_size=batch_size)[0]


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
    deadlines = _Deadlines(now, book)
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

    # 2. Red: the deadline passed. The WHERE repeats the overdue condition. The escalation
    #    threshold is stamped now from the policy (none at the top or without a policy), so
    #    one UPDATE per distinct threshold.
    red_rows = [r for r in rows if r["warning_level"] != RED and r["due_at"] is not None and r["due_at"] < now]
    red_groups: dict[dt.datetime | None, list[Row]] = defaultdict(list)
    for row in red_rows:
        row.update(warning_level=RED, red_at=now)
        row["escalate_at"] = book.thresholds(row)[1]
        red_groups[row["escalate_at"]].append(row)
    for escalate_at, group in red_groups.items():
        updated = Case.objects.filter(
            id__in=[r["id"] for r in group], state__in=TIMED_STATES, due_at__lt=now,
        ).exclude(warning_level=RED).update(warning_level=RED, red_at=now, escalate_at=escalate_at, updated_at=now)
        if updated != len(group):
            raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")
    red_events: dict[int, CaseEvent] = {}
    for row in red_rows:
        red_events[row["id"]] = event = _event(row, "red", now, data={"due_at": row["due_at"].isoformat()})
        events.append(event)
        changes.append(SweepChange("red", row["id"], row["number"]))

    # 3. Overdue escalation: red long enough (escalate_at, stamped with the red card).
    moves = []
    for row in rows:
        due = row["warning_level"] == RED and row["escalate_at"] is not None and row["escalate_at"] <= now
        target = _upper(row) if due else None
        if target:
            moves.append(_Move(row, *target, reason=EscalationReason.OVERDUE))
    before = {m.row["id"]: (m.row["owning_level"], m.row["owning_region_id"]) for m in moves}
    escalated = _escalate(moves, now=now, deadlines=deadlines,
                          where=Q(warning_level=RED, due_at__lt=now, escalate_at__lte=now))
    for m in escalated:
        from_level, from_region = before[m.row["id"]]
        event = _event(m.row, "escalate", now, note=_("超期自动升级"), data=_move_data(m, from_level, from_region))
        events.append(event)
        notices.append(_Notice(event, m.row, "escalate", from_region))
        changes.append(SweepChange("escalate", m.row["id"], m.row["number"], m.to_level))
    moved_now = {m.row["id"] for m in escalated}
    # A case that turned red and moved up in the same batch gets one message (the move).
    notices.extend(_Notice(red_events[row["id"]], row, "red") for row in red_rows if row["id"] not in moved_now)

    # 4. Yellow: the stamped threshold (the policy's share of the time used, or hours before
    #    the deadline) passed and the deadline did not.
    yellow_rows = [
        row for row in rows
        if row["id"] not in moved_now and row["warning_level"] == NONE and row["due_at"] is not None
        and row["due_at"] >= now and row["yellow_at"] is not None and row["yellow_at"] <= now
    ]
    if yellow_rows:
        updated = Case.objects.filter(
            id__in=[r["id"] for r in yellow_rows], state__in=TIMED_STATES, warning_level=NONE, due_at__gte=now,
            yellow_at__lte=now,
        ).update(warning_level=YELLOW, updated_at=now)
        if updated != len(yellow_rows):
            raise Conflict(_("案件已被他人处理，请刷新后重试"), code="stale")
    for row in yellow_rows:
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
        changes=_sample(changes),
    )


def deadline_sweep(*, now: dt.datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
                   after_id: int = 0) -> SweepResult:
    """Sweep ONE batch of at most `batch_size` cases with id > `after_id`, in one transaction.

    `next_after_id` is the cursor for the next batch when this one was full, else None.
    Idempotent: a second run with the same `now` changes nothing.
    """
    now = now or clock.now()
    with transaction.atomic():
        book = PolicyBook.load()
        ids, cursor = _unscoped_candidates(book=book, now=now, after_id=after_id, batch_size=batch_size)
        result = _sweep_apply(ids=ids, now=now, book=book) if ids else SweepResult()
    return replace(result, next_after_id=cursor)


def deadline_sweep_all(*, now: dt.datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> SweepResult:
    """Every batch, one after the other (the management command; cron-only deployments)."""
    now = now or clock.now()
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
    now = clock.now()
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
    result = _sweep_apply(ids=[int(case_id)], now=now or clock.now(), rules_only=True)
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
