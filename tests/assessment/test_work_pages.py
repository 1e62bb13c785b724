"""The working pages: 一票否决 (scoped list, propose, decide at county level) and the scoring
sheet (own department's lines only, Chinese refusals, second-person approval)."""
import pytest
from django.urls import reverse

from assessment.models import ManualScore, ManualState, ResponsibilityLetter, Veto, VetoState
from assessment.services.vetoes import veto_propose
from governance import clock
from governance.models import Role
from tests.assessment.test_periods import at
from tests.assessment.test_vetoes_manual import assessors, months, rubric  # noqa: F401 (fixtures)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_veto_pages_by_jurisdiction_and_level(client, tree):
    town = UserFactory(role=Role.LEADER, region=tree.town_a1)
    veto = veto_propose(actor=town, unit_id=tree.town_a1.pk, reason="民转刑案件")
    veto_propose(actor=UserFactory(role=Role.LEADER, region=tree.town_b1), unit_id=tree.town_b1.pk, reason="另一件")

    client.force_login(town)
    page = client.get(reverse("assessment:vetoes")).content.decode()
    assert "民转刑案件" in page and "另一件" not in page and 'data-testid="veto-approve"' not in page
    refused = client.post(reverse("assessment:veto_decide", args=[veto.pk]), {"approve": "1"})
    assert refused.status_code == 403 and "一票否决须由县级以上决定" in refused.content.decode()
    assert Veto.objects.get(pk=veto.pk).state == VetoState.PROPOSED
    proposed = client.post(reverse("assessment:vetoes"), {"unit_id": tree.town_a1.pk, "reason": "群体性事件",
                                                          "case_ids": "", "days": 365})
    assert proposed.status_code == 302 and Veto.objects.filter(reason="群体性事件").exists()

    client.force_login(UserFactory(role=Role.LEADER, region=tree.county_b))
    assert client.post(reverse("assessment:veto_decide", args=[veto.pk]), {"approve": "1"}).status_code == 404
    client.force_login(UserFactory(role=Role.LEADER, region=tree.county_a))
    client.post(reverse("assessment:veto_decide", args=[veto.pk]), {"approve": "1"})
    assert Veto.objects.get(pk=veto.pk).state == VetoState.APPROVED


def test_the_scoring_sheet_shows_only_the_assessors_lines(client, tree, rubric, months, assessors):  # noqa: F811
    client.force_login(assessors["justice"])
    with clock.frozen_at(at(20)):
        page = client.get(reverse("assessment:scoring")).content.decode()
        assert "A1 签订综治责任书并履责" in page and "C1 平安创建活动" not in page
        assert "城关街道" not in page  # outside the county
        period = months[11]
        a1, c1 = rubric.items.get(code="A1"), rubric.items.get(code="C1")
        too_much = client.post(reverse("assessment:scoring"), {"period": period.pk, "unit": tree.town_a1.pk,
                                                               "item": a1.pk, "points": "41"}, follow=True)
        assert "得分须在0到40分之间" in too_much.content.decode() and not ManualScore.objects.exists()
        other = client.post(reverse("assessment:scoring"), {"period": period.pk, "unit": tree.town_a1.pk,
                                                            "item": c1.pk, "points": "10"})
        assert other.status_code == 403 and not ManualScore.objects.exists()
        client.post(reverse("assessment:scoring"), {"period": period.pk, "unit": tree.town_a1.pk, "item": a1.pk,
                                                    "points": "35", "note": "已签订"})
        score = ManualScore.objects.get()
        client.force_login(assessors["justice2"])
        client.post(reverse("assessment:scoring_decide", args=[score.pk]), {"approve": "1"})
    assert ManualScore.objects.get().state == ManualState.APPROVED


def test_letters_are_signed_listed_in_scope_and_reviewed(client, tree, months):  # noqa: F811
    client.force_login(UserFactory(role=Role.LEADER, region=tree.county_a))
    saved = client.post(reverse("assessment:letters") + "?year=2026", {
        "year": 2026, "letter-unit_id": tree.town_a1.pk, "letter-party_head": "张书记",
        "letter-government_head": "李主任", "letter-issuer": "王书记", "letter-target_total": "900",
        "letter-targets": "B2=95", "letter-signed_on": "2026-02-01"})
    assert saved.status_code == 302
    letter = ResponsibilityLetter.objects.get()
    assert letter.targets == {"B2": 95.0, "total": 900.0}
    bad = client.post(reverse("assessment:letters"), {"year": 2026, "letter-unit_id": tree.town_a1.pk,
                                                      "letter-party_head": "张", "letter-government_head": "李",
                                                      "letter-issuer": "王", "letter-targets": "Z9=1"})
    assert "「Z9」不存在" in bad.content.decode()
    client.post(reverse("assessment:letters"), {"year": 2026, "letter": letter.pk, "review-period_id": months[11].pk,
                                                "review-text": "履责到位"})
    assert letter.reviews.get().text == "履责到位"

    client.force_login(UserFactory(role=Role.LEADER, region=tree.county_b))
    assert "张书记" not in client.get(reverse("assessment:letters") + "?year=2026").content.decode()
    refused = client.post(reverse("assessment:letters"), {"year": 2026, "letter": letter.pk,
                                                          "review-period_id": months[11].pk, "review-text": "越权"})
    assert refused.status_code == 404


def test_an_adjustment_is_proposed_on_the_unit_page_and_approved_by_another(client, tree, months):  # noqa: F811
    from assessment import services
    from assessment.models import Adjustment, UnitScore

    period = months[11]
    services.period_compute(period_id=period.pk)
    leader = UserFactory(role=Role.LEADER, region=tree.city)
    services.period_publish(actor=leader, period_id=period.pk)
    client.force_login(leader)
    unit = reverse("assessment:unit", args=[period.pk, tree.town_a1.pk])
    assert 'data-testid="adjust-form"' in client.get(unit).content.decode()
    bad = client.post(reverse("assessment:adjust", args=[period.pk, tree.town_a1.pk]), {"points": "x", "reason": "r"},
                      follow=True)
    assert "调整分值必须是数字" in bad.content.decode() and not Adjustment.objects.exists()
    client.post(reverse("assessment:adjust", args=[period.pk, tree.town_a1.pk]), {"points": "-3", "reason": "核减"})
    adjustment = Adjustment.objects.get()

    client.force_login(UserFactory(role=Role.LEADER, region=tree.county_b))
    assert client.post(reverse("assessment:adjustment_decide", args=[adjustment.pk]),
                       {"approve": "1"}).status_code == 404
    client.force_login(UserFactory(role=Role.LEADER, region=tree.county_a))
    client.post(reverse("assessment:adjustment_decide", args=[adjustment.pk]), {"approve": "1"})
    score = UnitScore.objects.get(period=period, unit=tree.town_a1)
    assert score.adjustment == -3 and score.total == score.computed_total - 3
