"""Deadlines: how long a step may take (TimeLimitPolicy), when its yellow card shows and when
a red case moves up (EscalationPolicy), the thresholds stamped on a case, and the arithmetic
of levels.

One lookup rule each, used by the services (a step starting now), the sweep (a batch of
steps restarting after a move) and the threshold re-stamping (a policy edit):

- time limits: rows for the case's channel (信访) before rows for any channel; in each, the
  category's own row, else its parent category's, else the level default;
- escalation policies: the most specific active row wins (category + risk > category >
  parent category + risk > parent category > risk > level default; ties: lowest id).

Reads policy tables; the writes are `thresholds_recompute` (stamped thresholds) and
`provisional_recompute` (provisional deadlines once the calendar is known).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import FloatField, Q, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from disputes.models import (
    TIMED_STATES,
    Case,
    CaseAssignment,
    Category,
    DayKind,
    EscalationPolicy,
    ExtensionRequest,
    ExtensionStatus,
    Step,
    TimeLimitPolicy,
    WarningLevel,
)
from disputes.policies import LoopRules, case_loop_rule
from governance import clock
from governance.models import RegionLevel
from governance.workdays import Deadline, add_days

RED = WarningLevel.RED
YELLOW = WarningLevel.YELLOW
NONE = WarningLevel.NONE
# The timed states as a sorted list (the partial indexes name them in this order).
TIMED_SORTED = sorted(str(state) for state in TIMED_STATES)
# The columns the threshold stamping reads.
THRESHOLD_FIELDS = (
    "id", "owning_level", "category_id", "risk_grade_id", "step_started_at", "due_at", "warning_level", "red_at",
    "yellow_at", "escalate_at", "city_id", "county_id", "township_id",
)
Row = dict[str, Any]


# --- Levels ---------------------------------------------------------------------------------------

def level_rank(level: str) -> int:
    """0 for the city; larger is lower in the hierarchy."""
    return RegionLevel(level).rank


def level_above(row: Row, *, from_level: str | None = None) -> tuple[str, int] | None:
    """(level, region id) of the first level above the owning level (or at/above
    `from_level`) whose region exists in the case's region path.

    Levels a region tree skips (a city without counties) are null in the path and skipped.
    """
    levels = ((RegionLevel(from_level), *RegionLevel(from_level).above) if from_level
              else RegionLevel(row["owning_level"]).above)
    for level in levels:
        region_id = row[f"{level}_id"]
        if region_id:
            return str(level), region_id
    return None


# --- Time limits ------------------------------------------------------------------------------------

class TimeLimits:
    """TimeLimitPolicy rows (a small table) and the one rule that picks a step's limit:
    rows for the case's channel (信访) first, then rows for any channel; within each, the
    category's row, its parent category's, then the level default."""

    def __init__(self, limits: dict[tuple[str, str, int | None, str], tuple[int, str]], parents: dict[int, int]):
        self.limits = limits
        self.parents = parents

    @classmethod
    def load(cls, *, level: str | None = None, step: str | None = None, category: Category | None = None,
             channel: str | None = None) -> TimeLimits:
        """The rows for `level`/`step`/`category`/`channel` when given (one query), else every row."""
        rows = TimeLimitPolicy.objects.all()
        if level is not None:
            rows = rows.filter(level=level)
        if step is not None:
            rows = rows.filter(step=step)
        if category is not None:
            keys = [k for k in (category.pk, category.parent_id) if k]
            rows = rows.filter(Q(category_id__in=keys) | Q(category__isnull=True))
        if channel is not None:
            rows = rows.filter(channel__in=sorted({channel, ""}))
        limits = {(lv, st, cat, ch): (days, kind) for lv, st, cat, ch, days, kind in rows.values_list(
            "level", "step", "category_id", "channel", "days", "day_kind")}
        if category is not None:
            parents = {category.pk: category.parent_id} if category.parent_id else {}
        else:
            category_ids = {key[2] for key in limits if key[2]}
            parents = dict(Category.objects.filter(parent_id__in=category_ids).values_list("id", "parent_id")) \
                if category_ids else {}
        return cls(limits, parents)

    def limit(self, *, level: str, step: str, category_id: int | None, channel: str = "") -> tuple[int, str] | None:
        """(days, day kind) for the step: the channel's rows, then any channel's; in each the
        category's row, its parent's, else the default."""
        for ch in dict.fromkeys((channel, "")):
            for key in (category_id, self.parents.get(category_id), None):
                if (level, step, key, ch) in self.limits:
                    return self.limits[(level, step, key, ch)]
        return None


def step_limit(*, level: str, step: str, category: Category, channel: str = "") -> tuple[int, str] | None:
    """(days, day kind) of `step` for a case of `category` that came in by `channel`."""
    return TimeLimits.load(level=level, step=step, category=category, channel=channel).limit(
        level=level, step=step, category_id=category.pk, channel=channel)


def step_deadline(*, level: str, step: str, category: Category, start: dt.datetime | dt.date,
                  channel: str = "") -> Deadline | None:
    """The deadline of `step` started at `start`, per policy; None when no policy applies."""
    found = step_limit(level=level, step=step, category=category, channel=channel)
    if found is None:
        return None
    days, kind = found
    return add_days(start, days, working=kind == DayKind.WORKING)


def dispatch_deadlines(case: Case, now: dt.datetime) -> tuple[Deadline | None, Deadline | None]:
    """(签收期限, 办理期限) of a dispatch of `case` made at `now`: the handling deadline as it
    will be if signed on the last day allowed (signing sets the real one). The dispatch
    service stamps it; the dashboard shows it before the dispatcher confirms."""
    limits = {"level": case.owning_level, "category": case.category, "channel": case.channel}
    sign = step_deadline(step=Step.SIGN, start=now, **limits)
    handle = step_deadline(step=Step.HANDLE, start=sign.due_date if sign else now, **limits)
    return sign, handle


# The longest extension when no TimeLimitPolicy row for the step "extend" applies (信访工作
# 条例: an extension of at most 30 days). Migration 0009 seeds the rows; edit them in admin.
DEFAULT_EXTENSION = (30, DayKind.WORKING)


def extension_limit(*, level: str, category: Category, channel: str = "") -> tuple[int, str]:
    """(days, day kind) one extension request of a case may ask for at most (policy data)."""
    return step_limit(level=level, step="extend", category=category, channel=channel) or DEFAULT_EXTENSION


def step_changes(case: Case, step: str, now: dt.datetime) -> dict[str, Any]:
    """Field values for a new step starting now: its deadline, the warning cleared, and the
    sweep's yellow threshold stamped from the escalation policy that applies now, and the
    first automatic 催办 from the case's loop rule."""
    deadline = step_deadline(level=case.owning_level, step=step, category=case.category, start=now,
                             channel=case.channel)
    due_at = deadline.due_at if deadline else None
    yellow_at = step_yellow_at(
        level=case.owning_level, category_id=case.category_id, category_parent_id=case.category.parent_id,
        risk_grade_id=case.risk_grade_id, start=now, due=due_at)
    return {
        "step": step,
        "step_started_at": now,
        "due_at": due_at,
        "due_provisional": deadline.provisional if deadline else False,
        "warning_level": NONE,
        "red_at": None,
        "yellow_at": yellow_at,
        "escalate_at": None,
        "urge_at": case_loop_rule(case).first_urge_at(due_at=due_at, yellow_at=yellow_at),
    }


def clock_stopped() -> dict[str, Any]:
    """Field values for a case whose clock stops (closed, rejected)."""
    return {"due_at": None, "due_provisional": False, "warning_level": NONE, "red_at": None,
            "yellow_at": None, "escalate_at": None, "urge_at": None}


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
        return bool(self.direct_to_level) and level_rank(self.direct_to_level) < level_rank(self.level)

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
        if row["warning_level"] == RED and row["red_at"] is not None and level_above(row) is not None:
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




def step_yellow_at(*, level: str, category_id: int | None, category_parent_id: int | None,
                   risk_grade_id: int | None, start: dt.datetime | None, due: dt.datetime | None) -> dt.datetime | None:
    """The yellow threshold of a step starting now (for step_changes): one
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
                f"UPDATE {table} AS c SET yellow_at = v.y, escalate_at = v.e "  # nosec B608: the table name is the model's, quoted; values are parameters
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
            cases = case_model.objects.filter(id__gt=after_id, state__in=TIMED_SORTED)
            if case_ids is not None:
                cases = cases.filter(id__in=list(case_ids))
            rows = list(
                cases
                .select_for_update(of=("self",)).order_by("id").values(*THRESHOLD_FIELDS)[:batch_size]
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

class RestartDeadlines:
    """The new step deadline of cases moved to a new owning level at `now`: the new level's
    time limit for the case's step (TimeLimits' rule); when the new level has none, the old
    level's; when neither has one, the length of the window that just ran out.

    Every case of a batch restarts its clock at the same `now`, so add_days runs once per
    distinct (days, kind), not per case.
    """

    def __init__(self, now: dt.datetime, book: PolicyBook | None = None):
        self.now = now
        self._book = book
        self._limits: TimeLimits | None = None
        self._loop: tuple[LoopRules, dict[int, int | None]] | None = None
        self._cache: dict[tuple[int, str], tuple[dt.datetime, bool]] = {}

    def urge_at(self, row: Row, level: str, due_at: dt.datetime | None,
                yellow_at: dt.datetime | None) -> dt.datetime | None:
        """The first automatic 催办 of the step restarted at `now` at `level` (LoopPolicy)."""
        if self._loop is None:
            self._loop = LoopRules.load(), dict(Category.objects.values_list("id", "parent_id"))
        rules, parents = self._loop
        rule = rules.rule_for(level=level, category_id=row["category_id"], parent_id=parents.get(row["category_id"]))
        return rule.first_urge_at(due_at=due_at, yellow_at=yellow_at)

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
        if self._limits is None:
            self._limits = TimeLimits.load()
        for at_level in (level, row["owning_level"]):
            found = self._limits.limit(level=at_level, step=row["step"], category_id=row["category_id"],
                                       channel=row["channel"])
            if found is not None:
                if found not in self._cache:
                    days, kind = found
                    deadline = add_days(self.now, days, working=kind == DayKind.WORKING)
                    self._cache[found] = (deadline.due_at, deadline.provisional)
                return self._cache[found]
        if row["due_at"] and row["step_started_at"]:
            return self.now + (row["due_at"] - row["step_started_at"]), False
        return None, False


# --- Provisional deadlines, once the calendar is known ------------------------------------------

# The open states whose step has a deadline (the callback's too).
DEADLINE_STATES = sorted(str(state) for state in (*TIMED_STATES, "resolved"))
PROVISIONAL_FIELDS = (
    "id", "state", "owning_level", "category_id", "channel", "risk_grade_id", "step", "step_started_at", "due_at",
    "due_provisional", "warning_level", "red_at", "yellow_at", "escalate_at", "urge_at",
)


@dataclass(frozen=True)
class RecomputeResult:
    """What `provisional_recompute` did: cases whose deadline moved, cases whose deadline
    stayed but is now official, and cases still provisional afterwards."""

    moved: int = 0
    confirmed: int = 0
    still_provisional: int = 0


def provisional_recompute(*, now: dt.datetime, batch_size: int = 1000) -> RecomputeResult:
    """Recompute the deadlines of open cases marked provisional (`due_provisional`), after
    administrators entered official days (CalendarDay) for a year the calendar package did
    not know: from the step's start under the case's time limit, with the step's approved
    extensions applied again in order, and the open dispatch's deadline when it was the
    step's. A card set against a provisional deadline that now lies ahead is cleared (the
    sweep sets it again when due); the yellow threshold and the first automatic 催办 are
    re-stamped. Keyset batches, one transaction each, rows locked. `manage.py
    deadlines_recompute` and the CalendarDay admin action run it.
    """
    limits, book, loop = TimeLimits.load(), PolicyBook.load(), LoopRules.load()
    parents = dict(Category.objects.values_list("id", "parent_id"))
    moved = confirmed = still = 0
    after_id = 0
    while True:
        with transaction.atomic():
            # Uses index: the primary key (keyset); provisional cases are few.
            rows = list(Case.objects.filter(id__gt=after_id, state__in=DEADLINE_STATES, due_provisional=True)
                        .select_for_update(of=("self",)).order_by("id").values(*PROVISIONAL_FIELDS)[:batch_size])
            if not rows:
                return RecomputeResult(moved, confirmed, still)
            after_id = rows[-1]["id"]
            extensions: dict[int, list[tuple[dt.datetime, int, str]]] = defaultdict(list)
            for case_id, decided_at, days, kind in ExtensionRequest.objects.filter(
                    case_id__in=[r["id"] for r in rows], status=ExtensionStatus.APPROVED).order_by(
                    "decided_at", "id").values_list("case_id", "decided_at", "days", "day_kind"):
                extensions[case_id].append((decided_at, days, kind))
            for row in rows:
                found = limits.limit(level=row["owning_level"], step=row["step"], category_id=row["category_id"],
                                     channel=row["channel"])
                if found is None or row["step_started_at"] is None:
                    still += 1
                    continue
                days, kind = found
                deadline = add_days(row["step_started_at"], days, working=kind == DayKind.WORKING)
                provisional = deadline.provisional
                for decided_at, extra, extra_kind in extensions[row["id"]]:
                    if decided_at is not None and decided_at >= row["step_started_at"]:
                        deadline = add_days(deadline.due_at, extra, working=extra_kind == DayKind.WORKING)
                        provisional = provisional or deadline.provisional
                values = _recomputed(row, deadline.due_at, provisional, now=now, book=book,
                                     rule=loop.rule_for(level=row["owning_level"], category_id=row["category_id"],
                                                        parent_id=parents.get(row["category_id"])))
                Case.objects.filter(pk=row["id"]).update(**values, updated_at=now)
                # The open dispatch's deadline follows when it was the step's.
                CaseAssignment.objects.filter(case_id=row["id"], status="signed", due_at=row["due_at"]).update(
                    due_at=deadline.due_at, updated_at=now)
                if deadline.due_at != row["due_at"]:
                    moved += 1
                elif not provisional:
                    confirmed += 1
                still += provisional


def provisional_recompute_message() -> str:
    """`provisional_recompute` now, as one line for the administrator."""
    result = provisional_recompute(now=clock.now())
    return _("%(moved)s 件期限已调整，%(confirmed)s 件期限已确认，%(still)s 件仍待定") % {
        "moved": result.moved, "confirmed": result.confirmed, "still": result.still_provisional}


def _recomputed(row: Row, due_at: dt.datetime, provisional: bool, *, now: dt.datetime, book: PolicyBook,
                rule) -> dict[str, Any]:
    values: dict[str, Any] = {"due_at": due_at, "due_provisional": provisional}
    if due_at == row["due_at"]:
        return values
    rule_e = book.rule_for(row)
    yellow_at = rule_e.yellow_at(row["step_started_at"], due_at) if rule_e is not None else None
    values["yellow_at"] = yellow_at
    if row["warning_level"] != NONE and due_at >= now:
        values.update(warning_level=NONE, red_at=None, escalate_at=None)
    old_first = rule.first_urge_at(due_at=row["due_at"], yellow_at=row["yellow_at"])
    if row["urge_at"] is None or row["urge_at"] == old_first:  # not urged yet: the first one moves too
        values["urge_at"] = rule.first_urge_at(due_at=due_at, yellow_at=yellow_at)
    return values
