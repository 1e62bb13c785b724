"""Journey (issue 10): the window clerk logs a case with the parties' legal details and a photo,
prints the 受理回执 for the visitor, and meets the error pages in the layout; the handler's
inbox shows only the handler's tabs. Screenshots at phone and desktop width land in
var/screenshots/ (docs10-*.png)."""
import pytest

from disputes import services
from disputes.models import Attachment, Case, CaseParty, Category, WarningLevel
from disputes.parties import ric_check_digit
from governance.models import DepartmentKind, Role
from tests.e2e.conftest import DESKTOP, PHONE, assert_styles_loaded, login, screenshot
from tests.factories import PASSWORD, DepartmentFactory, RegionTree, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200


def id_number(first17: str) -> str:
    return first17 + ric_check_digit(first17)


def test_intake_with_legal_details_receipt_and_error_pages(make_page, reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tree = RegionTree()
    sfs = DepartmentFactory(region=tree.town_a1, name="七一路街道司法所", kind=DepartmentKind.JUSTICE)
    clerk = UserFactory(username="e2e_doc_clerk", role=Role.WINDOW_STAFF, region=tree.town_a1)
    handler = UserFactory(username="e2e_doc_sfs", role=Role.HANDLER, region=tree.town_a1, department=sfs)
    dispatcher = UserFactory(username="e2e_doc_dispatcher", role=Role.DISPATCHER, region=tree.county_a)
    neighbour = Category.objects.get(name="邻里纠纷")

    # when the clerk logs a case: a person with 民族 and occupation, an organisation with its
    # legal representative (the organisation's row shows only its own fields), and a photo
    page = make_page(DESKTOP)
    login(page, clerk.username, PASSWORD)
    page.goto("/cases/new/")
    assert page.locator("[name=parties-1-legal_representative]").is_hidden()
    page.fill("[name=title]", "楼上漏水纠纷")
    page.select_option("[name=category]", str(neighbour.pk))
    page.select_option("[name=village]", str(tree.village_a1x.pk))
    page.fill("[name=narrative]", "楼上卫生间漏水，双方就维修费用发生争执。")
    page.fill("[name=parties-0-name]", "张三")
    page.fill("[name=parties-0-id_number]", id_number("61020219800101123"))
    page.select_option("[name=parties-0-ethnicity]", "回族")
    page.fill("[name=parties-0-occupation]", "教师")
    page.select_option("[name=parties-1-kind]", "organisation")
    assert page.locator("[name=parties-1-legal_representative]").is_visible()
    assert page.locator("[name=parties-1-ethnicity]").is_hidden()
    page.fill("[name=parties-1-name]", "铜川市宏达物业服务有限公司")
    page.fill("[name=parties-1-legal_representative]", "王五")
    page.set_input_files("[name=attachments]", files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}])
    screenshot(page, "docs10-intake-desktop")
    with page.expect_navigation():
        page.click("[data-testid=intake-submit]")

    # then the case keeps the details and the photo, and the page shows them
    case = Case.objects.get(title="楼上漏水纠纷")
    zhang, company = CaseParty.objects.filter(case=case).order_by("id")
    assert (zhang.gender, zhang.ethnicity, zhang.occupation) == ("male", "回族", "教师")
    assert (company.kind, company.legal_representative) == ("organisation", "王五")
    assert Attachment.objects.get(case=case).original_name == "现场照片.png"
    details = page.locator("[data-testid=party-details]").all_inner_texts()
    assert "回族" in details[0] and "1980-01-01" in details[0] and "王五" in details[1]
    assert_styles_loaded(page)
    screenshot(page, "docs10-detail-desktop")

    # when the clerk opens the receipt from the case page
    with page.expect_popup() as popup:
        page.click("[data-testid=doc-receipt]")
    receipt = popup.value
    receipt.wait_for_load_state("load")
    assert case.number in receipt.content() and "/public/track/" in receipt.content()
    pdf = receipt.request.get(receipt.locator("[data-testid=pdf-link]").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    screenshot(receipt, "docs10-receipt-desktop")
    phone = make_page(PHONE)
    login(phone, clerk.username, PASSWORD)
    phone.goto(f"/cases/{case.pk}/receipt/")
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, "docs10-receipt-phone")
    phone.goto(f"/cases/{case.pk}/")
    screenshot(phone, "docs10-detail-phone")

    # and when the clerk opens the dispatch dashboard, the refusal says why, in the layout
    response = phone.goto("/cases/dashboard/")
    assert response.status == 403
    assert "调度大屏仅供调度员和领导使用" in phone.locator("[data-testid=error-message]").inner_text()
    assert phone.locator("[data-testid=jurisdiction]").is_visible() or phone.locator(".navbar-toggler").is_visible()
    assert_styles_loaded(phone)
    screenshot(phone, "docs10-403-phone")
    assert page.goto("/cases/dashboard/").status == 403
    screenshot(page, "docs10-403-desktop")
    assert page.goto("/no-such-page/").status == 404
    screenshot(page, "docs10-404-desktop")
    # and the favicon is the app's own
    assert page.request.get("/favicon.ico").ok
    assert page.locator("link[rel=icon]").get_attribute("href") == "/static/favicon.svg"

    # a yellow deadline card and a yellow 督办 on one case keep their words but look different
    services.case_accept(actor=clerk, case_id=case.pk)
    Case.objects.filter(pk=case.pk).update(warning_level=WarningLevel.YELLOW)
    services.case_supervise(actor=dispatcher, case_id=case.pk, level="yellow", note="请抓紧办理")
    page.goto(f"/cases/{case.pk}/")
    card = page.locator("[data-testid=card-yellow]")
    supervision = page.locator("[data-testid=supervision-yellow]")
    assert card.inner_text().strip() == "黄牌" and supervision.inner_text().strip() == "黄牌督办"
    style = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).borderTopStyle]"
    card_background, _ = card.evaluate(style)
    supervision_background, supervision_border = supervision.evaluate(style)
    assert card_background != supervision_background and supervision_border == "solid"
    screenshot(page, "docs10-cards-desktop")

    # the handler's inbox shows the handler's tabs only
    handler_page = make_page(PHONE)
    login(handler_page, handler.username, PASSWORD)
    handler_page.goto("/cases/inbox/")
    tabs = handler_page.locator("[data-testid^=tab-]").evaluate_all("els => els.map(e => e.dataset.testid)")
    assert tabs == ["tab-to_sign", "tab-in_progress", "tab-overdue"]
    screenshot(handler_page, "docs10-inbox-handler-phone")
