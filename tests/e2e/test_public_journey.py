"""Journey (issue 10): a resident reports a matter online on a phone, without an account; the
township clerk finds it waiting for acceptance and accepts it; the resident's tracking page then
shows 已受理 — and nothing internal (no staff name, no note)."""
import pytest
from django.core.cache import cache

from disputes.models import Case, Category, Channel
from governance.models import Role
from tests.e2e.conftest import DESKTOP, PHONE, assert_styles_loaded, login, screenshot
from tests.factories import PASSWORD, RegionTree, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_resident_reports_online_and_follows_the_acceptance(make_page, reference_data):
    cache.clear()  # the rate limits count in the cache
    # given 红旗街街道 with its window clerk
    tree = RegionTree()
    clerk = UserFactory(username="e2e_hongqi_clerk", display_name="李受理", role=Role.WINDOW_STAFF,
                        region=tree.town_a2)
    neighbour = Category.objects.get(name="邻里纠纷")

    # when a resident fills the online form on a 390 px phone, picking county → township → village
    phone = make_page(PHONE)
    phone.goto("/public/report/")
    assert_styles_loaded(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    phone.fill("[name=title]", "楼上漏水多次协商未果")
    phone.select_option("[name=category]", str(neighbour.pk))
    phone.fill("[name=narrative]", "楼上卫生间漏水半年，物业协调无果，希望社区组织调解。")
    phone.select_option("[name=county]", str(tree.county_a.pk))
    phone.wait_for_selector(f"#id_township option[value='{tree.town_a2.pk}']", state="attached")
    phone.select_option("[name=township]", str(tree.town_a2.pk))
    phone.wait_for_selector(f"#id_village option[value='{tree.village_a2x.pk}']", state="attached")
    phone.select_option("[name=village]", str(tree.village_a2x.pk))
    phone.fill("[name=name]", "王五")
    phone.fill("[name=phone]", "13812345678")
    screenshot(phone, "public_report_390")
    # a first try without consent is refused, with the reason, and nothing is saved
    with phone.expect_navigation():
        phone.click("[data-testid=report-submit]")
    assert "请阅读并同意《个人信息处理告知》后再提交" in phone.content()
    assert not Case.objects.exists()
    phone.check("[name=consent]")
    with phone.expect_navigation():
        phone.click("[data-testid=report-submit]")

    # then the receipt shows the case number, and the case waits at 红旗街街道
    number = phone.locator("[data-testid=receipt-number]").inner_text().strip()
    case = Case.objects.get(number=number)
    assert (case.channel, case.owning_region_id, case.registered_by_id) == (Channel.ONLINE, tree.town_a2.pk, None)
    screenshot(phone, "public_receipt_390")

    # when the clerk opens 待受理 on a desktop and accepts it
    desk = make_page(DESKTOP)
    login(desk, clerk.username, PASSWORD)
    desk.goto("/cases/inbox/?box=to_accept")
    assert number in desk.content()
    desk.click(f"text={number}")
    assert desk.locator("[data-testid=channel]").inner_text().strip() == "网上"
    assert "群众(网上)" in desk.locator("[data-testid=timeline]").inner_text()
    panel = desk.locator("[data-testid=action-accept]")
    if not panel.evaluate("el => el.open"):
        panel.locator("summary").click()
    desk.fill("[name=accept-note]", "内部备注：先电话联系楼上住户")
    with desk.expect_navigation():
        desk.locator("form[action$='/accept/'] button[type=submit]").click()
    assert desk.locator("[data-testid=case-state]").inner_text().strip() == "已受理(待分流)"
    screenshot(desk, "public_case_detail_desktop")

    # then the resident's tracking page shows 已受理 and nothing internal
    phone.goto("/public/track/")
    phone.fill("[name=number]", number)
    phone.fill("[name=phone_tail]", "5678")
    with phone.expect_navigation():
        phone.click("[data-testid=track-submit]")
    assert phone.locator("[data-testid=track-status]").inner_text().strip() == "已受理"
    milestones = phone.locator("[data-testid=milestones]").inner_text()
    assert "已受理" in milestones and "已提交，等待受理" in milestones
    page = phone.content()
    for secret in ("李受理", clerk.username, "内部备注", "13812345678", "王五"):
        assert secret not in page, secret
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "public_track_390")

    # and a wrong phone gets only "not found"
    phone.goto("/public/track/")
    phone.fill("[name=number]", number)
    phone.fill("[name=phone_tail]", "0000")
    with phone.expect_navigation():
        phone.click("[data-testid=track-submit]")
    assert "未找到该案件" in phone.locator("[data-testid=not-found]").inner_text()
    assert not phone.locator("[data-testid=track-result]").count()

    # the pages at desktop width, for the record
    wide = make_page(DESKTOP)
    wide.goto("/public/report/")
    screenshot(wide, "public_report_desktop")
    wide.goto("/public/track/")
    wide.fill("[name=number]", number)
    wide.fill("[name=phone_tail]", "5678")
    with wide.expect_navigation():
        wide.click("[data-testid=track-submit]")
    screenshot(wide, "public_track_desktop")
