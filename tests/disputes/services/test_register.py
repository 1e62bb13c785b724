"""case_register: 一窗受理 intake, numbering, validation, idempotency, ownership."""
import datetime as dt

import pytest
from django.utils import timezone

from disputes import services
from disputes.models import Case, CaseEvent, CaseLink, CaseParty, CaseState, Category, Channel, Step
from governance.errors import Forbidden, InvalidInput, NotFound
from governance.models import RegionLevel
from tests.disputes.services.conftest import ID_A, PHONE_A
from tests.factories import GridFactory

pytestmark = pytest.mark.django_db


def test_register_numbers_owns_and_times_the_case(world):
    # when township window staff register a case
    case = world.register()
    # then it carries 一案一码: township code + date + sequence
    today = timezone.localdate()
    assert case.number == f"610202001{today:%Y%m%d}0001"
    assert world.register().number == f"610202001{today:%Y%m%d}0002"
    # and it is owned by the township center, on the accept step with a deadline
    assert (case.state, case.step) == (CaseState.REGISTERED, Step.ACCEPT)
    assert case.owning_region == world.tree.town_a1 and case.owning_level == RegionLevel.TOWNSHIP
    assert case.village_id == world.tree.village_a1x.pk and case.county_id == world.tree.county_a.pk
    assert case.due_at is not None and case.due_at > timezone.now()
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.to_state, event.actor) == ("register", CaseState.REGISTERED, world.town_staff)
    assert CaseParty.objects.filter(case=case).count() == 1


def test_county_window_registering_owns_at_county(world):
    case = world.register(actor=world.county_staff)
    assert case.owning_region == world.tree.county_a and case.owning_level == RegionLevel.COUNTY


def test_grid_worker_reports_through_the_grid_channel(world):
    grid = GridFactory(region=world.tree.village_a1x)
    case = world.register(actor=world.grid_worker, channel=Channel.VISIT, grid_id=grid.pk)
    assert case.channel == Channel.GRID and case.grid == grid
    assert case.owning_region == world.tree.town_a1


def test_same_submit_token_twice_gives_one_case(world):
    data = world.case_input()
    party = [services.PartyInput(role="applicant", kind="person", name="李四")]
    first = services.case_register(actor=world.town_staff, data=data, parties=party, submit_token="tok-1")
    second = services.case_register(actor=world.town_staff, data=data, parties=party, submit_token="tok-1")
    assert first.pk == second.pk
    assert Case.objects.count() == 1


def test_submit_token_collision_inside_the_insert_returns_the_existing_case(world, monkeypatch):
    # given a case registered with the token, and the pre-check blinded (a concurrent submit)
    first = world.register()
    Case.objects.filter(pk=first.pk).update(submit_token="tok-2")
    real_filter = Case.objects.filter
    calls = {"n": 0}

    def blind_once(*args, **kwargs):
        if kwargs.get("submit_token") == "tok-2" and calls["n"] == 0:
            calls["n"] += 1
            return real_filter(pk__in=[])
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Case.objects, "filter", blind_once)
    # when the second submit reaches the INSERT, then the unique token returns the first case
    again = services.case_register(actor=world.town_staff, data=world.case_input(),
                                   parties=[services.PartyInput("applicant", "person", "王五")], submit_token="tok-2")
    assert again.pk == first.pk
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"narrative": ""}, "narrative"),
        ({"channel": "fax"}, "channel"),
        ({"occurred_at": timezone.now() + dt.timedelta(days=1)}, "occurred_at"),
        ({"category_id": 999999}, "category_id"),
        ({"people_involved": 0}, "people_involved"),
    ],
)
def test_invalid_fields_are_reported_in_chinese(world, overrides, field):
    with pytest.raises(InvalidInput) as exc:
        world.register(**overrides)
    assert field in exc.value.extra["fields"]
    assert Case.objects.count() == 0


def test_top_level_category_with_children_inactive_and_leaf(world):
    parent = Category.objects.get(code="17")
    with pytest.raises(InvalidInput) as exc:
        world.register(category_id=parent.pk)
    assert exc.value.extra["fields"]["category_id"] == "请选择具体的二级类别"
    # a top-level category without children (其他) is a leaf and is accepted
    assert world.register(category_id=Category.objects.get(code="19").pk).category.code == "19"
    Category.objects.filter(code="1701").update(is_active=False)
    with pytest.raises(InvalidInput):
        world.register(category_id=Category.objects.get(code="1701").pk)


def test_parties_required_and_validated(world):
    with pytest.raises(InvalidInput) as exc:
        world.register(parties=[])
    assert "parties" in exc.value.extra["fields"]
    bad = [services.PartyInput(role="applicant", kind="person", name="张三", id_number=ID_A[:-1] + "0"
                               if ID_A[-1] != "0" else ID_A[:-1] + "1", phone="12345")]
    with pytest.raises(InvalidInput) as exc:
        world.register(parties=bad)
    assert set(exc.value.extra["fields"]) == {"parties[0].id_number", "parties[0].phone"}


def test_village_outside_scope_is_not_found_and_township_is_not_a_village(world):
    with pytest.raises(NotFound):
        world.register(village_id=world.tree.village_a2x.pk)
    with pytest.raises(InvalidInput) as exc:
        world.register(village_id=world.tree.town_a1.pk)
    assert "village_id" in exc.value.extra["fields"]


def test_grid_must_belong_to_the_village(world):
    grid = GridFactory(region=world.tree.village_a1y)
    with pytest.raises(InvalidInput) as exc:
        world.register(grid_id=grid.pk)
    assert "grid_id" in exc.value.extra["fields"]


def test_roles_that_do_not_register(world):
    for actor in (world.handler, world.county_leader, world.administrator):
        with pytest.raises(Forbidden):
            world.register(actor=actor)


def test_related_and_duplicate_links_must_be_in_scope(world):
    earlier = world.register()
    foreign = world.register(actor=world.other_town_staff, village_id=world.tree.village_a2x.pk)
    case = services.case_register(actor=world.town_staff, data=world.case_input(), parties=[
        services.PartyInput("applicant", "person", "张三", id_number=ID_A, phone=PHONE_A)],
        related_to_ids=[earlier.pk], duplicate_of_id=earlier.pk)
    assert CaseLink.objects.filter(case=case, other=earlier).exists()
    assert case.duplicate_of_id == earlier.pk
    with pytest.raises(NotFound):
        services.case_register(actor=world.town_staff, data=world.case_input(),
                               parties=[services.PartyInput("applicant", "person", "张三")], related_to_ids=[foreign.pk])
    with pytest.raises(NotFound):
        services.case_register(actor=world.town_staff, data=world.case_input(),
                               parties=[services.PartyInput("applicant", "person", "张三")], duplicate_of_id=foreign.pk)
