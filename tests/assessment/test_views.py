"""The ranking pages by the rule of who sees what (docs/assessment.md), the drill-down to the
cases, the exports as real .xlsx files, and a constant number of queries."""
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessment import services
from assessment.models import AssessmentPeriod, ItemKind, PeriodKind, Rubric, RubricItem, UnitScore
from governance.models import RegionLevel, Role
from tests.assessment.test_periods import late_case, on_time_case
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(tree):
    services.rubric_seed_default(region=tree.city, year=2026)
    services.periods_ensure(region=tree.city, year=2026, kinds=(PeriodKind.MONTH,))
    period = AssessmentPeriod.objects.get(region=tree.city, kind=PeriodKind.MONTH, number=11)
    late_case(tree, tree.village_a1x, 8)
    late_case(tree, tree.village_a1y, 9)
    on_time_case(tree, tree.village_a1x)
    on_time_case(tree, tree.village_a2x)
    on_time_case(tree, tree.village_b1x)
    services.period_compute(period_id=period.pk)
    return period


def client_for(client, role, region):
    user = UserFactory(role=role, region=region)
    client.force_login(user)
    return client


def unit_url(period, region):
    return reverse("assessment:unit", args=[period.pk, region.pk])


def test_a_county_leader_sees_the_county_townships_ranking_and_their_details(client, tree, computed):
    client_for(client, Role.LEADER, tree.county_a)

    page = client.get(reverse("assessment:rankings")).content.decode()

    assert "红旗街街道" in page and "七一路街道" in page and "城关街道" not in page
    assert unit_url(computed, tree.town_a1) in page and unit_url(computed, tree.town_a2) in page
    assert client.get(unit_url(computed, tree.town_a1)).status_code == 200
    assert client.get(unit_url(computed, tree.town_b1)).status_code == 404
    assert client.get(reverse("assessment:rankings") + "?level=county").status_code == 404


def test_a_township_leader_sees_peers_ranks_but_only_their_own_detail(client, tree, computed):
    client_for(client, Role.LEADER, tree.town_a1)

    page = client.get(reverse("assessment:rankings")).content.decode()

    assert "红旗街街道" in page and "七一路街道" in page  # the peers' ranks
    assert unit_url(computed, tree.town_a1) in page
    assert unit_url(computed, tree.town_a2) not in page  # no link to a peer's detail
    assert client.get(unit_url(computed, tree.town_a1)).status_code == 200
    assert client.get(unit_url(computed, tree.town_a2)).status_code == 404
    assert client.get(reverse("assessment:unit_export", args=[computed.pk, tree.town_a2.pk])).status_code == 404
    assert client.get(reverse("assessment:unit_print", args=[computed.pk, tree.town_a2.pk])).status_code == 404
    assert client.get(reverse("assessment:rankings") + f"?parent={tree.county_b.pk}").status_code == 404


def test_a_city_leader_sees_counties_and_drills_into_any_township(client, tree, computed):
    client_for(client, Role.LEADER, tree.city)

    assert "七一路街道" in client.get(reverse("assessment:rankings")).content.decode()  # no county rubric: townships
    county = Rubric.objects.create(region=tree.city, level=RegionLevel.COUNTY, year=2026, name="县区细则",
                                   total_points=100)
    RubricItem.objects.create(rubric=county, code="K", name="按期办结率", kind=ItemKind.AUTOMATIC,
                              metric="resolve_on_time", formula="full * rate / 100", max_points=100)
    services.period_compute(period_id=computed.pk)
    default = client.get(reverse("assessment:rankings")).content.decode()
    townships_b = client.get(reverse("assessment:rankings") + f"?level=township&parent={tree.county_b.pk}")

    assert "王益区" in default and "印台区" in default
    assert client.get(unit_url(computed, tree.county_b)).status_code == 200
    assert "城关街道" in townships_b.content.decode()
    assert client.get(unit_url(computed, tree.town_b1)).status_code == 200
    assert client.get(unit_url(computed, tree.town_a1)).status_code == 200


def test_roles_without_the_pages_are_refused(client, tree, computed):
    client_for(client, Role.WINDOW_STAFF, tree.town_a1)
    assert client.get(reverse("assessment:rankings")).status_code == 403
    assert client.get(unit_url(computed, tree.town_a1)).status_code == 403


def test_another_city_period_is_not_found(client, tree, computed):
    client_for(client, Role.LEADER, tree.county_a)
    assert client.get(reverse("assessment:rankings") + "?period=999999").status_code == 404
    assert client.get(reverse("assessment:unit", args=[999999, tree.town_a1.pk])).status_code == 404


def test_the_drill_down_lists_exactly_the_cases_behind_the_figures(client, tree, computed):
    client_for(client, Role.LEADER, tree.county_a)
    page = client.get(unit_url(computed, tree.town_a1)).content.decode()
    score = UnitScore.objects.get(period=computed, unit=tree.town_a1)
    b2 = score.lines.get(item__code="B2")
    assert (b2.numerator, b2.denominator) == (1, 3)

    row = re.search(r'data-name="按期办结率".*?</tr>', page, re.S).group(0)
    lost, num, den = (unescape(u) for u in re.findall(r'href="([^"]+)"', row))

    def count(url):
        return unescape(client.get(url).content.decode()).count('data-testid="case-row"')

    assert count(lost) == 2 and count(num) == 1 and count(den) == 3


def test_the_exports_are_real_workbooks_with_the_page_numbers(client, tree, computed):
    client_for(client, Role.LEADER, tree.county_a)
    response = client.get(reverse("assessment:rankings_export") + f"?period={computed.pk}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    scores = {s.unit.name: s for s in UnitScore.objects.filter(period=computed, parent=tree.county_a)}
    assert {r[1]: (r[0], r[2]) for r in rows} == {n: (s.rank, float(s.total)) for n, s in scores.items()}
    assert all(isinstance(r[2], int | float) for r in rows)  # numbers, not text

    unit = load_workbook(io.BytesIO(client.get(
        reverse("assessment:unit_export", args=[computed.pk, tree.town_a1.pk])).content)).active
    b2 = next(r for r in unit.iter_rows(values_only=True) if r[0] == "B2")
    assert b2[4:8] == (1, 3, 33.33, 10.0)


def test_the_ranking_page_runs_a_constant_number_of_queries(client, tree, computed):
    client_for(client, Role.LEADER, tree.city)
    url = reverse("assessment:rankings") + f"?level=township&parent={tree.county_a.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    on_time_case(tree, tree.village_a2x)
    services.period_compute(period_id=computed.pk)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few) <= 16


def test_the_print_report_lists_the_points_lost_with_their_cases(client, tree, computed):
    client_for(client, Role.LEADER, tree.county_a)
    page = client.get(reverse("assessment:unit_print", args=[computed.pk, tree.town_a1.pk])).content.decode()
    row = re.search(r'data-testid="lost-row">\s*<td>B2 按期办结率.*?</tr>', page, re.S).group(0)
    late = UnitScore.objects.get(period=computed, unit=tree.town_a1).lines.get(item__code="B2")
    assert late.points == Decimal("10.00") and "20.00" in row
    from disputes.models import Case
    numbers = set(Case.objects.filter(township=tree.town_a1, resolved_at__gt=models.F("resolve_due_at"))
                  .values_list("number", flat=True))
    assert len(numbers) == 2 and all(n in row for n in numbers)


def test_the_periods_page_and_progress_stay_in_the_viewers_city(client, tree, computed):
    from governance.models import RegionLevel as Level
    from tests.factories import make_region

    other_city = make_region("6103", "宝鸡市", Level.CITY)
    services.periods_ensure(region=other_city, year=2026, kinds=(PeriodKind.MONTH,))
    foreign = AssessmentPeriod.objects.filter(region=other_city).first()
    client_for(client, Role.LEADER, tree.town_a1)
    page = client.get(reverse("assessment:periods")).content.decode()
    assert computed.label in page and page.count('data-testid="progress-') == 12
    assert client.get(reverse("assessment:period_progress", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("assessment:rankings") + f"?period={foreign.pk}").status_code == 404
    assert client.post(reverse("assessment:period_action", args=[computed.pk, "publish"])).status_code == 403
