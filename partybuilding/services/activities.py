"""Writes of activities: a group (or an organisation) logs what it held, with its attendees."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from governance.models import User
from governance.permissions import require
from governance.scoping import scope_for
from partybuilding import selectors
from partybuilding.models import Activity, ActivityKind, ActivityPhoto
from partybuilding.services.organisation import choice, invalid, not_future, required_text

MAX_HOURS = Decimal("24")


@dataclass(frozen=True)
class ActivityInput:
    kind: str
    held_on: dt.date
    place: str
    topic: str
    hours: Decimal | str
    group_id: int | None = None
    organisation_id: int | None = None
    attendee_ids: Sequence[int] = field(default_factory=tuple)
    photos: Sequence = field(default_factory=tuple)


@transaction.atomic
def activity_log(*, actor: User, data: ActivityInput) -> Activity:
    """Log an activity of a group (attendees from its members) or of an organisation."""
    scope = scope_for(actor)
    require(scope, "partybuilding.activity_log")
    choice(data.kind, ActivityKind, "kind", _("请选择活动类型"))
    if data.held_on is None:
        raise invalid("held_on", _("请填写活动日期"))
    not_future(data.held_on, "held_on")
    place = required_text(data.place, "place", _("请填写活动地点"))
    topic = required_text(data.topic, "topic", _("请填写活动主题"))
    try:
        hours = Decimal(str(data.hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise invalid("hours", _("时长应为数字")) from None
    if not Decimal("0") < hours <= MAX_HOURS:
        raise invalid("hours", _("时长应在 0.1 到 24 小时之间"))
    group = selectors.party_group_get(scope=scope, group_id=data.group_id) if data.group_id else None
    organisation = None
    if data.organisation_id:
        organisation = selectors.organisation_get(scope=scope, organisation_id=data.organisation_id)
    elif group is not None:
        organisation = group.organisation
    if group is None and organisation is None:
        raise invalid("group_id", _("请选择党小组或党组织"))
    ids = list(dict.fromkeys(int(pk) for pk in data.attendee_ids or ()))
    members = selectors.member_list(scope=scope).filter(pk__in=ids)
    if group is not None:
        members = members.filter(group=group)
    attendees = list(members)
    if len(attendees) != len(ids):
        raise invalid("attendee_ids", _("参加党员须为本党小组的在册党员") if group else _("未找到参加党员"))
    region = group.region if group is not None else organisation.region
    activity = Activity.objects.create(kind=data.kind, group=group, organisation=organisation, region=region,
                                       held_on=data.held_on, place=place, topic=topic, hours=hours,
                                       recorded_by=actor)
    activity.attendees.set(attendees)
    for photo in data.photos or ():
        ActivityPhoto.objects.create(activity=activity, image=photo)
    return activity
