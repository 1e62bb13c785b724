"""Partybuilding reads. Every scoped selector takes the Scope first and filters through it;
one row outside the scope is NotFound, exactly like a missing one. Statistics are in
`selectors/stats.py`, the unscoped aggregates for assessment in `selectors/aggregates.py`."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from governance import clock
from governance.errors import NotFound
from governance.permissions import can
from governance.scoping import Scope
from grids.contract import GridParty, grid_queryset
from partybuilding.models import (
    Activity,
    ExpenseState,
    FundExpense,
    JointAgreement,
    JointMeeting,
    PartTimeMember,
    PartyFund,
    PartyGroup,
    PartyMember,
    PartyOrganisation,
    ResidentUnit,
    RhythmPeriod,
    RhythmRule,
    StarCriterion,
    StarRating,
)


def _get(scope: Scope, queryset: QuerySet, pk, message: str):
    try:
        row = scope.filter(queryset).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFound(message)
    return row


def scoped_grids(scope: Scope) -> QuerySet:
    """Active grids inside the scope (the grids contract), with their community."""
    return grid_queryset(scope, None).select_related("region")


def grids_in_scope(*, scope: Scope, grid_ids: Iterable) -> list:
    """The active grids `grid_ids` inside the scope, in code order; any other → NotFound."""
    try:
        ids = {int(pk) for pk in grid_ids}
    except (TypeError, ValueError):
        raise NotFound(_("未找到该网格")) from None
    grids = list(scoped_grids(scope).filter(pk__in=ids))
    if len(grids) != len(ids):
        raise NotFound(_("未找到该网格"))
    return grids


def organisation_list(*, scope: Scope) -> QuerySet[PartyOrganisation]:
    return scope.filter(PartyOrganisation.objects.filter(is_active=True)).select_related("region")


def organisation_get(*, scope: Scope, organisation_id) -> PartyOrganisation:
    return _get(scope, PartyOrganisation.objects.select_related("region"), organisation_id, _("未找到该党组织"))


def party_group_list(*, scope: Scope, kind: str = "", village_id: int | None = None,
                     active: bool | None = True) -> QuerySet[PartyGroup]:
    """Groups inside the scope with their region, leader and grids (three queries a page)."""
    groups = scope.filter(PartyGroup.objects.all())
    if active is not None:
        groups = groups.filter(is_active=active)
    if kind:
        groups = groups.filter(kind=kind)
    if village_id:
        groups = groups.filter(village_id=village_id)
    return (groups.select_related("region", "leader", "organisation")
            .prefetch_related("grids")  # Grid's default order: code
            .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
            .order_by("region__code", "name"))


def party_group_get(*, scope: Scope, group_id) -> PartyGroup:
    return _get(scope, PartyGroup.objects.select_related("region", "leader", "organisation"), group_id,
                _("未找到该党小组"))


def member_list(*, scope: Scope, group_id: int | None = None, kind: str = "") -> QuerySet[PartyMember]:
    members = scope.filter(PartyMember.objects.filter(is_active=True))
    if group_id:
        members = members.filter(group_id=group_id)
    if kind:
        members = members.filter(kind=kind)
    return members.select_related("region", "grid", "group", "reported_community").order_by("region__code", "name", "id")


def member_get(*, scope: Scope, member_id) -> PartyMember:
    return _get(scope, PartyMember.objects.select_related("group", "grid"), member_id, _("未找到该党员"))


def activity_list(*, scope: Scope, group_id: int | None = None, kind: str = "",
                  since: dt.date | None = None, until: dt.date | None = None) -> QuerySet[Activity]:
    activities = scope.filter(Activity.objects.all())
    if group_id:
        activities = activities.filter(group_id=group_id)
    if kind:
        activities = activities.filter(kind=kind)
    if since:
        activities = activities.filter(held_on__gte=since)
    if until:
        activities = activities.filter(held_on__lte=until)
    return (activities.select_related("group", "region")
            .annotate(attendee_count=Count("attendees")).order_by("-held_on", "-id"))


def unit_list(*, scope: Scope) -> QuerySet[ResidentUnit]:
    today = clock.localdate()
    return (scope.filter(ResidentUnit.objects.filter(is_active=True)).select_related("region")
            .annotate(part_time_count=Count("part_time_members", filter=Q(
                part_time_members__term_start__lte=today, part_time_members__term_end__gte=today)))
            .order_by("region__code", "name"))


def unit_get(*, scope: Scope, unit_id) -> ResidentUnit:
    return _get(scope, ResidentUnit.objects.select_related("region"), unit_id, _("未找到该驻区单位"))


def part_time_member_list(*, scope: Scope) -> QuerySet[PartTimeMember]:
    return scope.filter(PartTimeMember.objects.select_related("unit", "organisation")).order_by(
        "organisation__name", "-term_start")


def fund_list(*, scope: Scope, year: int) -> QuerySet[PartyFund]:
    return scope.filter(PartyFund.objects.filter(year=year)).select_related("region").order_by("region__code")


def fund_get(*, scope: Scope, fund_id) -> PartyFund:
    return _get(scope, PartyFund.objects.select_related("region"), fund_id, _("未找到该经费"))


def expense_list(*, scope: Scope, year: int) -> QuerySet[FundExpense]:
    return (scope.filter(FundExpense.objects.filter(fund__year=year))
            .select_related("fund__region", "submitted_by", "decided_by").order_by("-spent_on", "-id"))


def expense_get(*, scope: Scope, expense_id) -> FundExpense:
    return _get(scope, FundExpense.objects.select_related("fund"), expense_id, _("未找到该支出"))


@dataclass(frozen=True)
class Reminder:
    """A group behind the 三会一课 rhythm: it held `held` of `required` in the current period."""

    group_id: int
    group_name: str
    kind_label: str
    period_label: str
    held: int
    required: int


def period_start(period: str, today: dt.date) -> dt.date:
    """First day of the month or quarter containing `today`."""
    if period == RhythmPeriod.QUARTER:
        return dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return today.replace(day=1)


def rhythm_reminders(*, scope: Scope, group_ids: Iterable[int] | None = None,
                     today: dt.date | None = None) -> list[Reminder]:
    """Active groups inside the scope that have held fewer activities of a rhythm kind than
    its rule asks in the current month or quarter (one query per rule).

    # Uses index: party_activity_rhythm_idx (group, kind, held_on) for the counts.
    """
    today = today or clock.localdate()
    groups = scope.filter(PartyGroup.objects.filter(is_active=True))
    if group_ids is not None:
        groups = groups.filter(pk__in=list(group_ids))
    reminders = []
    for rule in RhythmRule.objects.order_by("kind"):
        start = period_start(rule.period, today)
        rows = groups.annotate(held=Count("activities", filter=Q(
            activities__kind=rule.kind, activities__held_on__gte=start, activities__held_on__lte=today,
        ))).filter(held__lt=rule.min_count).order_by("region__code", "name").values_list("pk", "name", "held")
        reminders += [Reminder(pk, name, rule.get_kind_display(), rule.get_period_display(), held, rule.min_count)
                      for pk, name, held in rows]
    return reminders


def pending_expense_count(*, scope: Scope) -> int:
    return scope.filter(FundExpense.objects.filter(state=ExpenseState.PENDING)).count()


def star_rating_list(*, scope: Scope) -> QuerySet[StarRating]:
    """Ratings inside the scope, newest year first, with their subject (history included)."""
    return scope.filter(StarRating.objects.select_related("organisation", "unit", "region", "rated_by")).order_by(
        "-year", "region__code", "id")


def star_criteria(*, kind: str) -> list[StarCriterion]:
    return list(StarCriterion.objects.filter(applies_to=kind, is_active=True))


def agreement_list(*, scope: Scope) -> QuerySet[JointAgreement]:
    return scope.filter(JointAgreement.objects.select_related("organisation").prefetch_related("units"))


def meeting_list(*, scope: Scope) -> QuerySet[JointMeeting]:
    return scope.filter(JointMeeting.objects.select_related("organisation"))


def grid_party_groups(*, scope: Scope, grid_id: int) -> list | None:
    """The active groups covering one grid, for the grid page (grids' GridPartyReader port);
    None when the viewer's role does not read party building. Two queries."""
    if not can(scope, "partybuilding.view"):
        return None
    groups = (scope.filter(PartyGroup.objects.filter(is_active=True, grids__id=grid_id))
              .select_related("leader").annotate(member_count=Count("members", filter=Q(members__is_active=True)))
              .order_by("name"))
    return [GridParty(id=g.pk, name=g.name, kind_label=g.get_kind_display(),
                      leader_name=g.leader.name if g.leader_id else "", member_count=g.member_count,
                      detail_url=reverse("partybuilding:group", args=[g.pk])) for g in groups]
