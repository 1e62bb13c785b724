"""Journeys (issue 10) in a real browser.

1. The whole loop: a resident submits online and gets a number; the township accepts and
   dispatches to a lead unit (司法所) and an assisting unit (派出所); both sign and the
   assisting unit reports; the lead resolves; the resident looks up the result and rates it;
   the clerk calls back; the case is archived — the timeline checked step by step.
2. 诉调对接: an agreement is sent to the court for 司法确认 and comes back confirmed.
"""
import datetime as dt

import pytest
from django.core.cache import cache

from disputes import services
from disputes.models import Case, CaseState, Category, MediationOrganisation, OrganisationKind, Referral
from governance import clock
from governance.models import DepartmentKind, Role
from tests.disputes.services.conftest import ID_A
from tests.e2e.conftest import DESKTOP, PHONE, login
from tests.e2e.test_case_journey import act, state_label
from tests.factories import PASSWORD, DepartmentFactory, RegionTree, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def timeline_actions(case: Case) -> list[str]:
    return list(case.events.order_by("id").values_list("action", flat=True))


def track(page, number: str, tail: str) -> None:
    page.goto("/public/track/")
    page.fill("[name=number]", number)
    page.fill("[name=phone_tail]", tail)
    with page.expect_navigation():
        page.click("[data-testid=track-submit]")


def test_online_submission_to_archive_with_a_lead_and_an_assisting_unit(make_page, reference_data):
    cache.clear()
    tree = RegionTree()
    sfs = DepartmentFactory(region=tree.town_a2, name="红旗街街道司法所", kind=DepartmentKind.JUSTICE)
    police = DepartmentFactory(region=tree.town_a2, name="红旗街派出所", kind=DepartmentKind.POLICE)
    clerk = UserFactory(username="loop_clerk", role=Role.WINDOW_STAFF, region=tree.town_a2)
    lead = UserFactory(username="loop_sfs", role=Role.HANDLER, region=tree.town_a2, department=sfs)
    officer = UserFactory(username="loop_police", role=Role.HANDLER, region=tree.town_a2, department=police)
    neighbour = Category.objects.get(name="邻里纠纷")

    # a resident submits on a phone and gets the number
    phone = make_page(PHONE)
    phone.goto("/public/report/")
    phone.fill("[name=title]", "邻居装修噪音扰民")
    phone.select_option("[name=category]", str(neighbour.pk))
    phone.fill("[name=narrative]", "楼上装修每天早上七点开工，多次沟通无果。")
    phone.select_option("[name=county]", str(tree.county_a.pk))
    phone.wait_for_selector(f"#id_township option[value='{tree.town_a2.pk}']", state="attached")
    phone.select_option("[name=township]", str(tree.town_a2.pk))
    phone.wait_for_selector(f"#id_village option[value='{tree.village_a2x.pk}']", state="attached")
    phone.select_option("[name=village]", str(tree.village_a2x.pk))
    phone.fill("[name=name]", "赵六")
    phone.fill("[name=phone]", "13912345678")
    phone.check("[name=consent]")
    with phone.expect_navigation():
        phone.click("[data-testid=report-submit]")
    number = phone.locator("[data-testid=receipt-number]").inner_text().strip()
    case = Case.objects.get(number=number)
    assert timeline_actions(case) == ["register"]

    # the clerk accepts and dispatches to 司法所 with 派出所 assisting
    desk = make_page(DESKTOP)
    login(desk, clerk.username, PASSWORD)
    desk.goto(f"/cases/{case.pk}/")
    act(desk, "accept")
    panel = desk.locator("[data-testid=action-dispatch]")
    if not panel.evaluate("el => el.open"):
        panel.locator("summary").click()
    form = desk.locator("form[action$='/dispatch/']")
    form.locator("[name=dispatch-department]").select_option(str(sfs.pk))
    form.locator("[name=dispatch-assist_departments]").select_option([str(police.pk)])
    form.locator("[name=dispatch-instructions]").fill("请司法所牵头、派出所协助调处")
    with desk.expect_navigation():
        form.locator("button[type=submit]").click()
    assert state_label(desk) == "已交办(待签收)"
    assert timeline_actions(case) == ["register", "accept", "dispatch"]
    roles = desk.locator("[data-testid=assignment-role]").all_inner_texts()
    assert [r.strip() for r in roles] == ["牵头单位", "协办单位"]

    # both units sign; the assisting unit reports; the lead resolves
    police_page = make_page(DESKTOP)
    login(police_page, officer.username, PASSWORD)
    police_page.goto(f"/cases/{case.pk}/")
    act(police_page, "assist_sign")
    sfs_page = make_page(DESKTOP)
    login(sfs_page, lead.username, PASSWORD)
    sfs_page.goto(f"/cases/{case.pk}/")
    act(sfs_page, "sign")
    assert state_label(sfs_page) == "办理中"
    # before the assisting unit reports, the lead cannot resolve: the page says why
    act(sfs_page, "resolve", fields={"note": "双方达成一致"})
    assert "尚未反馈" in sfs_page.content() and state_label(sfs_page) == "办理中"
    police_page.goto(f"/cases/{case.pk}/")
    act(police_page, "assist_report", fields={"note": "已到场劝导，施工方承诺九点后开工"})
    sfs_page.goto(f"/cases/{case.pk}/")
    act(sfs_page, "resolve", fields={"note": "双方达成一致：每天九点后施工"})
    assert state_label(sfs_page) == "已办结(待回访)"
    assert timeline_actions(case) == ["register", "accept", "dispatch", "assist_sign", "sign", "assist_report",
                                      "resolve"]

    # the resident sees the result and rates it
    track(phone, number, "5678")
    assert phone.locator("[data-testid=track-status]").inner_text().strip() == "已办结"
    phone.locator("[name=level][value=satisfied]").check()
    with phone.expect_navigation():
        phone.click("[data-testid=rating-submit]")
    assert phone.locator("[data-testid=rated]").count() == 1
    for secret in ("loop_sfs", "loop_police", "九点后开工", "13912345678"):
        assert secret not in phone.content(), secret

    # the clerk calls back, satisfied: the case is archived
    desk.goto(f"/cases/{case.pk}/")
    act(desk, "callback", fields={"note": "电话回访，当事人满意"})
    assert state_label(desk) == "已归档"
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert timeline_actions(case)[-2:] == ["public_rating", "callback"]


def test_an_agreement_goes_for_judicial_confirmation_and_comes_back_confirmed(make_page, reference_data):
    tree = RegionTree()
    committee = MediationOrganisation.objects.create(name="红旗社区人民调解委员会", region=tree.village_a2x,
                                                     kind=OrganisationKind.PEOPLES_COMMITTEE)
    court = MediationOrganisation.objects.create(name="王益区人民法院", region=tree.county_a, kind=OrganisationKind.COURT)
    clerk = UserFactory(username="court_clerk", role=Role.WINDOW_STAFF, region=tree.town_a2)
    neighbour = Category.objects.get(name="邻里纠纷")

    case = services.case_register(actor=clerk, data=services.CaseInput(
        title="宅基地边界纠纷", narrative="两户对院墙位置有争议。", category_id=neighbour.pk, channel="visit",
        occurred_at=clock.now() - dt.timedelta(hours=2), village_id=tree.village_a2x.pk),
        parties=[services.PartyInput(role="applicant", kind="person", name="孙七", id_number=ID_A)])
    services.case_accept(actor=clerk, case_id=case.pk)
    services.case_handle(actor=clerk, case_id=case.pk, note="先行调解")

    page = make_page(DESKTOP)
    login(page, clerk.username, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    # the center records the agreement, sealed by the village committee
    panel = page.locator("[data-testid=action-mediation]")
    panel.locator("summary").click()
    form = page.locator("form[action$='/mediation/']")
    form.locator("[name=mediation-mediators]").fill("钱调解员")
    form.locator("[name=mediation-outcome]").select_option("agreement")
    form.locator("[name=mediation-mediated_by]").select_option(str(committee.pk))
    form.locator("[name=mediation-agreement_content]").fill("院墙以现状为界，孙七补偿邻居800元。")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    mediation = case.mediations.get()
    assert mediation.mediated_by == committee
    # and applies to the court for 司法确认 from the agreement
    confirm = page.locator(f"[data-testid=confirm-{mediation.pk}]")
    confirm.locator("summary").click()
    confirm.locator("[name=confirm_request-organisation]").select_option(str(court.pk))
    with page.expect_navigation():
        confirm.locator("button[type=submit]").click()
    referral = Referral.objects.get(case=case)
    assert (referral.kind, referral.status, referral.organisation) == ("judicial_confirmation", "open", court)
    assert "申请司法确认" in page.locator("[data-testid=referrals]").inner_text()
    # the court's ruling comes back: confirmed
    form = page.locator("[data-testid=action-referral_result]")
    form.locator("[name=referral_result-outcome]").select_option("confirmed")
    form.locator("[name=referral_result-note]").fill("（2026）陕0202民特12号裁定确认有效")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator("[data-testid=referral-status]").inner_text().strip() == "已确认有效"
    actions = list(case.events.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["mediation", "confirm_request", "referral_result"]
