"""撤销督办: by whoever issued the 督办 or a leader over the issuer's center; the 督办 stays on
record, marked withdrawn, on the timeline and on the detail page."""
import pytest
from django.test import Client
from django.urls import reverse

from disputes import permissions, services
from disputes.models import CaseState, Supervision, SupervisionKind
from governance.errors import Conflict, Forbidden, NotFound
from governance.models import Notification, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervised(world):
    """An in-progress township case with a 黄牌 督办 by the county dispatcher."""
    case = world.case_in(CaseState.IN_PROGRESS)
    supervision = services.case_supervise(actor=world.county_dispatcher, case_id=case.pk, level="yellow",
                                          note="请抓紧办理")
    return case, supervision


def _withdraw(actor, case, supervision, note="已按期推进"):
    return services.case_supervise_withdraw(actor=actor, case_id=case.pk, supervision_id=supervision.pk, note=note)


def test_the_issuer_withdraws_a_supervision(world, supervised):
    case, supervision = supervised
    Notification.objects.all().delete()

    _withdraw(world.county_dispatcher, case, supervision)

    supervision.refresh_from_db()
    assert supervision.withdrawn_at is not None
    assert (supervision.withdrawn_by, supervision.withdraw_note) == (world.county_dispatcher, "已按期推进")
    event = case.events.latest("id")
    assert (event.action, event.actor, event.data["supervision_id"]) == (
        "supervise_withdraw", world.county_dispatcher, supervision.pk)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {world.town_staff.pk, world.town_dispatcher.pk, world.handler.pk}


@pytest.mark.parametrize("who", ["county_leader", "city_leader"])
def test_a_leader_over_the_issuers_center_withdraws_it(world, supervised, who):
    case, supervision = supervised
    leader = world.county_leader if who == "county_leader" else UserFactory(role=Role.LEADER, region=world.tree.city)
    assert "supervise_withdraw" in permissions.case_available_actions(user=leader, case=case)
    _withdraw(leader, case, supervision)
    supervision.refresh_from_db()
    assert supervision.withdrawn_by == leader


def test_others_may_not_withdraw_it(world, supervised):
    case, supervision = supervised
    township_leader = UserFactory(role=Role.LEADER, region=world.tree.town_a1)
    for other in (world.city_dispatcher, township_leader):  # not the issuer; not a leader over it
        assert "supervise_withdraw" not in permissions.case_available_actions(user=other, case=case)
        with pytest.raises(Forbidden):
            _withdraw(other, case, supervision)
    with pytest.raises(Forbidden):  # the role may not at all
        _withdraw(world.town_staff, case, supervision)
    supervision.refresh_from_db()
    assert supervision.withdrawn_at is None


def test_twice_is_a_conflict_and_only_a_supervision_can_be_withdrawn(world, supervised):
    case, supervision = supervised
    _withdraw(world.county_dispatcher, case, supervision)
    with pytest.raises(Conflict) as exc:
        _withdraw(world.county_dispatcher, case, supervision)
    assert exc.value.code == "already_withdrawn"
    assert "supervise_withdraw" not in permissions.case_available_actions(user=world.county_dispatcher, case=case)
    urge = services.case_urge(actor=world.county_dispatcher, case_id=case.pk, note="请尽快")
    with pytest.raises(NotFound):
        _withdraw(world.county_dispatcher, case, urge)
    other = world.case_in(CaseState.ACCEPTED)
    with pytest.raises(NotFound):  # a 督办 of another case
        services.case_supervise_withdraw(actor=world.county_dispatcher, case_id=other.pk,
                                         supervision_id=supervision.pk)


def test_the_issuer_still_withdraws_after_the_case_moved_up_to_it(world, supervised):
    case, supervision = supervised
    services.case_escalate(actor=world.town_staff, case_id=case.pk, note="乡镇无法化解")
    _withdraw(world.county_dispatcher, case, supervision)
    assert Supervision.objects.get(pk=supervision.pk).withdrawn_at is not None


def test_no_withdrawal_once_the_case_is_closed(world, supervised):
    case, supervision = supervised
    services.case_resolve(actor=world.handler, case_id=case.pk, note="已调解")
    services.case_callback(actor=world.town_staff, case_id=case.pk, satisfied=True, note="满意")
    with pytest.raises(Conflict):
        _withdraw(world.county_dispatcher, case, supervision)


def test_the_detail_page_offers_it_to_the_issuer_and_shows_it_withdrawn(world, supervised):
    case, supervision = supervised
    client = Client()
    client.force_login(world.county_dispatcher)
    url = reverse("disputes:detail", args=[case.pk])
    body = client.get(url).content.decode()
    assert 'data-testid="action-supervise_withdraw"' in body

    response = client.post(reverse("disputes:action", args=[case.pk, "supervise_withdraw"]), {
        "supervise_withdraw-supervision": supervision.pk, "supervise_withdraw-note": "已按期推进"})
    assert response.status_code == 302

    body = client.get(url).content.decode()
    assert 'data-testid="withdrawn"' in body and "已按期推进" in body
    assert 'data-testid="action-supervise_withdraw"' not in body
    assert "撤销督办" in body  # the timeline row


def test_a_system_urge_reads_as_the_systems_on_the_page(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    Supervision.objects.create(case=case, kind=SupervisionKind.URGE, by=None, note="系统自动催办：请尽快办理。")
    client = Client()
    client.force_login(world.town_staff)
    body = client.get(reverse("disputes:detail", args=[case.pk])).content.decode()
    assert "系统自动催办" in body and "None" not in body
