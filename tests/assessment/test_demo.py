"""The assessment demo: the demo city's rubrics, computed periods (ended ones published) from
its cases, approved manual scores, one veto, signed letters — a real first screen; idempotent."""
import random
from io import StringIO

import pytest
from django.urls import reverse

from assessment import demo
from assessment.models import AssessmentPeriod, ManualScore, PeriodState, ResponsibilityLetter, UnitScore, Veto
from disputes import demo as disputes_demo
from governance import demo as governance_demo
from governance.models import User
from grids import demo as grids_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_city_gets_a_real_ranking_and_a_second_run_adds_nothing(client, monkeypatch):
    monkeypatch.setattr(disputes_demo, "DEMO_CASES", 150)
    out = StringIO()
    for n, module in enumerate((governance_demo, grids_demo, disputes_demo, demo)):
        module.seed(stdout=out, rng=random.Random(n))

    periods = AssessmentPeriod.objects.exclude(state=PeriodState.OPEN)
    assert periods.filter(state=PeriodState.PUBLISHED).count() >= 12
    assert UnitScore.objects.filter(period__in=periods, level="county").exists()
    assert ManualScore.objects.filter(state="approved").exists()
    veto = Veto.objects.get()
    assert veto.state == "approved" and UnitScore.objects.filter(unit=veto.unit, vetoed=True).exists()
    assert ResponsibilityLetter.objects.filter(signed_on__isnull=False).count() >= 6

    before = (UnitScore.objects.count(), ManualScore.objects.count())
    demo.seed(stdout=out, rng=random.Random(9))
    assert (UnitScore.objects.count(), ManualScore.objects.count()) == before
    assert "已计算的考核期,跳过" in out.getvalue()

    client.force_login(User.objects.get(username="wangyi_leader"))
    page = client.get(reverse("assessment:rankings")).content.decode()
    assert page.count('data-testid="ranking-row"') >= 6 and 'data-testid="veto-mark"' in page
