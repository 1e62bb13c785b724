"""related_case_hints: same party by keyed hash, or same village and category lately."""
import datetime as dt

import pytest
from django.utils import timezone

from disputes import selectors, services
from disputes.models import Case, CaseState
from governance.scoping import scope_for
from tests.disputes.services.conftest import ID_A, ID_B, PHONE_A

pytestmark = pytest.mark.django_db


def test_same_party_by_id_number_or_phone(world):
    case = world.register()
    other_party = world.register(category_id=world.contract.pk, village_id=world.tree.village_a1y.pk, parties=[
        services.PartyInput("applicant", "person", "赵六", id_number=ID_B)])
    scope = scope_for(world.town_staff)
    assert selectors.related_case_hints(scope=scope, id_numbers=[ID_A.lower()]) == [case]
    assert selectors.related_case_hints(scope=scope, phones=["+86 138 1234 5678"]) == [case]
    assert selectors.related_case_hints(scope=scope, id_numbers=[ID_B]) == [other_party]
    assert selectors.related_case_hints(scope=scope, phones=[PHONE_A], exclude_id=case.pk) == []
    assert selectors.related_case_hints(scope=scope) == []


def test_same_village_and_category_in_the_last_90_days(world):
    recent = world.register(parties=[services.PartyInput("applicant", "person", "甲")])
    old_open = world.register(parties=[services.PartyInput("applicant", "person", "乙", id_number=ID_A)])
    old_closed = world.case_in(CaseState.CLOSED, parties=[services.PartyInput("applicant", "person", "乙",
                                                                              id_number=ID_A)])
    long_ago = timezone.now() - dt.timedelta(days=120)
    Case.objects.filter(pk__in=[old_open.pk, old_closed.pk]).update(created_at=long_ago)
    scope = scope_for(world.town_staff)
    # the village+category window is 90 days
    assert selectors.related_case_hints(scope=scope, village_id=world.tree.village_a1x.pk,
                                        category_id=world.category.pk) == [recent]
    # the same party still matches an old case while it is open, not once it is long closed
    assert selectors.related_case_hints(scope=scope, id_numbers=[ID_A]) == [old_open]


def test_newest_first_at_most_ten_and_scoped(world):
    made = [world.register(parties=[services.PartyInput("applicant", "person", f"人{i}", phone=PHONE_A)])
            for i in range(12)]
    world.register(actor=world.other_town_staff, village_id=world.tree.village_a2x.pk,
                   parties=[services.PartyInput("applicant", "person", "外乡", phone=PHONE_A)])
    hints = selectors.related_case_hints(scope=scope_for(world.town_staff), phones=[PHONE_A])
    assert [c.pk for c in hints] == [c.pk for c in reversed(made)][:10]
    county_hints = selectors.related_case_hints(scope=scope_for(world.county_dispatcher), phones=[PHONE_A])
    assert len(county_hints) == 10 and county_hints[0].township_id == world.tree.town_a2.pk
