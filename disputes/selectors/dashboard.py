"""The dispatch dashboard's live figures (tiles) and work queues.

Every figure is *defined* as a case-list filter (docs/dashboard.md): its number is
`case_list(scope, filters).count()` and its tile links to the case list with the same
filters, so a figure and the list it opens cannot disagree. Queues are the same filters,
paginated, with who holds each case and the actions the viewer may take on it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from disputes.models import (
    OPEN_ASSIGNMENT_STATES,
    OPEN_STATES,
    AssignmentRole,
    Case,
    CaseAssignment,
    CaseState,
    WarningLevel,
)
from disputes.selectors.cases import case_list
from disputes.selectors.tally import state_card_rows, tally_counted_at
from governance.models import Region, RegionLevel
from governance.periods import Period
from governance.scoping import Scope

UPPER_LEVELS = frozenset({RegionLevel.COUNTY, RegionLevel.CITY})


def _days(prefix: str, period: Period) -> dict[str, str]:
    return {f"{prefix}_from": period.start.isoformat(), f"{prefix}_to": period.end.isoformat()}


@dataclass(frozen=True)
class Figure:
    """One tile: its number and the case-list filters that count it."""

    key: str
    label: str
    value: int
    filters: dict[str, str]
    tone: str = ""


@dataclass(frozen=True)
class Rate:
    """A rate tile: numerator / denominator, each with its own drill-down; None when the
    denominator is 0 (shown "—")."""

    key: str
    label: str
    numerator: Figure
    denominator: Figure

    @property
    def value(self) -> float | None:
        if not self.denominator.value:
            return None
        return round(100 * self.numerator.value / self.denominator.value, 1)


# Each queue counts what one tile counts (the same filters, the whole jurisdiction).
QUEUE_FIGURES = {"to_dispatch": "to_dispatch", "escalated": "escalated", "overdue": "red", "due_soon": "yellow"}


@dataclass
class Figures:
    tiles: list[Figure]
    rates: list[Rate]
    period: Period
    region: Region | None
    as_of: dt.datetime
    by_key: dict[str, Figure] = field(default_factory=dict)
    # When the state and card tiles were counted by the workers' rollup (None: live, at as_of).
    counted_at: dt.datetime | None = None

    def live_queue_sizes(self) -> dict[str, int]:
        """The queues' sizes (全辖区) these figures counted live, with the queues' own filters."""
        rolled_up = set(BY_STATE) | set(BY_CARD) if self.counted_at is not None else set()
        return {queue: self.by_key[key].value for queue, key in QUEUE_FIGURES.items()
                if key in self.by_key and key not in rolled_up}


def figure_filters(*, scope: Scope, period: Period, today: dt.date,
                   region: Region | None = None) -> list[tuple[str, Any, dict[str, str], str]]:
    """(key, label, filters, tone) of every count tile, in display order; the region (inside
    the scope) narrows each one."""
    narrow = {"region": str(region.pk)} if region is not None else {}
    specs: list[tuple[str, Any, dict[str, str], str]] = [
        ("registered_today", _("今日登记量"), {"created_from": today.isoformat(), "created_to": today.isoformat()}, ""),
        ("to_accept", _("待受理"), {"state": CaseState.REGISTERED}, ""),
        ("to_dispatch", _("待分流"), {"state": CaseState.ACCEPTED}, ""),
        ("to_sign", _("待签收"), {"state": CaseState.DISPATCHED}, ""),
        ("in_progress", _("办理中"), {"state": CaseState.IN_PROGRESS}, ""),
        ("yellow", _("黄牌"), {"warning_level": WarningLevel.YELLOW, "open": "true"}, "yellow"),
        ("red", _("红牌"), {"warning_level": WarningLevel.RED, "open": "true"}, "red"),
    ]
    if scope.level in UPPER_LEVELS:
        specs.append(("escalated", _("升级到本级"), {"escalated": "true"}, "orange"))
    specs.append(("resolved", _("本期办结"), _days("resolved", period), "green"))
    return [(key, label, {**{k: str(v) for k, v in filters.items()}, **narrow}, tone)
            for key, label, filters, tone in specs]


# (rate, label, (numerator, its label, denominator, the numerator's extra filters, the same as a
# condition)): the numerator is counted in the denominator's query (the tests check it against
# the list its filters open).
RATE_SPECS = (
    ("on_time_rate", _("按期办结率"),
     ("resolved_on_time", _("按期办结"), "resolved", {"on_time": "true"}, Q(resolved_on_time=True))),
    ("satisfaction_rate", _("满意率"),
     ("satisfied", _("回访满意"), "callbacks", {"satisfied": "true"}, Q(callback_satisfied=True))),
)


def _count(scope: Scope, filters: dict[str, str]) -> int:
    # Uses index: the one each filter leads to (docs/dashboard.md lists them per figure).
    return case_list(scope=scope, filters=filters).order_by().count()


def _count_with_part(scope: Scope, filters: dict[str, str], part: Q) -> tuple[int, int]:
    """How many cases `filters` select, and how many of those meet `part`, in one query."""
    # Uses index: case_<level>_resolved / case_<level>_callback (the period's range)
    counts = case_list(scope=scope, filters=filters).order_by().aggregate(
        n=Count(Value(1)), part=Count(Value(1), filter=part))
    return counts["n"], counts["part"]


# Tiles whose filters are one state, or one card on open cases: all of them are read from one
# GROUP BY state, card (index-only on case_<level>_dash, or on the screen the workers' rollup)
# instead of a COUNT each. The tests check each against its own filters' list.
BY_STATE = {"to_accept": CaseState.REGISTERED, "to_dispatch": CaseState.ACCEPTED, "to_sign": CaseState.DISPATCHED,
            "in_progress": CaseState.IN_PROGRESS}
BY_CARD = {"yellow": WarningLevel.YELLOW, "red": WarningLevel.RED}


def _state_card_counts(scope: Scope, region: Region | None, tallied: bool) -> dict[str, int]:
    # Uses index: case_<level>_dash (index-only GROUP BY state, warning_level), or the rollup
    counts = dict.fromkeys([*BY_STATE, *BY_CARD], 0)
    states = {state: key for key, state in BY_STATE.items()}
    cards = {card: key for key, card in BY_CARD.items()}
    for state, card, n in state_card_rows(scope=scope, region=region, tallied=tallied):
        if state in states:
            counts[states[state]] += n
        if card in cards and state in OPEN_STATES:
            counts[cards[card]] += n
    return counts


def dashboard_figures(*, scope: Scope, period: Period, today: dt.date, now: dt.datetime,
                      region_id: Any = None, rollup: bool = False) -> Figures:
    """The figures of the scope (or of one region inside it; outside → NotFound), all counted
    now, or with `rollup` the state and card tiles from the workers' rollup while it is fresh
    (`Figures.counted_at` says when it was counted)."""
    region = scope.region_in_scope(region_id) if region_id not in (None, "") else None
    narrow = {"region": str(region.pk)} if region is not None else {}
    counted_at = tally_counted_at(now=now) if rollup else None
    counts = _state_card_counts(scope, region, counted_at is not None)
    specs = figure_filters(scope=scope, period=period, today=today, region=region)
    filters_of = {key: filters for key, _label, filters, _tone in specs}
    filters_of["callbacks"] = {**_days("callback", period), **narrow}
    for _key, _label, (num_key, _num_label, denominator, _extra, part) in RATE_SPECS:
        counts[denominator], counts[num_key] = _count_with_part(scope, filters_of[denominator], part)
    tiles = [Figure(key, str(label), counts[key] if key in counts else _count(scope, filters), filters, tone)
             for key, label, filters, tone in specs]
    by_key = {tile.key: tile for tile in tiles}
    by_key["callbacks"] = Figure("callbacks", str(_("本期回访")), counts["callbacks"], filters_of["callbacks"])
    rates = []
    for key, label, (num_key, num_label, denominator, extra, _part) in RATE_SPECS:
        base = by_key[denominator]
        filters = {**base.filters, **extra}
        numerator = Figure(num_key, str(num_label), counts[num_key], filters)
        by_key[num_key] = numerator
        rates.append(Rate(key, str(label), numerator, base))
    return Figures(tiles=tiles, rates=rates, period=period, region=region, as_of=now, by_key=by_key,
                   counted_at=counted_at)


# --- Work queues ----------------------------------------------------------------------------------

QUEUES: dict[str, tuple[Any, dict[str, str]]] = {
    "to_dispatch": (_("待分流"), {"state": CaseState.ACCEPTED}),
    "escalated": (_("上报件"), {"escalated": "true"}),
    "overdue": (_("逾期件"), {"warning_level": WarningLevel.RED, "open": "true"}),
    "due_soon": (_("即将逾期"), {"warning_level": WarningLevel.YELLOW, "open": "true"}),
}


def queue_names(scope: Scope) -> list[str]:
    return [name for name in QUEUES if name != "escalated" or scope.level in UPPER_LEVELS]


def queue_filters(name: str, *, region: Region | None = None, mine: bool = False) -> dict[str, str]:
    filters = {k: str(v) for k, v in QUEUES[name][1].items()}
    if region is not None:
        filters["region"] = str(region.pk)
    if mine:
        filters["mine"] = "true"
    return filters


def dashboard_queue(*, scope: Scope, name: str, region: Region | None = None, mine: bool = False) -> QuerySet:
    """One work queue's case ids: the cases its tile counts (with `mine`, only those the
    viewer's own center owns), the most urgent deadline first. Ids only: sorting ids needs no
    join, so a page costs the same however many cases wait (`queue_cases` loads the page)."""
    # Uses index: case_<level>_state_due (待分流), case_<level>_warning_due (逾期, 即将逾期),
    # case_owner_open_due (本中心, 上报件): an ordered range scan that stops after the page
    return (case_list(scope=scope, filters=queue_filters(name, region=region, mine=mine))
            .order_by("due_at", "id").values_list("pk", flat=True))


# What a queue row shows and its actions read (disputes.permissions.case_queue_actions: state,
# owner and its level; the jurisdiction's path): loading only these halves the cost of building
# forty cases (the narrative, stamps and thresholds stay in the database).
QUEUE_RELATED = ("owning_region", "township", "village")
QUEUE_FIELDS = ("number", "title", "state", "due_at", "due_provisional", "warning_level", "urgent", "owning_level",
                "city", "county", "owning_region__name", "township__name", "village__name")


def queue_cases(*, scope: Scope, ids: list[int]) -> list[Case]:
    """The cases of one queue page, in the page's order, each with its open lead assignment
    (`open_leads`) to say who holds it."""
    leads = Prefetch("assignments", to_attr="open_leads", queryset=CaseAssignment.objects.filter(
        status__in=OPEN_ASSIGNMENT_STATES, role=AssignmentRole.LEAD).select_related("department", "region").only(
        "case_id", "department__name", "region__name"))
    # Uses index: the primary key
    cases = (case_list(scope=scope).filter(pk__in=ids).order_by().select_related(None)
             .select_related(*QUEUE_RELATED).only(*QUEUE_FIELDS).prefetch_related(leads))
    rows = {case.pk: case for case in cases}
    return [rows[pk] for pk in ids if pk in rows]
