"""一票否决 (proposed below, decided at county level or above, follows the unit across periods),
manual scores (own department only, within the maximum, second-person approval) and letters."""
import datetime as dt
from decimal import Decimal

import pytest

from assessment import services
from assessment.models import (
    AssessmentPeriod,
    ManualScore,
    ManualState,
    PeriodKind,
    UnitScore,
    Veto,
    VetoState,
)
from assessment.services.manual import letter_review, letter_save, manual_score_decide, manual_score_submit
from assessment.services.vetoes import veto_decide, veto_propose
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import Role
from tests.assessment.test_periods import on_time_case
from tests.factories import CaseFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric(tree):
    return services.rubric_seed_default(region=tree.city, year=2026)


@pytest.fixture
def months(tree, rubric):
    services.periods_ensure(region=tree.city, year=2026, kinds=(PeriodKind.MONTH,))
    return {p.number: p for p in AssessmentPeriod.objects.filter(region=tree.city, kind=PeriodKind.MONTH)}


def test_a_township_proposes_and_cannot_decide_the_county_decides(tree, months):
    town = UserFactory(role=Role.LEADER, region=tree.town_a1)
    case = CaseFactory(village=tree.village_a1x)
    veto = veto_propose(actor=town, unit_id=tree.town_a1.pk, reason="发生群体性事件，造成严重影响",
                        case_ids=[case.pk], starts_on=dt.date(2026, 10, 15))
    assert veto.ends_on == dt.date(2027, 10, 14) and list(veto.cases.values_list("pk", flat=True)) == [case.pk]

    with pytest.raises(Forbidden, match="一票否决须由县级以上决定，乡镇\\(街道\\)只能提出建议"):
        veto_decide(actor=town, veto_id=veto.pk, approve=True)
    assert Veto.objects.get(pk=veto.pk).state == VetoState.PROPOSED

    other_county = UserFactory(role=Role.LEADER, region=tree.county_b)
    with pytest.raises(NotFound):
        veto_decide(actor=other_county, veto_id=veto.pk, approve=True)
    county = UserFactory(role=Role.LEADER, region=tree.county_a)
    veto_decide(actor=county, veto_id=veto.pk, approve=True)
    with pytest.raises(Conflict):
        veto_decide(actor=county, veto_id=veto.pk, approve=False)

    # then the vetoed township is last and marked in every period of its duration
    on_time_case(tree, tree.village_a1x)
    for number in (10, 11):
        services.period_compute(period_id=months[number].pk)
        score = UnitScore.objects.get(period=months[number], unit=tree.town_a1)
        assert score.vetoed and score.rank == 2 and score.grade == "fail"
    services.period_compute(period_id=months[9].pk)  # before it started
    assert not UnitScore.objects.get(period=months[9], unit=tree.town_a1).vetoed


def test_a_veto_cannot_link_cases_outside_the_proposer_jurisdiction(tree):
    town = UserFactory(role=Role.LEADER, region=tree.town_a1)
    far = CaseFactory(village=tree.village_b1x)
    with pytest.raises(NotFound):
        veto_propose(actor=town, unit_id=tree.town_a1.pk, reason="民转刑案件", case_ids=[far.pk])
    with pytest.raises(NotFound):
        veto_propose(actor=town, unit_id=tree.town_a2.pk, reason="民转刑案件")
    assert not Veto.objects.exists()


@pytest.fixture
def assessors(tree, rubric):
    justice = DepartmentFactory(name="县司法局", region=tree.county_a)
    police = DepartmentFactory(name="县公安局", region=tree.county_a)
    rubric.items.filter(code="C1").update(department=police)
    rubric.items.filter(code__in=["A1", "G1"]).update(department=justice)
    make = lambda dept: UserFactory(role=Role.HANDLER, region=tree.county_a, department=dept)  # noqa: E731
    return {"justice": make(justice), "justice2": make(justice), "police": make(police)}


def test_manual_scores_need_the_own_department_a_valid_score_and_a_second_person(tree, rubric, months,
                                                                                 assessors):
    a1, c1 = rubric.items.get(code="A1"), rubric.items.get(code="C1")
    period = months[11]
    with pytest.raises(Forbidden, match="只能为本部门负责考核的指标评分"):
        manual_score_submit(actor=assessors["justice"], period_id=period.pk, unit_id=tree.town_a1.pk,
                            item_id=c1.pk, points=100)
    with pytest.raises(InvalidInput, match="得分须在0到40分之间"):
        manual_score_submit(actor=assessors["justice"], period_id=period.pk, unit_id=tree.town_a1.pk,
                            item_id=a1.pk, points=41)
    with pytest.raises(NotFound):
        manual_score_submit(actor=assessors["justice"], period_id=period.pk, unit_id=tree.town_b1.pk,
                            item_id=a1.pk, points=30)
    assert not ManualScore.objects.exists()

    score = manual_score_submit(actor=assessors["justice"], period_id=period.pk, unit_id=tree.town_a1.pk,
                                item_id=a1.pk, points=36, note="责任书已签订")
    with pytest.raises(InvalidInput, match="另一人审核"):
        manual_score_decide(actor=assessors["justice"], manual_id=score.pk, approve=True)
    with pytest.raises(Forbidden):
        manual_score_decide(actor=assessors["police"], manual_id=score.pk, approve=True)
    services.period_compute(period_id=period.pk)
    assert UnitScore.objects.get(period=period, unit=tree.town_a1).lines.get(item=a1).note == "待评分"

    manual_score_decide(actor=assessors["justice2"], manual_id=score.pk, approve=True)
    services.period_compute(period_id=period.pk)

    assert ManualScore.objects.get(pk=score.pk).state == ManualState.APPROVED
    assert UnitScore.objects.get(period=period, unit=tree.town_a1).lines.get(item=a1).points == Decimal("36.00")


def test_a_published_period_refuses_manual_scores(tree, rubric, months, assessors):
    period = months[11]
    services.period_compute(period_id=period.pk)
    services.period_publish(actor=UserFactory(role=Role.ADMINISTRATOR, region=tree.city), period_id=period.pk)
    with pytest.raises(Conflict, match="成绩已固定"):
        manual_score_submit(actor=assessors["justice"], period_id=period.pk, unit_id=tree.town_a1.pk,
                            item_id=rubric.items.get(code="A1").pk, points=30)


def test_a_letter_with_targets_and_a_review(tree, rubric, months):
    county = UserFactory(role=Role.LEADER, region=tree.county_a)
    letter = letter_save(actor=county, unit_id=tree.town_a1.pk, year=2026, party_head="张书记",
                         government_head="李镇长", issuer="王区长", targets={"total": 900, "B2": 95},
                         signed_on=dt.date(2026, 2, 1))
    with pytest.raises(InvalidInput, match="「Z9」不存在"):
        letter_save(actor=county, unit_id=tree.town_a1.pk, year=2026, party_head="张", government_head="李",
                    issuer="王", targets={"Z9": 1})
    review = letter_review(actor=county, letter_id=letter.pk, period_id=months[11].pk, text="履责到位")
    assert review.text == "履责到位" and letter.targets == {"total": 900.0, "B2": 95.0}
    with pytest.raises(NotFound):
        letter_save(actor=UserFactory(role=Role.LEADER, region=tree.county_b), unit_id=tree.town_a1.pk,
                    year=2026, party_head="张", government_head="李", issuer="王")
