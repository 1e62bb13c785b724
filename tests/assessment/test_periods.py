"""Rubric, scoring and periods: the default rubric adds up, formulas are refused with Chinese
messages, computing is idempotent, a published period is frozen, adjustments are recorded."""
import datetime as dt
from decimal import Decimal

import pytest

from assessment import services
from assessment.formulas import formula_validate
from assessment.metrics import Figure, volume_tiers
from assessment.models import (
    Adjustment,
    AssessmentPeriod,
    IndicatorScore,
    ItemKind,
    PeriodKind,
    PeriodState,
    Rubric,
    RubricItem,
    UnitScore,
)
from assessment.scoring import line_score, ranks
from disputes.models import Case, CaseState, Step
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import RegionLevel, Role
from governance.workdays import SHANGHAI
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(day: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, tzinfo=SHANGHAI)


@pytest.fixture
def rubric(tree) -> Rubric:
    return services.rubric_seed_default(region=tree.city, year=2026)


@pytest.fixture
def november(tree, rubric) -> AssessmentPeriod:
    services.periods_ensure(region=tree.city, year=2026, kinds=(PeriodKind.MONTH,))
    return AssessmentPeriod.objects.get(region=tree.city, kind=PeriodKind.MONTH, number=11)


def late_case(tree, village, day: int) -> Case:
    case = CaseFactory(village=village)
    Case.objects.filter(pk=case.pk).update(created_at=at(1), accepted_at=at(2), resolved_at=at(day),
                                           resolve_due_at=at(5), state=CaseState.RESOLVED, step=Step.CALLBACK)
    return case


def on_time_case(tree, village) -> Case:
    case = CaseFactory(village=village)
    Case.objects.filter(pk=case.pk).update(created_at=at(1), accepted_at=at(2), resolved_at=at(3),
                                           resolve_due_at=at(5), state=CaseState.RESOLVED, step=Step.CALLBACK)
    return case


def test_the_default_rubric_totals_1000_points_in_its_six_catalogues_and_a_bonus(rubric):
    catalogues = {i.name: i.max_points for i in rubric.items.filter(parent=None)}
    assert catalogues == {"落实综治领导责任制": 100, "预防化解矛盾纠纷": 170, "基层平安创建和治安防控": 300,
                          "综治基层基础工作": 300, "制度建设": 90, "群众满意程度": 40, "创新工作加分": 0}
    assert rubric.items.get(code="G1").kind == ItemKind.BONUS
    # seeding again changes nothing
    assert services.rubric_seed_default(region=rubric.region, year=2026) == rubric
    assert rubric.items.count() == RubricItem.objects.filter(rubric=rubric).count()


@pytest.mark.parametrize(("formula", "message"), [
    ("full * (rate", "计分公式无法解析"),
    ("full * bogus", "未知的名称「bogus」"),
    ("full / (coef - 1)", "除以零"),
    ("__import__('os')", "未知的名称"),
])
def test_bad_formulas_are_refused_in_chinese(formula, message):
    with pytest.raises(InvalidInput, match=message):
        formula_validate(formula)


def test_points_that_do_not_add_up_are_refused_and_nothing_changes(rubric):
    b2 = rubric.items.get(code="B2")
    with pytest.raises(InvalidInput, match="「预防化解矛盾纠纷」下各项分值合计为180分，应为170分"):
        services.rubric_item_save(rubric_id=rubric.pk, item_id=b2.pk, parent_id=b2.parent_id, code="B2",
                                  name=b2.name, kind=b2.kind, metric=b2.metric, formula=b2.formula, max_points=40)
    b2.refresh_from_db()
    assert b2.max_points == 30


def test_a_formula_dividing_by_zero_is_refused_on_save(rubric):
    b2 = rubric.items.get(code="B2")
    with pytest.raises(InvalidInput, match="除以零"):
        services.rubric_item_save(rubric_id=rubric.pk, item_id=b2.pk, parent_id=b2.parent_id, code="B2",
                                  name=b2.name, kind=b2.kind, metric=b2.metric, formula="full / (n - n)",
                                  max_points=30)
    b2.refresh_from_db()
    assert b2.formula == "full * rate / 100"


def test_copying_a_rubric_to_the_next_year_copies_every_line(rubric):
    copy = services.rubric_copy(rubric_id=rubric.pk, year=2027)
    assert copy.year == 2027 and "2027" in copy.name
    assert sorted(copy.items.values_list("code", "max_points", "formula")) == sorted(
        rubric.items.values_list("code", "max_points", "formula"))
    with pytest.raises(Conflict, match="2027年度的考核细则已存在"):
        services.rubric_copy(rubric_id=rubric.pk, year=2027)


def test_line_scores_follow_the_formula_weight_clamp_and_the_empty_denominator(rubric):
    b2 = rubric.items.get(code="B2")  # 30 points, full * rate / 100
    assert line_score(b2, figure=Figure(3, 4), manual=None, coef=1).points == Decimal("22.50")
    assert line_score(b2, figure=Figure(0, 0), manual=None, coef=1).points == Decimal("30.00")
    b7 = rubric.items.get(code="B7")  # 20 points, full - n * 2
    assert line_score(b7, figure=Figure(3), manual=None, coef=1).points == Decimal("14.00")
    assert line_score(b7, figure=Figure(50), manual=None, coef=1).points == Decimal("0.00")
    a3 = rubric.items.get(code="A3")  # 督办: yellow 5, red 10
    assert line_score(a3, figure=Figure(2, None, {"normal": 1, "yellow": 1, "red": 1}), manual=None,
                      coef=1).points == Decimal("15.00")
    c1 = rubric.items.get(code="C1")
    assert line_score(c1, figure=None, manual=None, coef=1).note == "待评分"
    assert line_score(c1, figure=None, manual=Decimal("200"), coef=1).points == Decimal("150.00")
    g1 = rubric.items.get(code="G1")  # bonus capped at 20
    assert line_score(g1, figure=None, manual=Decimal("25"), coef=1).points == Decimal("20.00")


def test_ranks_share_ties_and_put_vetoed_units_last():
    assert ranks([(1, Decimal(90), False), (2, Decimal(95), False), (3, Decimal(90), False),
                  (4, Decimal(99), True), (5, Decimal(80), False)]) == {2: 1, 1: 2, 3: 2, 5: 4, 4: 5}


def test_volume_tiers_split_units_one_two_two_by_volume():
    tiers = volume_tiers({1: 100, 2: 80, 3: 60, 4: 40, 5: 20})
    assert tiers == {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}


def test_computing_scores_ranks_and_is_idempotent(tree, november):
    # given 七一路街道 with one late case of two, 红旗街街道 with one on time
    late_case(tree, tree.village_a1x, 8)
    on_time_case(tree, tree.village_a1x)
    on_time_case(tree, tree.village_a2x)

    services.period_compute(period_id=november.pk)
    first = {s.unit_id: (s.total, s.rank) for s in UnitScore.objects.filter(period=november)}
    lines = IndicatorScore.objects.filter(unit_score__period=november).count()
    services.period_compute(period_id=november.pk)  # again: the same rows, the same values

    again = {s.unit_id: (s.total, s.rank) for s in UnitScore.objects.filter(period=november)}
    assert again == first
    assert IndicatorScore.objects.filter(unit_score__period=november).count() == lines
    a1 = UnitScore.objects.get(period=november, unit=tree.town_a1)
    a2 = UnitScore.objects.get(period=november, unit=tree.town_a2)
    b2 = a1.lines.get(item__code="B2")
    assert (b2.numerator, b2.denominator, b2.points) == (1, 2, Decimal("15.00"))
    assert a2.total - a1.total == Decimal("15.00")  # the only difference between the two
    assert (a2.rank, a1.rank) == (1, 2)
    assert UnitScore.objects.get(period=november, unit=tree.town_b1).rank == 1  # alone in its county
    november.refresh_from_db()
    assert november.state == PeriodState.COMPUTED


def test_a_published_period_never_changes_and_refuses_recomputation(tree, november):
    late_case(tree, tree.village_a1x, 8)
    services.period_compute(period_id=november.pk)
    admin = UserFactory(role=Role.ADMINISTRATOR, region=tree.city)
    services.period_publish(actor=admin, period_id=november.pk)
    before = UnitScore.objects.get(period=november, unit=tree.town_a1).total

    # when more cases change after publication
    late_case(tree, tree.village_a1x, 9)
    with pytest.raises(Conflict, match="成绩已固定"):
        services.period_compute(period_id=november.pk)

    assert UnitScore.objects.get(period=november, unit=tree.town_a1).total == before


def test_a_township_cannot_publish_and_an_adjustment_needs_a_second_person(tree, november):
    services.period_compute(period_id=november.pk)
    township_leader = UserFactory(role=Role.LEADER, region=tree.town_a1)
    with pytest.raises(Forbidden):
        services.period_publish(actor=township_leader, period_id=november.pk)
    leader = UserFactory(role=Role.LEADER, region=tree.city)
    other = UserFactory(role=Role.LEADER, region=tree.city)
    score = UnitScore.objects.get(period=november, unit=tree.town_a1)
    with pytest.raises(Conflict, match="尚未发布"):
        services.adjustment_propose(actor=leader, unit_score_id=score.pk, points=5, reason="核增")
    services.period_publish(actor=leader, period_id=november.pk)
    with pytest.raises(InvalidInput, match="请填写调整理由"):
        services.adjustment_propose(actor=leader, unit_score_id=score.pk, points=5, reason=" ")

    adjustment = services.adjustment_propose(actor=leader, unit_score_id=score.pk, points=-5, reason="数据核减")
    with pytest.raises(InvalidInput, match="另一人审核"):
        services.adjustment_decide(actor=leader, adjustment_id=adjustment.pk, approve=True)
    with pytest.raises(NotFound):  # a county leader of the other county has no jurisdiction
        services.adjustment_decide(actor=UserFactory(role=Role.LEADER, region=tree.county_b),
                                   adjustment_id=adjustment.pk, approve=True)
    score.refresh_from_db()
    assert score.adjustment == 0  # not counted until approved
    services.adjustment_decide(actor=other, adjustment_id=adjustment.pk, approve=True)

    score.refresh_from_db()
    assert score.total == score.computed_total - 5 and score.adjustment == Decimal(-5)
    assert Adjustment.objects.get(unit_score=score).approved_by == other
    services.period_lock(actor=leader, period_id=november.pk)
    with pytest.raises(Conflict, match="已锁定"):
        services.adjustment_propose(actor=leader, unit_score_id=score.pk, points=1, reason="再调")


def test_the_county_level_is_computed_when_the_city_has_a_county_rubric(tree, november, rubric):
    county = Rubric.objects.create(region=tree.city, level=RegionLevel.COUNTY, year=2026, name="县区细则",
                                   total_points=100)
    RubricItem.objects.create(rubric=county, code="K", name="按期办结率", kind=ItemKind.AUTOMATIC,
                              metric="resolve_on_time", formula="full * rate / 100", max_points=100)
    on_time_case(tree, tree.village_a1x)
    services.period_compute(period_id=november.pk)
    scores = {s.unit_id: s.total for s in UnitScore.objects.filter(period=november, level=RegionLevel.COUNTY)}
    assert scores == {tree.county_a.pk: Decimal("100.00"), tree.county_b.pk: Decimal("100.00")}


def test_the_seed_command_seeds_copies_and_refuses_in_plain_words(tree):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("assessment_seed_rubric", city="6102", year=2026, periods=True, stdout=out)
    call_command("assessment_seed_rubric", city="6102", year=2027, copy_from=2026, stdout=out)
    assert Rubric.objects.filter(region=tree.city, year__in=[2026, 2027]).count() == 2
    assert AssessmentPeriod.objects.filter(region=tree.city, year=2026).count() == 19
    with pytest.raises(CommandError, match="2027年度的考核细则已存在"):
        call_command("assessment_seed_rubric", city="6102", year=2027, copy_from=2026, stdout=out)


def test_the_admin_refuses_lines_that_do_not_add_up(client, tree, rubric):
    admin_user = UserFactory(role=Role.ADMINISTRATOR, region=tree.city, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    url = f"/admin/assessment/rubric/{rubric.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name != "region"}
    data.update(region=rubric.region_id, level=rubric.level, year=rubric.year)
    formset = page.context["inline_admin_formsets"][0].formset
    data.update({f"{formset.prefix}-TOTAL_FORMS": len(formset.forms), f"{formset.prefix}-INITIAL_FORMS":
                 len(formset.forms), f"{formset.prefix}-MIN_NUM_FORMS": 0, f"{formset.prefix}-MAX_NUM_FORMS": 1000})
    for i, f in enumerate(formset.forms):
        for name in f.fields:
            value = f.initial.get(name, "")
            data[f"{formset.prefix}-{i}-{name}"] = "" if value is None else getattr(value, "pk", value)
        data[f"{formset.prefix}-{i}-id"] = f.instance.pk
        data[f"{formset.prefix}-{i}-rubric"] = rubric.pk
        if f.instance.code == "B2":
            data[f"{formset.prefix}-{i}-max_points"] = "40"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "「预防化解矛盾纠纷」下各项分值合计为180分，应为170分" in response.content.decode()
    assert rubric.items.get(code="B2").max_points == 30


def test_volume_tiering_gives_the_busiest_units_the_mildest_coefficient(tree, november, rubric):
    # given tiering on and a line whose deduction grows with the tier's coefficient
    rubric.volume_tiering = True
    rubric.save(update_fields=["volume_tiering"])
    RubricItem.objects.filter(rubric=rubric, code="B7").update(formula="full - n * coef")
    from disputes.models import CaseEvent

    for village in (tree.village_a1x, tree.village_a1x, tree.village_a1x, tree.village_a2x):
        CaseEvent.objects.create(case=late_case(tree, village, 8), action="red", created_at=at(6))

    services.period_compute(period_id=november.pk)

    scores = {s.unit_id: s for s in UnitScore.objects.filter(period=november)}
    # three townships: the busiest (七一路, 3 cases) tier 1, the next (红旗街, 1) tier 2, the last tier 3
    assert [scores[t.pk].coef for t in (tree.town_a1, tree.town_a2, tree.town_b1)] == [1, 2, 3]
    b7 = {t: scores[t.pk].lines.get(item__code="B7") for t in (tree.town_a1, tree.town_a2)}
    assert (b7[tree.town_a1].numerator, b7[tree.town_a1].points) == (3, Decimal("17.00"))  # 20 - 3 × 1
    assert (b7[tree.town_a2].numerator, b7[tree.town_a2].points) == (1, Decimal("18.00"))  # 20 - 1 × 2
