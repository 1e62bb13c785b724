"""Journey (issue 3): one case through the whole closed loop in a real browser.

The township clerk logs a walk-in dispute with two parties and dispatches it to 司法所; the
司法所 handler signs, records a mediation that reached an agreement, prints the 调解协议书
and resolves; the clerk records a satisfied callback and the case is archived. Each step
must show up in the case's timeline.
"""
import pytest

from disputes.models import Case, CaseEvent, CaseState, Category
from disputes.parties import ric_check_digit
from governance.models import DepartmentKind, Role
from tests.e2e.conftest import login
from tests.factories import PASSWORD, DepartmentFactory, GridFactory, RegionTree, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def id_number(first17: str) -> str:
    return first17 + ric_check_digit(first17)


def act(page, action: str, fields: dict[str, str] | None = None, selects: dict[str, str] | None = None) -> None:
    """Open the action's panel on the detail page, fill it, submit, wait for the reload."""
    panel = page.locator(f"[data-testid=action-{action}]")
    if panel.evaluate("el => el.tagName") == "DETAILS" and not panel.evaluate("el => el.open"):
        panel.locator("summary").click()
    form = page.locator(f"form[action$='/{action}/']")
    # Action forms carry the action as their field prefix ("dispatch-department").
    prefix = f"{action}-"
    for name, value in (fields or {}).items():
        form.locator(f"[name={prefix}{name}]").fill(value)
    for name, value in (selects or {}).items():
        form.locator(f"[name={prefix}{name}]").select_option(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def state_label(page) -> str:
    return page.locator("[data-testid=case-state]").inner_text().strip()


def test_township_intake_to_archive(make_page, reference_data):
    # given a township with its 司法所, a clerk and a 司法所 handler
    tree = RegionTree()
    GridFactory(region=tree.village_a2x, name="红旗社区第1网格")
    sfs = DepartmentFactory(region=tree.town_a2, name="红旗街街道司法所", kind=DepartmentKind.JUSTICE)
    clerk = UserFactory(username="e2e_clerk", role=Role.WINDOW_STAFF, region=tree.town_a2)
    handler = UserFactory(username="e2e_sfs", role=Role.HANDLER, region=tree.town_a2, department=sfs)
    neighbour = Category.objects.get(name="邻里纠纷")

    # when the clerk logs the walk-in case with two parties
    page = make_page()
    login(page, clerk.username, PASSWORD)
    page.goto("/cases/new/")
    page.fill("[name=title]", "张某与李某排水纠纷")
    page.select_option("[name=category]", str(neighbour.pk))
    page.fill("[name=narrative]", "两户相邻，李某新修排水沟致张某院墙渗水，双方多次争执。")
    page.fill("[name=parties-0-name]", "张某")
    page.fill("[name=parties-0-id_number]", id_number("61020219800101123"))
    page.fill("[name=parties-0-phone]", "13800138000")
    page.click("[data-testid=add-party]")
    page.select_option("[name=parties-1-role]", "respondent")
    page.fill("[name=parties-1-name]", "李某")
    page.fill("[name=parties-1-id_number]", id_number("61020219850505234"))
    with page.expect_navigation():
        page.click("[data-testid=intake-submit]")

    # then the case exists with both parties, stored masked on screen
    case = Case.objects.get(title="张某与李某排水纠纷")
    assert case.parties.count() == 2
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert state_label(page) == "已登记"
    assert "6102**********" in page.content() and "610202198001011" not in page.content()

    # when the clerk accepts and dispatches it to 司法所
    act(page, "accept")
    assert state_label(page) == "已受理(待分流)"
    act(page, "dispatch", fields={"instructions": "请司法所组织调解"}, selects={"department": str(sfs.pk)})
    assert state_label(page) == "已交办(待签收)"

    # and the handler signs, mediates to an agreement, prints it and resolves
    handler_page = make_page()
    login(handler_page, handler.username, PASSWORD)
    handler_page.goto(f"/cases/{case.pk}/")
    act(handler_page, "sign")
    assert state_label(handler_page) == "办理中"
    act(handler_page, "mediation", fields={
        "mediators": "王调解员",
        "facts": "李某排水沟位置不当致张某院墙渗水，李某负主要责任。",
        "agreement_content": "李某于十日内改造排水沟并赔偿修缮费800元。",
        "performance": "现金一次性支付，2026年12月10日前履行完毕。",
    }, selects={"outcome": "agreement"})
    pdf_link = handler_page.locator("[data-testid=agreement-pdf]")
    pdf = handler_page.request.get(pdf_link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    act(handler_page, "resolve", fields={"note": "双方已签署调解协议，排水沟已改造。"})
    assert state_label(handler_page) == "已办结(待回访)"

    # and the clerk records a satisfied callback
    page.goto(f"/cases/{case.pk}/")
    act(page, "callback", fields={"note": "回访张某，对处理结果满意。"})

    # then the case is archived and every step is on the timeline, in order
    assert state_label(page) == "已归档"
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    actions = list(CaseEvent.objects.filter(case=case).order_by("created_at", "id").values_list("action", flat=True))
    assert actions == ["register", "accept", "dispatch", "sign", "mediation", "resolve", "callback"]
    assert page.locator("[data-testid=timeline] [data-testid=event]").count() == len(actions)
