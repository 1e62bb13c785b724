import pytest
from django.test import Client
from django.urls import reverse

from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import Role
from partybuilding import services
from partybuilding.models import GradedKind, ResidentUnitKind, StarCriterion, StarRating
from tests.partybuilding.factories import keeper, organisation

pytestmark = pytest.mark.django_db


def full_marks(kind, share=1.0):
    return {c.pk: round(c.max_points * share) for c in StarCriterion.objects.filter(applies_to=kind)}


def test_stars_follow_the_score_but_climb_one_step_a_year(tree):
    leader = keeper(tree.town_a1, Role.LEADER)
    org = organisation(leader, tree.village_a1x)
    first = services.star_rate(actor=leader, year=2024, organisation_id=org.pk,
                               scores=full_marks(GradedKind.PARTY_ORGANISATION, 0.6))
    assert (first.total, first.stars, first.previous_stars) == (60, 2, None)
    second = services.star_rate(actor=leader, year=2025, organisation_id=org.pk,
                                scores=full_marks(GradedKind.PARTY_ORGANISATION))
    assert (second.total, second.stars, second.previous_stars) == (100, 3, 2)  # 5 by score, one step up
    third = services.star_rate(actor=leader, year=2026, organisation_id=org.pk,
                               scores=full_marks(GradedKind.PARTY_ORGANISATION, 0.2))
    assert third.stars == 1  # a fall is not limited
    with pytest.raises(Conflict):
        services.star_rate(actor=leader, year=2026, organisation_id=org.pk,
                           scores=full_marks(GradedKind.PARTY_ORGANISATION))
    assert StarRating.objects.count() == 3


def test_points_over_a_criterions_maximum_or_missing_are_refused(tree):
    leader = keeper(tree.town_a1, Role.LEADER)
    org = organisation(leader, tree.village_a1x)
    scores = full_marks(GradedKind.PARTY_ORGANISATION)
    key = next(iter(scores))
    with pytest.raises(InvalidInput, match="之间"):
        services.star_rate(actor=leader, year=2026, organisation_id=org.pk, scores={**scores, key: 99})
    scores.pop(key)
    with pytest.raises(InvalidInput, match="打分"):
        services.star_rate(actor=leader, year=2026, organisation_id=org.pk, scores=scores)
    assert StarRating.objects.count() == 0


def test_only_social_organisations_among_units_and_only_in_scope(tree):
    leader = keeper(tree.town_a1, Role.LEADER)
    firm = services.unit_create(actor=leader, name="某公司", kind=ResidentUnitKind.ENTERPRISE,
                                region_id=tree.village_a1x.pk)
    with pytest.raises(InvalidInput, match="社会组织"):
        services.star_rate(actor=leader, year=2026, unit_id=firm.pk, scores={})
    club = services.unit_create(actor=leader, name="志愿者协会", kind=ResidentUnitKind.SOCIAL,
                                region_id=tree.village_a1x.pk)
    rated = services.star_rate(actor=leader, year=2026, unit_id=club.pk,
                               scores=full_marks(GradedKind.SOCIAL_ORGANISATION, 0.8))
    assert rated.stars == 4 and rated.village_id == tree.village_a1x.pk
    with pytest.raises(NotFound):
        services.star_rate(actor=keeper(tree.town_b1, Role.LEADER), year=2025, unit_id=club.pk, scores={})
    with pytest.raises(Forbidden):
        services.star_rate(actor=keeper(tree.town_a1), year=2025, unit_id=club.pk, scores={})


def test_stars_page_rates_and_lists_only_the_jurisdiction(tree):
    leader = keeper(tree.town_a1, Role.LEADER)
    org = organisation(leader, tree.village_a1x)
    other = keeper(tree.town_b1, Role.LEADER)
    services.star_rate(actor=other, year=2026, organisation_id=organisation(other, tree.village_b1x, "城关党委").pk,
                       scores=full_marks(GradedKind.PARTY_ORGANISATION))
    client = Client()
    client.force_login(leader)
    post = {"subject_id": org.pk, "year": 2026,
            **{f"c_{pk}": v for pk, v in full_marks(GradedKind.PARTY_ORGANISATION, 0.9).items()}}
    assert client.post(reverse("partybuilding:stars"), post).status_code == 302
    body = client.get(reverse("partybuilding:stars")).content.decode()
    assert "社区党委" in body and "★★★★★" in body and "城关党委" not in body
