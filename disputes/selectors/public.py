"""Reads for the residents' pages (/public/report/, /public/track/) and the staff's view of an
online case's public record.

The residents' reads have no jurisdiction to apply — a resident has no account — so they
return public data only: the region tree and the category list for the submission form, and
for a tracking lookup, plain values (`PublicTrack`) built from the case's public milestones.
Never a model instance a template could walk from (no staff names, no notes, no parties).
"""
from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.models import (
    Case,
    CaseEvent,
    CaseState,
    Category,
    Channel,
    PublicRating,
    PublicSubmission,
    Satisfaction,
)
from disputes.services.public import PHONE_TAIL_DIGITS, RATABLE_STATES, tracking_hash
from governance.models import Region, RegionLevel
from governance.scoping import Scope

NUMBER_MAX = 30
_NUMBER = re.compile(r"^[0-9A-Za-z]{1,30}$")
_TAIL = re.compile(rf"^[0-9]{{{PHONE_TAIL_DIGITS}}}$")
# Compared against when no case has the number, so both answers take the same work.
_NO_CASE_HASH = "0" * 64

# What a resident sees of the state (one word per stage: the internal steps stay inside).
PUBLIC_STATUS = {
    CaseState.REGISTERED: gettext_lazy("待受理"),
    CaseState.ACCEPTED: gettext_lazy("已受理"),
    CaseState.DISPATCHED: gettext_lazy("办理中"),
    CaseState.IN_PROGRESS: gettext_lazy("办理中"),
    CaseState.RESOLVED: gettext_lazy("已办结"),
    CaseState.CLOSED: gettext_lazy("已办结归档"),
    CaseState.REJECTED: gettext_lazy("不予受理"),
}
# The public milestones: the timeline actions a resident is told about. Everything else
# (progress notes, returns, supervision, mediation records, escalation) stays internal.
MILESTONE_ACTIONS = ("register", "accept", "reject", "dispatch", "resolve", "callback", "public_rating")
MILESTONE_LABELS = {
    "register": gettext_lazy("已提交，等待受理"),
    "accept": gettext_lazy("已受理"),
    "reject": gettext_lazy("不予受理"),
    "dispatch": gettext_lazy("已交办承办单位办理"),
    "resolve": gettext_lazy("已办结"),
    "callback_closed": gettext_lazy("已回访，办结归档"),
    "callback_reopened": gettext_lazy("已回访，重新办理"),
    "public_rating": gettext_lazy("您已评价"),
}


# --- The submission form ----------------------------------------------------------------------

ID_MAX = 2**63 - 1  # PostgreSQL's bigint; a larger id is "none", never a database error


def public_id(value) -> int | None:
    """A region id typed or posted by anyone: a positive integer the database can hold, or None."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number <= ID_MAX else None



def public_regions(*, level: str, parent_id: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the regions of `level` (county, township or village) a resident may pick,
    under `parent_id` for townships and villages; the region tree is public data."""
    if level not in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE):
        return []
    regions = Region.objects.filter(level=level)
    if level != RegionLevel.COUNTY:
        parent_id = public_id(parent_id)
        if parent_id is None:
            return []
        regions = regions.filter(parent_id=parent_id)
    # Uses index: region parent foreign key, ordered by the code (unique index)
    return list(regions.order_by("code").values_list("pk", "name"))


def public_region_path(village_id: int | None) -> tuple[int | None, int | None]:
    """(county id, township id) of a village, to keep a resubmitted form's selects filled."""
    village_id = public_id(village_id)
    if village_id is None:
        return None, None
    row = Region.objects.filter(pk=village_id, level=RegionLevel.VILLAGE).values_list("county_id", "township_id").first()
    return row if row else (None, None)


def public_categories() -> list[tuple[str, list[tuple[int, str]]]]:
    """The categories a resident may pick, grouped by the top level: second-level items, and
    a top-level category that has none (one query)."""
    rows = list(Category.objects.filter(is_active=True).values_list("pk", "name", "parent_id", "parent__name"))
    parents_with_children = {parent for _pk, _name, parent, _parent_name in rows if parent}
    groups: dict[str, list[tuple[int, str]]] = {}
    others: list[tuple[int, str]] = []
    for pk, name, parent_id, parent_name in rows:
        if parent_id:
            groups.setdefault(parent_name, []).append((pk, name))
        elif pk not in parents_with_children:
            others.append((pk, name))
    return [*groups.items(), *([(_("其他类别"), others)] if others else [])]


# --- Tracking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    label: str
    at: dt.datetime
    detail: str = ""  # a rejection's referral: where the resident may turn instead


@dataclass(frozen=True)
class PublicTrack:
    """What the tracking page shows of one case, as plain values."""

    case_id: int  # signed into the rating form only; never shown
    number: str
    category: str
    submitted_at: dt.datetime
    status: str
    center: str
    milestones: tuple[Milestone, ...]
    can_rate: bool
    rating: str  # the resident's own rating label, "" before they rated


def public_number_normalise(value: str) -> str:
    return "".join(str(value or "").split()).upper()[:NUMBER_MAX]


def public_lookup_valid(number: str, phone_tail: str) -> bool:
    return bool(_NUMBER.match(number or "")) and bool(_TAIL.match(phone_tail or ""))


def _milestones(case: Case) -> tuple[Milestone, ...]:
    # Uses index: case_event_case_time. Only the columns a milestone needs: never the notes.
    rows = (CaseEvent.objects.filter(case_id=case.pk, action__in=MILESTONE_ACTIONS)
            .order_by("created_at", "id").values_list("action", "created_at", "to_state", "data"))
    milestones = []
    for action, at, to_state, data in rows:
        if action == "callback":
            action = "callback_closed" if to_state == CaseState.CLOSED else "callback_reopened"
        detail = str((data or {}).get("referral", "")) if action == "reject" else ""
        milestones.append(Milestone(label=str(MILESTONE_LABELS[action]), at=at, detail=detail))
    return tuple(milestones)


def _center_name(case: Case) -> str:
    return _("%(region)s综治中心") % {"region": case.owning_region.name}


def unscoped_public_track(*, number: str, phone_tail: str) -> PublicTrack | None:
    """The public progress of the online case `number`, when `phone_tail` is the last digits of
    the phone its resident gave; None otherwise — a wrong number and a wrong phone look the
    same. Unscoped by nature: the resident has no jurisdiction, the number and the digits are
    the proof (compared in constant time against the keyed hash, never the digits)."""
    number = public_number_normalise(number)
    if not public_lookup_valid(number, phone_tail):
        return None
    # Uses index: the case number's unique index
    case = (Case.objects.filter(number=number, channel=Channel.ONLINE)
            .select_related("public_submission", "public_rating", "owning_region", "category").first())
    submission = _submission_of(case)
    stored = submission.tracking_hash if submission is not None else _NO_CASE_HASH
    if not hmac.compare_digest(tracking_hash(number, phone_tail), stored) or submission is None:
        return None
    return _track_of(case)


def unscoped_public_track_by_id(case_id: int) -> PublicTrack | None:
    """The same values for a case whose lookup was already proved (the signed rating form)."""
    # Uses index: the primary key
    case = (Case.objects.filter(pk=case_id, channel=Channel.ONLINE)
            .select_related("public_submission", "public_rating", "owning_region", "category").first())
    return _track_of(case) if _submission_of(case) is not None else None


def _track_of(case: Case) -> PublicTrack:
    rating = _rating_of(case)
    return PublicTrack(
        case_id=case.pk, number=case.number, category=case.category.name, submitted_at=case.created_at,
        status=str(PUBLIC_STATUS[case.state]), center=_center_name(case), milestones=_milestones(case),
        can_rate=case.state in RATABLE_STATES and rating is None,
        rating=rating.get_level_display() if rating is not None else "",
    )


def _submission_of(case: Case | None) -> PublicSubmission | None:
    if case is None:
        return None
    try:
        return case.public_submission
    except PublicSubmission.DoesNotExist:
        return None


def _rating_of(case: Case) -> PublicRating | None:
    try:
        return case.public_rating
    except PublicRating.DoesNotExist:
        return None


# --- Staff: an online case's public record -------------------------------------------------------


@dataclass(frozen=True)
class PublicRecord:
    """For the staff's case detail: the resident's consent and their rating."""

    consent_version: str
    consented_at: dt.datetime
    rating_level: str  # Satisfaction value, "" before the resident rated
    rating_label: str
    rating_comment: str
    rated_at: dt.datetime | None


def case_public_record(*, scope: Scope, case: Case) -> PublicRecord | None:
    """The public record of an online case already loaded through `scope` (None for other
    channels, at no query)."""
    scope.require(case)
    if case.channel != Channel.ONLINE:
        return None
    # Uses index: the one-to-one keys on case_id
    submission = PublicSubmission.objects.filter(case_id=case.pk).select_related("case__public_rating").first()
    if submission is None:
        return None
    rating = _rating_of(submission.case)
    return PublicRecord(
        consent_version=submission.consent_version,
        consented_at=submission.consented_at,
        rating_level=rating.level if rating else "",
        rating_label=str(Satisfaction(rating.level).label) if rating else "",
        rating_comment=rating.comment if rating else "",
        rated_at=rating.created_at if rating else None,
    )
