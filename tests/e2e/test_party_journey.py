"""Journey (issue 12's "Done means"): a township user, on a phone-sized screen, creates a 联建
grid party group over two grids, adds members, logs a 党小组会 with attendees, and sees the
coverage figure change."""
import datetime as dt

import pytest

from governance.models import Role
from partybuilding.models import Activity, PartyGroup
from tests.e2e.conftest import PHONE, assert_styles_loaded, login, screenshot
from tests.factories import PASSWORD, GridFactory, RegionTree, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_township_user_builds_a_joint_group_and_coverage_rises(make_page, reference_data):
    tree = RegionTree()
    first = GridFactory(region=tree.village_a1x, name="云梦堤第1网格")
    second = GridFactory(region=tree.village_a1x, name="云梦堤第2网格")
    GridFactory(region=tree.village_b1x, name="城关第1网格")  # another township's: never offered
    user = UserFactory(username="e2e_party", role=Role.LEADER, region=tree.town_a1)
    page = make_page(PHONE)
    login(page, user.username, PASSWORD)

    page.goto("/party/")
    assert_styles_loaded(page)
    assert page.get_by_test_id("coverage").inner_text().strip() == "0 / 2"
    assert fits_the_screen(page)

    # creates a 联建 group over both grids
    page.get_by_test_id("group-create").click()
    assert "城关第1网格" not in page.content()
    page.fill("#id_name", "云梦堤联建党小组")
    page.select_option("#id_kind", "joint")
    page.select_option("#id_grid_ids", [str(first.pk), str(second.pk)])
    page.fill("#id_established_on", "2026-01-05")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("load")
    assert page.get_by_test_id("group-kind").inner_text().strip() == "联建"
    assert fits_the_screen(page)

    # adds two members, one in each grid
    for name, grid in (("王芳", first), ("李强", second)):
        page.get_by_test_id("member-add").click()
        page.fill("#id_name", name)
        page.select_option("#id_gender", "female" if name == "王芳" else "male")
        page.select_option("#id_kind", "community")
        page.select_option("#id_grid_id", str(grid.pk))
        page.fill("#id_phone", "13912345678")
        page.get_by_test_id("submit").click()
        page.wait_for_load_state("load")
    members = page.get_by_test_id("member-list").inner_text()
    assert "王芳" in members and "李强" in members and "139****5678" in members

    # logs a 党小组会 with both attending
    page.get_by_test_id("activity-log").click()
    page.select_option("#id_kind", "group_meeting")
    page.fill("#id_held_on", (dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.fill("#id_place", "社区活动室")
    page.fill("#id_topic", "学习党章")
    page.fill("#id_hours", "1.5")
    for box in page.locator("input[name=attendee_ids]").all():
        box.check()
    assert fits_the_screen(page)
    page.get_by_test_id("submit").click()
    page.wait_for_load_state("load")
    assert "学习党章" in page.get_by_test_id("activity-list").inner_text()
    screenshot(page, "party-group-phone")

    # the coverage figure now counts both grids
    page.goto("/party/")
    assert page.get_by_test_id("coverage").inner_text().strip() == "2 / 2"
    page.goto("/party/stats/?level=village")
    assert page.get_by_test_id("coverage").inner_text().strip() == "2 / 2"
    assert fits_the_screen(page)
    group = PartyGroup.objects.get()
    assert group.grids.count() == 2 and Activity.objects.get().attendees.count() == 2
