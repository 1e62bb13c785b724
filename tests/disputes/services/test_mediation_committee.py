"""The sealing committee of a mediation (人民调解法 art. 29) and its mediators one by one."""
import pytest
from django.utils import timezone

from disputes import services
from disputes.actions import ACTION_BY_NAME
from disputes.models import Mediation, MediationOutcome
from governance.errors import InvalidInput
from tests.disputes.services import conftest as shared

world = shared.world


def record(world, case, **fields):
    values = dict(mediators="王明、李华", held_at=timezone.now(), outcome=MediationOutcome.AGREEMENT,
                  agreement_content="赔偿两千元", committee_name="云梦堤社区人民调解委员会")
    values.update(fields)
    return services.mediation_record(actor=world.town_staff, case_id=case.pk, data=services.MediationInput(**values))


def test_an_agreement_names_the_committee_that_seals_it(world):
    case = world.case_in("accepted")
    mediation = record(world, case)
    assert mediation.committee_name == "云梦堤社区人民调解委员会"


def test_an_agreement_without_a_committee_is_refused(world):
    case = world.case_in("accepted")
    with pytest.raises(InvalidInput) as excinfo:
        record(world, case, committee_name=" ")
    assert excinfo.value.extra["fields"] == {"committee_name": "达成协议时请填写加盖印章的人民调解委员会"}


def test_the_seal_is_a_peoples_mediation_committee_not_a_center(world):
    case = world.case_in("accepted")
    with pytest.raises(InvalidInput, match="人民调解委员会的全称"):
        record(world, case, committee_name="七一路街道综治中心")
    # a mediation still going on may leave the committee out
    ongoing = record(world, case, outcome=MediationOutcome.ONGOING, agreement_content="", committee_name="")
    assert ongoing.committee_name == ""


@pytest.mark.parametrize(("typed", "names"), [
    ("王明、李华", ["王明", "李华"]),
    ("王明, 李华；赵强", ["王明", "李华", "赵强"]),
    ("王明 李华", ["王明", "李华"]),
    ("王明", ["王明"]),
    ("", []),
])
def test_mediators_are_read_one_by_one(typed, names):
    assert Mediation(mediators=typed).mediator_names() == names


def test_the_form_proposes_the_committee_of_the_place(world):
    case = world.case_in("accepted")
    committee = next(i for i in ACTION_BY_NAME["mediation"].inputs if i.name == "committee_name")
    assert committee.initial_from_case(case) == f"{world.tree.village_a1x.name}人民调解委员会"
