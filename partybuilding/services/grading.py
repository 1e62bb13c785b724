"""Star grading (评星晋级): rate a party organisation or a social organisation for a year.

Stars follow the total score (STAR_FLOORS), but the ladder is climbed one step a year
(梯形进阶): never more than one star above the previous rating; a fall is not limited."""
from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from governance.errors import Conflict, InvalidInput
from governance.models import User
from governance.permissions import require
from governance.scoping import scope_for
from partybuilding import selectors
from partybuilding.models import GradedKind, ResidentUnitKind, StarCriterion, StarRating
from partybuilding.services.organisation import invalid

# (minimum share of the full points, stars), best first.
STAR_FLOORS = ((0.9, 5), (0.8, 4), (0.7, 3), (0.6, 2))


def stars_for(total: int, full: int, previous: int | None) -> int:
    share = total / full if full else 0
    stars = next((n for floor, n in STAR_FLOORS if share >= floor), 1)
    return min(stars, previous + 1) if previous else stars


@transaction.atomic
def star_rate(*, actor: User, year: int, scores: Mapping[int, int], organisation_id: int | None = None,
              unit_id: int | None = None) -> StarRating:
    """Rate one organisation for `year` with points for every active criterion of its kind."""
    scope = scope_for(actor)
    require(scope, "partybuilding.star_rate")
    if bool(organisation_id) == bool(unit_id):
        raise InvalidInput(_("请选择一个党组织或社会组织"))
    if organisation_id:
        subject = selectors.organisation_get(scope=scope, organisation_id=organisation_id)
        kind, lookup = GradedKind.PARTY_ORGANISATION, {"organisation": subject}
    else:
        subject = selectors.unit_get(scope=scope, unit_id=unit_id)
        if subject.kind != ResidentUnitKind.SOCIAL:
            raise invalid("unit_id", _("只有社会组织参加评星"))
        kind, lookup = GradedKind.SOCIAL_ORGANISATION, {"unit": subject}
    criteria = list(StarCriterion.objects.filter(applies_to=kind, is_active=True))
    given = {int(key): value for key, value in scores.items()}
    points = {}
    for criterion in criteria:
        value = given.pop(criterion.pk, None)
        if value is None:
            raise InvalidInput(_("请为“%(name)s”打分") % {"name": criterion.name})
        if not 0 <= int(value) <= criterion.max_points:
            raise InvalidInput(_("“%(name)s”的得分应在 0 到 %(max)s 之间") % {"name": criterion.name,
                                                                         "max": criterion.max_points})
        points[str(criterion.pk)] = int(value)
    if given:
        raise InvalidInput(_("评分项不属于该类组织的评星标准"))
    total, full = sum(points.values()), sum(c.max_points for c in criteria)
    previous = StarRating.objects.filter(year__lt=year, **lookup).order_by("-year").values_list(
        "stars", flat=True).first()
    try:
        with transaction.atomic():
            return StarRating.objects.create(
                region=subject.region, year=year, scores=points, total=total,
                stars=stars_for(total, full, previous), previous_stars=previous, rated_by=actor, **lookup)
    except IntegrityError:
        raise Conflict(_("该组织本年度已评星"), code="already_rated") from None
