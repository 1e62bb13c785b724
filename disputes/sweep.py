"""The deadline sweep (the periodic Celery task and `manage.py sweep_deadlines`): yellow and
red cards, escalation of red cases past their threshold, and automatic 催办 (LoopPolicy).

Set-based, one fixed-size batch per transaction. It selects the ids whose warning or owner
must change by comparing thresholds stamped on the case with `now` through partial indexes
(`yellow_at`, stamped when a step starts; `due_at`; `escalate_at`, stamped with the red card
— see `disputes.deadlines.thresholds_recompute` for policy edits), locks them (SKIP LOCKED on
PostgreSQL, so several workers can sweep at once), re-reads them under the lock, and changes
them with conditional UPDATEs whose WHERE repeats the condition (a case resolved in between
is not touched). Moves go through `disputes.services.escalation.moves_apply`, events through
the services' event builder, notifications through their one recipient rule.
See docs/background-jobs.md.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.deadlines import NONE, RED, TIMED_SORTED, YELLOW, PolicyBook, RestartDeadlines, Row, level_above
from disputes.models import (
    OPEN_ASSIGNMENT_STATES,
    TIMED_STATES,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseState,
    Category,
    EscalationReason,
    Supervision,
    SupervisionKind,
    UrgeWhen,
)
from disputes.policies import LoopRules
from disputes.services.audit_trail import events_save, region_of
from disputes.services.core import Notice, Recipients, event_build, notices_send, stale_conflict
from disputes.services.escalation import ROW_FIELDS, Move, move_data, move_notice, moves_apply, region_names, rule_moves
from disputes.sweep_assists import assists_sweep
from governance import clock

# Cases per sweep batch (one transaction); measured in docs/performance.md.
DEFAULT_BATCH_SIZE = 5000
# How many case numbers a SweepResult keeps per kind (the counts are always complete).
SAMPLE_LIMIT = 50


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepChange:
    kind: str  # "yellow", "red", "escalate", "urge"
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
    assists_due_soon: int = 0  # assisting units (协办) whose own deadline is near (yellow)
    assists_overdue: int = 0  # assisting units (协办) whose own deadline passed (red)
    urged: int = 0

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(
            yellow=self.yellow + other.yellow,
            red=self.red + other.red,
            escalated=self.escalated + other.escalated,
            assists_due_soon=self.assists_due_soon + other.assists_due_soon,
            assists_overdue=self.assists_overdue + other.assists_overdue,
            next_after_id=other.next_after_id,
            changes=_sample(self.changes + other.changes),
            urged=self.urged + other.urged,
        )



# --- Candidates ------------------------------------------------------------------------------------

_ID_PLUS_0 = ExpressionWrapper(F("id") + Value(0), output_field=BigIntegerField())


def _candidate_querysets(*, book: PolicyBook, now: dt.datetime, after_id: int) -> list[QuerySet[Case]]:
    """One query per transition, each an index range probe on a stamped threshold.

    # Uses index: case_sweep_yellow (yellow_at, partial: timed, no card),
    # case_sweep_red (due_at, partial: timed, no or yellow card),
    # case_sweep_escalate (escalate_at, partial: timed, red card),
    # case_sweep_urge (urge_at, partial: timed).
    """
    timed = Case.objects.filter(id__gt=after_id, state__in=TIMED_SORTED)
    parts = [
        timed.filter(warning_level=NONE, yellow_at__lte=now),
        timed.filter(warning_level__in=[NONE, YELLOW], due_at__lt=now),
        timed.filter(warning_level=RED, escalate_at__lte=now),
        timed.filter(urge_at__lte=now),
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
        Case.objects.filter(id__in=chosen, state__in=TIMED_SORTED)
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
        .values(*ROW_FIELDS)
    )


def _event(row: Row, action: str, now: dt.datetime, *, note: str = "", data: dict | None = None) -> CaseEvent:
    return event_build(case_id=row["id"], actor=None, action=action, from_state=row["state"], to_state=row["state"],
                       now=now, note=note, data=data)


def _sweep_apply(*, ids: Sequence[int], now: dt.datetime, book: PolicyBook | None = None) -> SweepResult:
    """Apply the sweep to `ids` inside the caller's transaction.

    Reads the rows again under lock, so an id list that went stale (a case resolved since it
    was selected) changes nothing for that case; every UPDATE repeats its condition.
    """
    book = book or PolicyBook.load()
    rows = _unscoped_lock_rows(ids)
    regions = {row["id"]: region_of(row) for row in rows}
    deadlines = RestartDeadlines(now, book)
    events: list[CaseEvent] = []
    pending: list[_Pending] = []
    changes: list[SweepChange] = []

    # 1. Rule-based direct escalation (越级上报) of accepted cases.
    moves = rule_moves(rows, book)
    before = {m.row["id"]: (m.row["owning_level"], m.row["owning_region_id"]) for m in moves}
    rule_moved = moves_apply(moves, now=now, deadlines=deadlines, where=Q(state=CaseState.ACCEPTED))
    for m in rule_moved:
        from_level, from_region = before[m.row["id"]]
        event = _event(m.row, "escalate", now, note=_("按越级上报规则直接上报"), data=move_data(m, from_level, from_region))
        events.append(event)
        pending.append(_Pending(event, m.row, "escalate", from_region, m))
        changes.append(SweepChange("escalate", m.row["id"], m.row["number"], m.to_level))
    done = {m.row["id"] for m in rule_moved}
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
            raise stale_conflict()
    red_events: dict[int, CaseEvent] = {}
    for row in red_rows:
        red_events[row["id"]] = event = _event(row, "red", now, data={"due_at": row["due_at"].isoformat()})
        events.append(event)
        changes.append(SweepChange("red", row["id"], row["number"]))

    # 3. Overdue escalation: red long enough (escalate_at, stamped with the red card).
    moves = []
    for row in rows:
        due = row["warning_level"] == RED and row["escalate_at"] is not None and row["escalate_at"] <= now
        target = level_above(row) if due else None
        if target:
            moves.append(Move(row, *target, reason=EscalationReason.OVERDUE))
    before = {m.row["id"]: (m.row["owning_level"], m.row["owning_region_id"]) for m in moves}
    escalated = moves_apply(moves, now=now, deadlines=deadlines,
                            where=Q(warning_level=RED, due_at__lt=now, escalate_at__lte=now))
    for m in escalated:
        from_level, from_region = before[m.row["id"]]
        event = _event(m.row, "escalate", now, note=_("超期自动升级"), data=move_data(m, from_level, from_region))
        events.append(event)
        pending.append(_Pending(event, m.row, "escalate", from_region, m))
        changes.append(SweepChange("escalate", m.row["id"], m.row["number"], m.to_level))
    moved_now = {m.row["id"] for m in escalated}
    # A case that turned red and moved up in the same batch gets one message (the move).
    pending.extend(_Pending(red_events[row["id"]], row, "red") for row in red_rows if row["id"] not in moved_now)

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
            raise stale_conflict()
    for row in yellow_rows:
        row["warning_level"] = YELLOW
        event = _event(row, "yellow", now, data={"due_at": row["due_at"].isoformat()})
        events.append(event)
        pending.append(_Pending(event, row, "yellow"))
        changes.append(SweepChange("yellow", row["id"], row["number"]))

    # 5. Automatic 催办: the stamped urge_at (LoopPolicy.urge_when: the day after the
    #    deadline, or from the yellow card) passed. The next one waits for the rule's
    #    cool-down; a case that moved up in this batch restarted its step and is not urged.
    urged = _urge_apply([row for row in rows if row["id"] not in moved_now and row["urge_at"] is not None
                         and row["urge_at"] <= now], now)
    for row, supervision in urged:
        event = _event(row, "urge", now, note=supervision.note,
                       data={"supervision_id": supervision.pk, "automatic": True,
                             "due_at": row["due_at"].isoformat() if row["due_at"] else None})
        events.append(event)
        pending.append(_Pending(event, row, "urge"))
        changes.append(SweepChange("urge", row["id"], row["number"]))
    # One message per case and batch: a 催办 says the card's news too.
    urged_ids = {row["id"] for row, _supervision in urged}
    pending = [p for p in pending if p.kind not in ("red", "yellow") or p.row["id"] not in urged_ids]
    return _finish(events, pending, changes, regions)


def _urge_apply(rows: Sequence[Row], now: dt.datetime) -> list[tuple[Row, Supervision]]:
    """Move the urge threshold of `rows` past the cool-down (one UPDATE per distinct next
    moment; the WHERE repeats the condition) and write their 催办 rows (by the system)."""
    if not rows:
        return []
    rules = LoopRules.load()
    parents = dict(Category.objects.filter(pk__in={r["category_id"] for r in rows}).values_list("id", "parent_id"))
    groups: dict[dt.datetime | None, list[Row]] = defaultdict(list)
    for row in rows:
        rule = rules.rule_for(level=row["owning_level"], category_id=row["category_id"],
                              parent_id=parents.get(row["category_id"]))
        # A rule switched to "never" since the step was stamped: clear it, urge nothing.
        groups[rule.next_urge_at(now) if rule.urge_when != UrgeWhen.NEVER else None].append(row)
    for next_at, group in groups.items():
        updated = Case.objects.filter(
            id__in=[r["id"] for r in group], state__in=TIMED_STATES, urge_at__lte=now,
        ).update(urge_at=next_at, updated_at=now)
        if updated != len(group):
            raise stale_conflict()
        for row in group:
            row["urge_at"] = next_at
    due = [row for next_at, group in groups.items() if next_at is not None for row in group]
    supervisions = Supervision.objects.bulk_create([
        Supervision(case_id=row["id"], kind=SupervisionKind.URGE, by=None, note=_urge_note(row, now)) for row in due
    ])
    return list(zip(due, supervisions, strict=True))


def _urge_note(row: Row, now: dt.datetime) -> str:
    due_at = row["due_at"]
    if due_at is not None and due_at < now:
        return _("系统自动催办：已超过环节期限（%(due)s），请尽快办理。") % {
            "due": timezone.localtime(due_at).strftime("%Y-%m-%d")}
    if due_at is not None:
        return _("系统自动催办：环节期限（%(due)s）即将届满，请抓紧办理。") % {
            "due": timezone.localtime(due_at).strftime("%Y-%m-%d")}
    return _("系统自动催办：请尽快办理。")


@dataclass
class _Pending:
    """A notice waiting for its event's primary key (events are inserted as one batch)."""

    event: CaseEvent
    row: Row
    kind: str
    previous_region_id: int | None = None
    move: Move | None = None


def _card_notice(p: _Pending, handler: Recipients) -> Notice:
    row = p.row
    if p.kind == "urge":
        title = _("催办：%(number)s") % {"number": row["number"]}
        body = p.event.note
    elif p.kind == "yellow":
        title = _("黄牌预警：%(number)s") % {"number": row["number"]}
        body = _("案件「%(title)s」办理时限即将届满，请抓紧办理。") % {"title": row["title"]}
    else:
        title = _("红牌超期：%(number)s") % {"number": row["number"]}
        body = _("案件「%(title)s」已超过办理时限。") % {"title": row["title"]}
    return Notice(case_id=row["id"], kind=p.kind, event_id=p.event.pk, title=title, body=body,
                  recipients=Recipients(center_region_ids=(row["owning_region_id"],)) | handler)


def _notify(pending: Sequence[_Pending]) -> None:
    """The batch's notices: the owning center's staff and the current handler (the holder of
    the open assignment), and on a move also the previous owner (services.core's one rule).
    Two queries per batch: the open assignments and the recipients."""
    if not pending:
        return
    handlers = {
        case_id: Recipients.of_holder(department_id=department_id, region_id=region_id)
        for case_id, department_id, region_id in CaseAssignment.objects.filter(
            case_id__in={p.row["id"] for p in pending}, status__in=OPEN_ASSIGNMENT_STATES,
        ).values_list("case_id", "department_id", "region_id")
    }
    moves = [p for p in pending if p.move is not None]
    names = region_names({r for p in moves for r in (p.previous_region_id, p.row["owning_region_id"]) if r})
    notices_send([
        move_notice(p.move, p.event.pk, from_region_id=p.previous_region_id, note=p.event.note, names=names,
                    handler=handlers.get(p.row["id"], Recipients()))
        if p.move is not None else _card_notice(p, handlers.get(p.row["id"], Recipients()))
        for p in pending
    ])


def _finish(events: list[CaseEvent], pending: list[_Pending], changes: list[SweepChange],
            regions: dict[int, int | None]) -> SweepResult:
    # The events' primary keys (set by the insert) are the notifications' event keys.
    events_save(events, regions=regions)
    _notify(pending)
    return SweepResult(
        yellow=sum(c.kind == "yellow" for c in changes),
        red=sum(c.kind == "red" for c in changes),
        escalated=sum(c.kind == "escalate" for c in changes),
        urged=sum(c.kind == "urge" for c in changes),
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
        if after_id == 0:  # once per round: the assisting units' own deadlines
            yellow, red = assists_sweep(now=now, limit=batch_size, book=book)
            result = replace(result, assists_due_soon=yellow, assists_overdue=red)
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
