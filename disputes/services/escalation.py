"""Escalation writes: a case's owning center moves up one level (township → county → city).

Three ways, all through `moves_apply`:
- `case_escalate`: manual 上报 by the owning center's staff;
- `case_escalate_by_rule`: 越级上报 at acceptance, for policies with `direct_to_level`;
- the deadline sweep (`disputes.sweep`), for red cases past their escalation threshold and
  for accepted cases a policy added later sends up (`rule_moves`).

Each move writes an `Escalation` row, unique per (case, to_level) in the database, before
the case moves, so a re-run, a duplicate delivery or two overlapping sweeps escalate nothing
twice.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from disputes.deadlines import NONE, PolicyBook, RestartDeadlines, Row, level_above
from disputes.models import TIMED_STATES, Case, CaseState, Escalation, EscalationPolicy, EscalationReason
from disputes.permissions import open_assignment, require_action
from disputes.services.audit_trail import events_save, region_of
from disputes.services.core import Notice, Recipients, event_build, notices_send, stale_conflict
from governance import clock
from governance.errors import Conflict, InvalidInput
from governance.models import Region, User
from governance.scoping import scope_for

logger = logging.getLogger(__name__)

# Manual 上报 is for a case the owning center holds: accepted (待分流) or in progress.
MANUAL_ESCALATION_STATES = frozenset({CaseState.ACCEPTED, CaseState.IN_PROGRESS})
# The columns a move reads of each case (the sweep's locked rows have the same shape).
ROW_FIELDS = (
    "id", "number", "title", "state", "owning_level", "owning_region_id", "category_id", "channel", "risk_grade_id",
    "step", "step_started_at", "due_at", "warning_level", "red_at", "yellow_at", "escalate_at", "urge_at", "version",
    "city_id", "county_id", "township_id", "village_id",
)


@dataclass
class Move:
    row: Row
    to_level: str
    to_region_id: int
    reason: str
    escalation_id: int | None = None
    copy_department_ids: tuple[int, ...] = ()
    policy_id: int | None = None


def moves_apply(
    moves: Sequence[Move], *, now: dt.datetime, deadlines: RestartDeadlines, where: Q,
    actor: User | None = None, note: str = "",
) -> list[Move]:
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
    groups: dict[tuple[str, str, dt.datetime | None, bool, dt.datetime | None, dt.datetime | None], list[int]] = \
        defaultdict(list)
    for m in moved:
        m.escalation_id = inserted[(m.row["id"], m.to_level)]
        due_at, provisional = deadlines.for_row(m.row, m.to_level)
        yellow_at = deadlines.yellow_at(m.row, m.to_level, due_at)
        urge_at = deadlines.urge_at(m.row, m.to_level, due_at, yellow_at)
        m.row["urge_at"] = urge_at
        groups[(m.row["owning_level"], m.to_level, due_at, provisional, yellow_at, urge_at)].append(m.row["id"])
    for (from_level, to_level, due_at, provisional, yellow_at, urge_at), ids in groups.items():
        # Uses index: the primary key; the WHERE repeats the condition the rows were chosen by.
        # The step restarts at the new level: new deadline, yellow threshold and first
        # automatic 催办, no red card.
        updated = Case.objects.filter(where, id__in=ids, state__in=TIMED_STATES, owning_level=from_level).update(
            owning_level=to_level, owning_region=F(to_level), warning_level=NONE, red_at=None,
            step_started_at=now, due_at=due_at, due_provisional=provisional, yellow_at=yellow_at, escalate_at=None,
            urge_at=urge_at, version=F("version") + 1, updated_at=now,
        )
        if updated != len(ids):
            # The rows are locked by this transaction, so this means they changed under a
            # caller that did not lock them: refuse the whole batch (it rolls back).
            raise stale_conflict()
    for m in moved:
        m.row.update(owning_level=m.to_level, owning_region_id=m.to_region_id, warning_level=NONE, red_at=None,
                     escalate_at=None)
    return moved


# --- Notifications ------------------------------------------------------------------------------


def move_data(m: Move, from_level: str, from_region_id: int) -> dict:
    return {
        "from_level": from_level, "from_region_id": from_region_id, "to_level": m.to_level,
        "to_region_id": m.to_region_id, "reason": m.reason, "escalation_id": m.escalation_id,
    }


def move_notice(m: Move, event_id: int, *, from_region_id: int, handler: Recipients, note: str,
                names: dict[int, str]) -> Notice:
    """The escalation notice: the new owner's and the previous owner's center staff, the
    current handler, and the departments a rule copies in."""
    row = m.row
    recipients = (Recipients(center_region_ids=(row["owning_region_id"], from_region_id),
                             department_ids=m.copy_department_ids) | handler)
    return Notice(
        case_id=row["id"], kind="escalate", event_id=event_id,
        title=_("案件升级：%(number)s") % {"number": row["number"]},
        body=_("案件「%(title)s」已由%(source)s上报至%(target)s。%(note)s") % {
            "title": row["title"], "source": names.get(from_region_id, ""),
            "target": names.get(row["owning_region_id"], ""), "note": note},
        recipients=recipients,
    )


def region_names(region_ids: set[int]) -> dict[int, str]:
    return dict(Region.objects.filter(pk__in=region_ids).values_list("id", "name")) if region_ids else {}


def rule_moves(rows: Sequence[Row], book: PolicyBook) -> list[Move]:
    """The moves 越级上报 policies ask for among accepted `rows`, with the departments each
    policy copies in."""
    moves = []
    for row in rows:
        if row["state"] != CaseState.ACCEPTED:
            continue
        rule = book.rule_for(row)
        if rule is None or not rule.directs_up:
            continue
        target = level_above(row, from_level=rule.direct_to_level)
        if target:
            moves.append(Move(row, *target, reason=EscalationReason.RULE, policy_id=rule.id))
    if moves:
        copies: dict[int, list[int]] = defaultdict(list)
        for policy_id, department_id in EscalationPolicy.copy_departments.through.objects.filter(
                escalationpolicy_id__in={m.policy_id for m in moves}).values_list(
                "escalationpolicy_id", "department_id"):
            copies[policy_id].append(department_id)
        for m in moves:
            m.copy_department_ids = tuple(copies[m.policy_id])  # type: ignore[index]
    return moves


def _row_of(case: Case) -> Row:
    return {name: getattr(case, name) for name in ROW_FIELDS}


def _locked_case(actor: User, case_id: int) -> Case:
    scope = scope_for(actor)
    try:
        pk = int(case_id)
    except (TypeError, ValueError, OverflowError):
        pk = 0
    # Lock first: the sweep locks the same row before it writes an Escalation (no deadlock).
    return scope.require(
        Case.objects.select_for_update(of=("self",)).select_related("owning_region").filter(pk=pk).first()
    )


def _handler(case: Case) -> Recipients:
    return Recipients.of_assignment(open_assignment(case))


@transaction.atomic
def case_escalate(*, actor: User, case_id: int, note: str, version: int | None = None) -> Case:
    """上报: the owning center hands the case to the center one level up.

    Owning center's window staff or dispatcher only (403); state accepted or in progress
    (409); outside the actor's jurisdiction or missing: 404. The case keeps its state; the
    upper center now owns it (it may re-dispatch, supervise or urge) and the step clock
    restarts under the upper level's time limit.
    """
    case = _locked_case(actor, case_id)
    require_action(user=actor, case=case, action="escalate", assignment=None)
    if case.state not in MANUAL_ESCALATION_STATES:
        raise Conflict(
            _("案件当前状态为「%(state)s」，不能上报") % {"state": case.get_state_display()},
            code="invalid_state", extra={"state": case.state, "action": "escalate"},
        )
    if version is not None and int(version) != case.version:
        raise stale_conflict()
    note = (note or "").strip()
    if not note:
        message = _("请填写上报理由")
        raise InvalidInput(message, extra={"fields": {"note": message}})
    row = _row_of(case)
    target = level_above(row)
    if target is None:
        raise Conflict(_("已是最高层级，无法继续上报"), code="top_level")
    now = clock.now()
    from_level, from_region = case.owning_level, case.owning_region_id
    move = Move(row, *target, reason=EscalationReason.MANUAL)
    moved = moves_apply([move], now=now, deadlines=RestartDeadlines(now), actor=actor, note=note,
                        where=Q(state=case.state, version=case.version))
    if not moved:
        raise Conflict(_("该案件已上报过该层级"), code="already_escalated")
    event = event_build(case_id=case.pk, actor=actor, action="escalate", from_state=case.state,
                        to_state=case.state, now=now, note=note, data=move_data(move, from_level, from_region))
    events_save([event], regions={case.pk: region_of(row)})
    names = region_names({from_region, row["owning_region_id"]})
    notices_send([move_notice(move, event.pk, from_region_id=from_region, handler=_handler(case), note=note,
                              names=names)], exclude_user_id=actor.pk)
    case.refresh_from_db()
    return case


@transaction.atomic
def case_escalate_by_rule(*, case_id: int, now: dt.datetime | None = None, actor: User | None = None) -> bool:
    """越级上报 at acceptance: when the case's policy names a higher `direct_to_level`, move
    the case straight there (copying the policy's departments). Called by case_accept inside
    its transaction, after the case became accepted; `actor` (who accepted) is not told of
    the move their acceptance made, their colleagues are. Returns True when it moved."""
    now = now or clock.now()
    book = PolicyBook.load()
    if not book.any_direct:
        return False
    # Uses index: the primary key.
    rows = list(Case.objects.filter(pk=int(case_id), state=CaseState.ACCEPTED)
                .select_for_update(of=("self",)).values(*ROW_FIELDS))
    moves = rule_moves(rows, book)
    if not moves:
        return False
    from_level, from_region = rows[0]["owning_level"], rows[0]["owning_region_id"]
    moved = moves_apply(moves, now=now, deadlines=RestartDeadlines(now, book), where=Q(state=CaseState.ACCEPTED))
    for m in moved:
        note = _("按越级上报规则直接上报")
        event = event_build(case_id=m.row["id"], actor=None, action="escalate", from_state=m.row["state"],
                            to_state=m.row["state"], now=now, note=note, data=move_data(m, from_level, from_region))
        events_save([event], regions={m.row["id"]: region_of(m.row)})
        notices_send([move_notice(m, event.pk, from_region_id=from_region, handler=Recipients(), note=note,
                                  names=region_names({from_region, m.row["owning_region_id"]}))],
                     exclude_user_id=actor.pk if actor is not None else None)
    return bool(moved)
