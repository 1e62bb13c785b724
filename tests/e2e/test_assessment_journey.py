"""Journey (issue 14's "Done means"): a county leader signs in, lands on the ranking, clicks
the bottom township, then its 按期办结率, and reaches the list of exactly its late cases;
the ranking's export is a real .xlsx with the same numbers."""
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assessment import services
from assessment.models import AssessmentPeriod, PeriodKind, UnitScore
from governance.models import Role
from tests.assessment.test_periods import late_case, on_time_case
from tests.e2e.conftest import assert_styles_loaded, login, screenshot
from tests.factories import PASSWORD, RegionTree, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_leader_drills_from_the_ranking_to_the_late_cases(make_page, reference_data):
    # given November computed: 七一路街道 resolved two cases late and one on time, 红旗街街道 one on time
    tree = RegionTree()
    services.rubric_seed_default(region=tree.city, year=2026)
    services.periods_ensure(region=tree.city, year=2026, kinds=(PeriodKind.MONTH,))
    period = AssessmentPeriod.objects.get(region=tree.city, kind=PeriodKind.MONTH, number=11)
    late = {late_case(tree, tree.village_a1x, 8).number, late_case(tree, tree.village_a1y, 9).number}
    on_time_case(tree, tree.village_a1x)
    on_time_case(tree, tree.village_a2x)
    services.period_compute(period_id=period.pk)
    admin = UserFactory(role=Role.ADMINISTRATOR, region=tree.city)
    services.period_publish(actor=admin, period_id=period.pk)
    leader = UserFactory(username="e2e_leader_county", role=Role.LEADER, region=tree.county_a)

    # when the county leader signs in, they land on the ranking
    page = make_page()
    login(page, leader.username, PASSWORD)
    assert page.url.split("?")[0].endswith("/assessment/")
    assert_styles_loaded(page)
    rows = page.get_by_test_id("ranking-row")
    assert rows.count() == 2
    bottom = rows.nth(1)
    assert bottom.get_attribute("data-unit") == "七一路街道"
    shown_totals = [rows.nth(i).get_by_test_id("total").inner_text().strip() for i in range(2)]
    screenshot(page, "assessment_ranking")

    # and clicks the bottom township, then its 按期办结率
    bottom.get_by_test_id("unit-link").click()
    page.wait_for_load_state("load")
    line = page.locator('[data-testid="line"][data-name="按期办结率"]')
    assert line.get_by_test_id("numerator").inner_text().strip() == "1"
    assert line.get_by_test_id("denominator").inner_text().strip() == "3"
    page.wait_for_function("() => document.querySelector('#trend-chart canvas') !== null")
    line.get_by_test_id("indicator-link").click()
    page.wait_for_load_state("load")

    # then the case list shows exactly its late cases
    assert "按期办结率" in page.get_by_test_id("indicator-filter").inner_text()
    listed = {page.get_by_test_id("case-row").nth(i).locator("td").first.inner_text().strip()
              for i in range(page.get_by_test_id("case-row").count())}
    assert listed == late

    # and the ranking's export opens as a real workbook with the same numbers
    page.goto("/assessment/")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    exported = [(row[0], row[1], row[2]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = [(s.rank, s.unit.name, float(s.total)) for s in
                UnitScore.objects.filter(period=period, parent=tree.county_a).order_by("rank")]
    assert exported == expected
    assert [f"{value:.2f}" for _rank, _name, value in exported] == shown_totals
