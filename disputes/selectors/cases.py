"""Every scoped read of cases. Each selector takes the Scope first and applies it before
anything else (filters, then select_related), so a page, an API list, an export and a
dashboard all see the same rows. Outside the scope looks like missing (NotFound).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes import parties as party_data
from disputes.models import (
    OPEN_ASSIGNMENT_STATES,
    OPEN_STATES,
    TIMED_STATES,
    AssignmentRole,
    AssignmentStatus,
    Attachment,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseParty,
    CaseState,
    Channel,
    Escalation,
    ExtensionRequest,
    Mediation,
    Referral,
    Supervision,
    WarningLevel,
)
from disputes.selectors.indicators import indicator_q
from governance import clock
from governance.errors import Forbidden, InvalidInput, NotFound
from governance.inputs import span_error
from governance.models import ADMIN_ROLES, RegionLevel, Role, User
from governance.periods import Period
from governance.scoping import Scope
from governance.workdays import SHANGHAI

# Only what a list row shows (case_rows.html, CaseListOutputSerializer): each extra join costs
# PostgreSQL planning time on every request (7 joins took ~60 ms to plan at 1M cases, 4 take ~3).
LIST_RELATED = ("category", "owning_region", "township", "village")
# The detail page and API also show the grid, the risk grade, the category path and the
# registering user; duplicate_of is shown by id only, so it is not joined.
DETAIL_RELATED = (*LIST_RELATED, "category__parent", "grid", "risk_grade", "registered_by")
# The detail page leaves out the registering user (not shown) and the risk grade (set on a
# minority of cases, loaded on access): PostgreSQL plans a join of nine tables in ~3 ms, of
# seven in ~1 ms, on every request (measured at 1,000,000 cases, docs/performance.md).
PAGE_DETAIL_RELATED = (*LIST_RELATED, "category__parent", "grid")
ORDERINGS = frozenset({
    "created_at", "-created_at", "due_at", "-due_at", "number", "-number", "updated_at", "-updated_at",
    "state", "-state", "occurred_at", "-occurred_at",
})
BOXES = ("to_accept", "to_dispatch", "to_sign", "in_progress", "to_callback", "overdue", "escalated")
BOX_LABELS = {
    "to_accept": gettext_lazy("待受理"), "to_dispatch": gettext_lazy("待分流"), "to_sign": gettext_lazy("待签收"), "in_progress": gettext_lazy("办理中"),
    "to_callback": gettext_lazy("待回访"), "overdue": gettext_lazy("我的超期"), "escalated": gettext_lazy("上级/升级到本级"),
}
HINT_WINDOW = dt.timedelta(days=90)
HINT_LIMIT = 10


def _values(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    if isinstance(value, Iterable):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)]


def _bound(value: Any, *, end: bool, field: str = "") -> dt.datetime | None:
    """A created_from/created_to (or another date filter's) bound: a datetime, or a whole day in
    Asia/Shanghai, within DATE_SPAN_YEARS of today (9999-12-31 plus a day overflows; a bound
    centuries away is a typing slip)."""
    if value in (None, ""):
        return None
    field = field or ("created_to" if end else "created_from")
    moment = value if isinstance(value, dt.datetime) else None
    day = value if isinstance(value, dt.date) and moment is None else None
    if moment is None and day is None:
        try:
            # A bare date first: parse_datetime reads "2026-12-07" as its midnight, which
            # would make an end bound exclude the whole day.
            day = parse_date(str(value))
            moment = None if day is not None else parse_datetime(str(value))
        except ValueError:  # well formed but impossible ("2026-13-40")
            moment = day = None
    if moment is None and day is None:
        raise InvalidInput(_("日期格式不正确"), extra={"fields": {field: _("日期格式不正确")}})
    message = span_error(moment or day)
    if message:
        raise InvalidInput(message, extra={"fields": {field: message}})
    if moment is not None:
        return moment if timezone.is_aware(moment) else moment.replace(tzinfo=SHANGHAI)
    if end:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)


def _ids(value: Any, field: str) -> list[int]:
    try:
        return [int(v) for v in _values(value)]
    except ValueError:
        raise InvalidInput(_("筛选条件无效"), extra={"fields": {field: _("筛选条件无效")}}) from None


def _business_only(scope: Scope) -> None:
    """三员分立: the system, security and audit administrators keep the platform, its accounts
    and its log; they read no case (nor its parties, files or exports) — a 403 that says so."""
    if scope.role in ADMIN_ROLES:
        raise Forbidden(_("系统管理员、安全管理员和审计管理员不查阅案件（三员分立）"))


def case_list(*, scope: Scope, filters: Mapping[str, Any] | None = None) -> QuerySet[Case]:
    """Cases in the scope, filtered. Filters: state, category (a category or its children),
    channel, warning_level, region (a region inside the scope; outside → NotFound),
    created_from, created_to, q (number or title), ordering; and the dashboard's drill-downs
    (`_dashboard_filters`): open, escalated, mine (owned by the viewer's own center),
    resolved_from/to, on_time, callback_from/to, satisfied."""
    filters = filters or {}
    _business_only(scope)
    # Uses index: case_<level>_state_due / case_<level>_created (the scope column leads)
    qs = scope.filter(Case.objects.all())
    states = _values(filters.get("state"))
    if states:
        if not set(states) <= set(CaseState.values):
            raise InvalidInput(_("状态无效"), extra={"fields": {"state": _("状态无效")}})
        qs = qs.filter(state__in=states)
    categories = _ids(filters.get("category"), "category")
    if categories:
        qs = qs.filter(Q(category_id__in=categories) | Q(category__parent_id__in=categories))
    channels = _values(filters.get("channel"))
    if channels:
        if not set(channels) <= set(Channel.values):
            raise InvalidInput(_("来源渠道无效"), extra={"fields": {"channel": _("来源渠道无效")}})
        qs = qs.filter(channel__in=channels)
    warnings = _values(filters.get("warning_level"))
    if warnings:
        if not set(warnings) <= set(WarningLevel.values):
            raise InvalidInput(_("预警等级无效"), extra={"fields": {"warning_level": _("预警等级无效")}})
        qs = qs.filter(warning_level__in=warnings)
    region = None
    if filters.get("region") not in (None, ""):
        region = scope.region_in_scope(filters["region"])
        qs = qs.filter(**{f"{region.level}_id": region.pk})
    if filters.get("indicator") not in (None, ""):
        qs = qs.filter(_indicator_filter(filters, region))
    created_from = _bound(filters.get("created_from"), end=False)
    if created_from:
        qs = qs.filter(created_at__gte=created_from)
    created_to = _bound(filters.get("created_to"), end=True)
    if created_to:
        qs = qs.filter(created_at__lt=created_to)
    qs = _dashboard_filters(qs, scope=scope, filters=filters)
    keyword = str(filters.get("q") or "").strip()
    if keyword:
        qs = qs.filter(Q(number__startswith=keyword) | Q(title__icontains=keyword))
    ordering = str(filters.get("ordering") or "-created_at")
    if ordering not in ORDERINGS:
        raise InvalidInput(_("排序字段无效"), extra={"fields": {"ordering": _("排序字段无效")}})
    return qs.select_related(*LIST_RELATED).order_by(ordering, "-id")


YES_NO = {"yes": True, "no": False, "1": True, "0": False, "true": True, "false": False, True: True, False: False}


def _flag(filters: Mapping[str, Any], name: str) -> bool | None:
    value = filters.get(name)
    if value in (None, ""):
        return None
    key = value if isinstance(value, bool) else str(value).lower()
    if key not in YES_NO:
        raise InvalidInput(_("筛选条件无效"), extra={"fields": {name: _("筛选条件无效")}})
    return YES_NO[key]


def _dashboard_filters(qs: QuerySet[Case], *, scope: Scope, filters: Mapping[str, Any]) -> QuerySet[Case]:
    """The filters a dashboard tile, queue or statistic links to (docs/dashboard.md), so its
    figure and the case list it opens count the same rows."""
    if _flag(filters, "open"):
        qs = qs.filter(state__in=OPEN_STATES)
    if _flag(filters, "escalated"):
        qs = qs.filter(escalated_to_center(scope.region_id))
    if _flag(filters, "mine"):
        # Uses index: case_owner_state (owning_region, state)
        qs = qs.filter(owning_region_id=scope.region_id)
    for column, prefix in (("resolved_at", "resolved"), ("callback_at", "callback")):
        start = _bound(filters.get(f"{prefix}_from"), end=False, field=f"{prefix}_from")
        if start:
            qs = qs.filter(**{f"{column}__gte": start})
        end = _bound(filters.get(f"{prefix}_to"), end=True, field=f"{prefix}_to")
        if end:
            qs = qs.filter(**{f"{column}__lt": end})
    on_time = _flag(filters, "on_time")
    if on_time is not None:
        qs = qs.filter(resolved_on_time=on_time)
    satisfied = _flag(filters, "satisfied")
    if satisfied is not None:
        qs = qs.filter(callback_satisfied=satisfied)
    return qs


def escalated_to_center(region_id: int) -> Q:
    """Open cases the center of `region_id` owns because they were escalated to it (上报件)."""
    # Uses index: escalation_once_per_level (case, to_level) probed per case of the owner
    here = Exists(Escalation.objects.filter(case_id=OuterRef("pk"), to_region_id=region_id))
    return Q(here) & Q(owning_region_id=region_id, state__in=OPEN_STATES)


def case_list_with_parties(*, scope: Scope, filters: Mapping[str, Any] | None = None) -> QuerySet[Case]:
    """`case_list` with each case's parties (an export's rows; batched per chunk when iterated)."""
    # Uses index: the case_id foreign key of the parties table
    parties = Prefetch("parties", queryset=CaseParty.objects.order_by("id"))
    return case_list(scope=scope, filters=filters).select_related("category").prefetch_related(parties)


def _indicator_filter(filters: Mapping[str, Any], region) -> Q:
    """The drill-down from an assessment score: the cases counted in one part of one
    indicator for a unit (`region`) and a period (disputes.selectors.indicators)."""
    if region is None:
        raise InvalidInput(_("请指定考核单位"), extra={"fields": {"region": _("请指定考核单位")}})
    start, end = _day(filters.get("period_from"), "period_from"), _day(filters.get("period_to"), "period_to")
    if start is None or end is None or end < start:
        raise InvalidInput(_("请指定考核期间"), extra={"fields": {"period_from": _("请指定考核期间")}})
    return indicator_q(key=str(filters["indicator"]), part=str(filters.get("part") or "num"), level=region.level,
                       period=Period(start, end))


def _day(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    day = parse_date(str(value))
    if day is None:
        raise InvalidInput(_("日期格式不正确"), extra={"fields": {name: _("日期格式不正确")}})
    return day


# The detail page's sections that most cases do not have yet: the case query says which
# exist (EXISTS probes of their case_id indexes), and the page loads only those.
SECTIONS = {"mediations": Mediation, "attachments": Attachment, "supervisions": Supervision,
            "extensions": ExtensionRequest, "referrals": Referral}


def case_get(*, scope: Scope, case_id: Any, related: tuple[str, ...] = DETAIL_RELATED,
             sections: bool = False) -> Case:
    """One case in the scope with the relations its detail shows (`related`, joined);
    NotFound outside the scope. With `sections`, `case.has_<section>` tells whether the case
    has any mediations, attachments, supervisions or extension requests."""
    _business_only(scope)
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound(_("未找到该案件")) from None
    cases = scope.filter(Case.objects.all()).filter(pk=pk).select_related(*related)
    if sections:
        # Uses index: the case_id foreign-key index of each section's table (one probe each)
        cases = cases.annotate(**{f"has_{name}": Exists(model.objects.filter(case_id=OuterRef("pk")))
                                  for name, model in SECTIONS.items()})
    case = cases.first()
    if case is None:
        raise NotFound(_("未找到该案件"))
    return case


def case_events(*, scope: Scope, case_id: Any) -> QuerySet[CaseEvent]:
    """The timeline of one case in the scope (oldest first)."""
    return case_timeline(scope=scope, case=case_get(scope=scope, case_id=case_id))


def case_timeline(*, scope: Scope, case: Case) -> QuerySet[CaseEvent]:
    """The timeline of a case already loaded (case_get), without loading it again; a case
    outside the scope is NotFound."""
    scope.require(case)
    # Uses index: case_event_case_time
    return CaseEvent.objects.filter(case_id=case.pk).select_related("actor").order_by("created_at", "id")


def case_parties(*, scope: Scope, case_id: Any) -> QuerySet[CaseParty]:
    """Parties of one case in the scope (masked fields only are meant for display)."""
    case = case_get(scope=scope, case_id=case_id)
    return CaseParty.objects.filter(case_id=case.pk).order_by("id")


# --- Inboxes ------------------------------------------------------------------------------------

def _assigned_to(user: User, status: str | tuple[str, ...], *, role: str | None = None,
                 due_before: dt.datetime | None = None) -> Exists | None:
    """Cases with an assignment in `status` (of `role` when given) held by the user's
    department (handlers) or by the user's center (a lower center dispatched to by its upper
    one); with `due_before`, only assignments whose 办理期限 passed by then."""
    statuses = (status,) if isinstance(status, str) else status
    if user.role == Role.HANDLER and user.department_id:
        holder = Q(department_id=user.department_id)
    elif user.role in (Role.WINDOW_STAFF, Role.DISPATCHER):
        holder = Q(region_id=user.region_id)
    else:
        return None
    if role is not None:
        holder &= Q(role=role)
    if due_before is not None:
        holder &= Q(due_at__lt=due_before)
    # Uses index: case_one_open_lead_assignment / assignment_dept_status
    return Exists(CaseAssignment.objects.filter(holder, case_id=OuterRef("pk"), status__in=statuses))


def _box_conditions(user: User) -> dict[str, Q]:
    """One Q per box for this user; a box the role never fills is an always-false Q."""
    never = Q(pk__in=[])
    center = user.role in (Role.WINDOW_STAFF, Role.DISPATCHER)
    own = Q(owning_region_id=user.region_id)
    boxes = dict.fromkeys(BOXES, never)
    if center:
        boxes["to_accept"] = own & Q(state=CaseState.REGISTERED)
        boxes["to_dispatch"] = own & Q(state=CaseState.ACCEPTED)
        boxes["to_callback"] = Q(state=CaseState.RESOLVED) & _callback_by(user, own)
    pending = _assigned_to(user, AssignmentStatus.PENDING)
    signed = _assigned_to(user, OPEN_ASSIGNMENT_STATES)
    if pending is not None:
        # The lead signs a dispatched case; an assisting unit signs its own part at any time.
        boxes["to_sign"] = (Q(pending) & Q(state=CaseState.DISPATCHED)) | (
            Q(_assigned_to(user, AssignmentStatus.PENDING, role=AssignmentRole.ASSIST)) & Q(state__in=OPEN_STATES))
    in_progress = Q(signed) & Q(state=CaseState.IN_PROGRESS) if signed is not None else never
    if center:
        # Cases the center handles itself (先行调解) have no open assignment.
        in_progress |= own & Q(state=CaseState.IN_PROGRESS) & ~Q(_assigned_to_anyone())
    boxes["in_progress"] = in_progress
    mine = never
    for name in ("to_accept", "to_dispatch", "to_sign", "in_progress", "to_callback"):
        mine |= boxes[name]
    # My overdue: a red card; a step of mine whose deadline passed (the sweep may not have
    # run yet); or a dispatch I hold whose 办理期限 passed — it stays passed when the case moves
    # up (the move restarts the upper center's step and clears its card, not the unit's lateness).
    now = clock.now()
    late = Q(warning_level=WarningLevel.RED) | Q(state__in=sorted(TIMED_STATES), due_at__lt=now)
    boxes["overdue"] = mine & late
    held_late = _assigned_to(user, OPEN_ASSIGNMENT_STATES, due_before=now)
    if held_late is not None:
        boxes["overdue"] |= Q(held_late) & Q(state__in=[CaseState.DISPATCHED, CaseState.IN_PROGRESS])
    if center or user.role == Role.LEADER:
        boxes["escalated"] = escalated_to_center(user.region_id)
    return boxes


def _callback_by(user: User, own: Q) -> Q:
    """Resolved cases this center may be the one to call back: owned, or taken in here
    (谁受理谁回访). Whether it may is the case's LoopPolicy (`callback_by`), checked when it
    acts; the seeded rules let both centers call back, so the box is exact with them (the
    counts stay one query: no policy lookup here)."""
    return own | Q(intake_region_id=user.region_id)


def _assigned_to_anyone() -> Exists:
    """Cases with an open lead assignment (a case the center handles itself has none)."""
    return Exists(CaseAssignment.objects.filter(case_id=OuterRef("pk"), status__in=OPEN_ASSIGNMENT_STATES,
                                                role=AssignmentRole.LEAD))


# Boxes by who can have work in them: a handler signs for and handles what is dispatched to
# the unit; center staff take every step of their center's cases (and sign for what an upper
# center dispatched to them); only county and city centers receive escalations.
HANDLER_BOXES = ("to_sign", "in_progress", "overdue")
CENTER_BOXES = ("to_accept", "to_dispatch", "to_sign", "in_progress", "to_callback", "overdue")
ESCALATED_LEVELS = frozenset({RegionLevel.COUNTY, RegionLevel.CITY})


def case_inbox_boxes(*, scope: Scope, user: User) -> tuple[str, ...]:
    """The inbox boxes `user` can have work in, in the order they are worked; the others
    are never filled for the role and are not shown."""
    upper = ("escalated",) if scope.level in ESCALATED_LEVELS else ()
    if user.role == Role.HANDLER:
        return HANDLER_BOXES
    if user.role in (Role.WINDOW_STAFF, Role.DISPATCHER):
        return CENTER_BOXES + upper
    if user.role == Role.LEADER:
        return upper
    return ()


def case_inbox(*, scope: Scope, user: User, box: str) -> QuerySet[Case]:
    """The cases waiting for `user` in one box, most urgent deadline first."""
    if box not in BOXES:
        raise NotFound(_("未找到该待办分类"))
    qs = scope.filter(Case.objects.all()).filter(_box_conditions(user)[box])
    return qs.select_related(*LIST_RELATED).order_by("due_at", "id")


def case_inbox_counts(*, scope: Scope, user: User) -> dict[str, int]:
    """The size of every box, in one query."""
    conditions = _box_conditions(user)
    return scope.filter(Case.objects.all()).aggregate(
        **{box: Count("pk", filter=conditions[box]) for box in BOXES}
    )


# --- Related-case hints ------------------------------------------------------------------------------

def related_case_hints(
    *,
    scope: Scope,
    id_numbers: Iterable[str] = (),
    phones: Iterable[str] = (),
    village_id: int | None = None,
    category_id: int | None = None,
    exclude_id: int | None = None,
) -> list[Case]:
    """Possible 关联件/重复件 while typing: cases in the scope with the same party (ID number or
    phone, matched by keyed hash) or in the same village and category in the last 90 days;
    open or recent only; newest first, at most 10."""
    id_hashes = [party_data.id_number_hash(v) for v in id_numbers if str(v or "").strip()]
    phone_hashes = [party_data.phone_hash(v) for v in phones if str(v or "").strip()]
    since = clock.now() - HINT_WINDOW
    match = Q(pk__in=[])
    party_q = Q()
    if id_hashes:
        party_q |= Q(id_number_hash__in=id_hashes)
    if phone_hashes:
        party_q |= Q(phone_hash__in=phone_hashes)
    if party_q:
        # Uses index: disputes_caseparty_id_number_hash / phone_hash
        match |= Q(pk__in=CaseParty.objects.filter(party_q).values("case_id"))
    if village_id and category_id:
        # Uses index: case_village_cat_created
        match |= Q(village_id=village_id, category_id=category_id, created_at__gte=since)
    if not (party_q or (village_id and category_id)):
        return []
    qs = scope.filter(Case.objects.all()).filter(match).filter(Q(state__in=OPEN_STATES) | Q(created_at__gte=since))
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.select_related(*LIST_RELATED).order_by("-created_at", "-id")[:HINT_LIMIT])


def case_open_assignment(case: Case) -> CaseAssignment | None:
    """The case's open (pending or signed) lead assignment; `case` was loaded through a scope."""
    # Uses index: case_one_open_lead_assignment (partial unique on case where status is open)
    return (
        CaseAssignment.objects.filter(case_id=case.pk, status__in=OPEN_ASSIGNMENT_STATES, role=AssignmentRole.LEAD)
        .select_related("department", "region", "assigned_by")  # what the API detail renders
        .first()
    )


def case_open_assignments(case: Case) -> tuple[CaseAssignment | None, list[CaseAssignment]]:
    """(the open lead assignment, the open assisting ones) in one query; `case` was loaded
    through a scope."""
    # Uses index: case_unit_open_once (case, department where open)
    rows = list(CaseAssignment.objects.filter(case_id=case.pk, status__in=OPEN_ASSIGNMENT_STATES)
                .select_related("department", "region", "assigned_by").order_by("id"))
    lead = next((a for a in rows if a.role == AssignmentRole.LEAD), None)
    return lead, [a for a in rows if a.role == AssignmentRole.ASSIST]


def case_assist_assignments(case: Case, *, open_only: bool = True) -> list[CaseAssignment]:
    """The case's assisting assignments (协办), open ones by default; `case` was loaded
    through a scope."""
    rows = CaseAssignment.objects.filter(case_id=case.pk, role=AssignmentRole.ASSIST)
    if open_only:
        rows = rows.filter(status__in=OPEN_ASSIGNMENT_STATES)
    return list(rows.select_related("department", "region").order_by("id"))


def cases_red_at_top(*, scope: Scope) -> QuerySet[Case]:
    """Red cases the city center owns: nowhere higher to go, so they stay on leaders' lists.

    # Uses index: case_owner_state
    """
    return (
        scope.filter(Case.objects.timed())
        .filter(owning_level=RegionLevel.CITY, warning_level=WarningLevel.RED)
        .select_related("category", "owning_region", "township", "county")
        .order_by("red_at", "id")
    )
