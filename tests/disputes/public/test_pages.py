"""The residents' pages at /public/: no sign-in, Chinese messages, rate limits, and nothing of
another case, a staff name or an internal note ever shown."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from disputes import services
from disputes.models import Case, CaseState, Channel, PublicRating
from governance.models import DepartmentKind
from tests.disputes.public.conftest import PHONE, TAIL
from tests.factories import CaseFactory, DepartmentFactory

REPORT = "/public/report/"
TRACK = "/public/track/"


def form_token(html: str) -> str:
    return re.search(r'name="submit_token" value="([^"]+)"', html).group(1)


def report_data(world, client: Client, **overrides) -> dict:
    data = {
        "submit_token": form_token(client.get(REPORT).content.decode()),
        "title": "楼上漏水", "category": world.category.pk, "narrative": "楼上卫生间漏水，多次协商未果。",
        "county": world.tree.county_a.pk, "township": world.tree.town_a1.pk, "village": world.tree.village_a1x.pk,
        "address": "某小区3号楼", "name": "王五", "phone": PHONE, "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def text(response) -> str:
    return response.content.decode()


def test_the_landing_page_leads_to_both_pages_without_sign_in(world, django_assert_max_num_queries):
    # /public/ is the address on posters; it answered 404 to a new user.
    client = Client()
    with django_assert_max_num_queries(0):
        response = client.get("/public/")
    page = text(response)
    assert response.status_code == 200
    assert 'href="/public/report/"' in page and 'href="/public/track/"' in page
    assert "无需注册或登录" in page and "110" in page
    assert "<style" not in page and "style=" not in page and "<script>" not in page  # the CSP
    assert client.post("/public/").status_code == 405


def test_the_form_needs_no_sign_in_and_offers_public_data_only(world, django_assert_max_num_queries):
    client = Client()
    with django_assert_max_num_queries(3):  # categories, counties (townships/villages only once picked)
        response = client.get(REPORT)
    assert response.status_code == 200
    page = text(response)
    assert "王益区" in page and "印台区" in page
    assert "个人信息处理告知" in page and 'name="consent"' in page
    assert world.clerk_a1.display_name not in page
    assert 'href="/public/"' in page  # the site name leads back to the landing page


def test_a_valid_submission_redirects_to_the_receipt_with_the_case_number(world):
    client = Client()
    response = client.post(REPORT, report_data(world, client), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.ONLINE and case.owning_region_id == world.tree.town_a1.pk
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert case.number in text(receipt) and "七一路街道综治中心" in text(receipt)
    # a receipt link that was not signed by us shows nothing
    assert client.get("/public/report/done/?r=forged").status_code == 404


@pytest.mark.parametrize(("change", "message"), [
    ({"consent": None}, "请阅读并同意《个人信息处理告知》后再提交"),
    ({"phone": "1381234"}, "联系电话格式不正确"),
    ({"village": None}, "请选择所在的村(社区)"),
])
def test_bad_submissions_get_a_chinese_message_on_the_field_and_save_nothing(world, change, message):
    client = Client()
    response = client.post(REPORT, report_data(world, client, **change))

    assert response.status_code == 400
    assert message in text(response) and "提交信息有误" in text(response)
    assert not Case.objects.exists()


def test_flooding_from_one_address_is_refused(world, settings):
    settings.PUBLIC_REPORT_RATE = "2/h"
    client = Client()
    codes = [client.post(REPORT, report_data(world, client, title=f"事项{i}"), REMOTE_ADDR="198.51.100.4").status_code
             for i in range(3)]
    assert codes == [302, 302, 429]
    assert Case.objects.count() == 2
    # another address is not held back
    assert client.post(REPORT, report_data(world, client), REMOTE_ADDR="198.51.100.5").status_code == 302


def test_the_no_script_refresh_fills_the_region_selects_without_errors(world):
    client = Client()
    response = client.post(REPORT, {"refresh": "1", "county": world.tree.county_a.pk,
                                    "township": world.tree.town_a1.pk})
    assert response.status_code == 200
    assert "云梦堤社区" in text(response) and "城关社区" not in text(response)
    assert "提交信息有误" not in text(response) and not Case.objects.exists()


def test_region_options_follow_the_parent(world):
    client = Client()
    townships = text(client.get("/public/report/regions/", {"county": world.tree.county_a.pk}))
    assert "七一路街道" in townships and "城关街道" not in townships and 'hx-swap-oob' in townships
    villages = text(client.get("/public/report/regions/", {"township": world.tree.town_b1.pk}))
    assert "城关社区" in villages and "云梦堤社区" not in villages
    assert client.get("/public/report/regions/", {"township": "x"}).status_code == 200


# --- tracking ---------------------------------------------------------------------------------------


def track(client: Client, number: str, tail: str = TAIL, addr: str = "203.0.113.7"):
    return client.post(TRACK, {"number": number, "phone_tail": tail}, REMOTE_ADDR=addr)


def test_the_tracking_page_shows_public_milestones_and_nothing_internal(world, django_assert_max_num_queries):
    case = world.submit()
    department = DepartmentFactory(region=world.tree.town_a1, name="七一路街道司法所", kind=DepartmentKind.JUSTICE)
    services.case_accept(actor=world.clerk_a1, case_id=case.pk, note="内部：当事人情绪激动")
    services.case_dispatch(actor=world.clerk_a1, case_id=case.pk, department_id=department.pk,
                           instructions="内部交办意见")
    client = Client()

    with django_assert_max_num_queries(3):
        response = track(client, case.number)

    page = text(response)
    assert response.status_code == 200
    assert "已受理" in page and "已交办承办单位办理" in page and "办理中" in page
    for secret in ("内部：当事人情绪激动", "内部交办意见", world.clerk_a1.display_name, world.clerk_a1.username,
                   "七一路街道司法所", "王五", PHONE, "楼上卫生间漏水"):
        assert secret not in page, secret


def test_a_wrong_number_and_a_wrong_phone_get_the_same_answer(world):
    case = world.submit()
    walk_in = CaseFactory(village=world.tree.village_a1x, registered_by=world.clerk_a1)
    client = Client()

    answers = [track(client, case.number, "0000"), track(client, case.number[:-1] + "9"),
               track(client, walk_in.number), track(client, "ABC")]

    # the form answered, with one message in it: 200, not the 404 of a missing page
    assert {r.status_code for r in answers} == {200}
    bodies = {re.sub(r'value="[^"]*"|hx-headers=\'[^\']*\'', "", text(r)).replace(case.number, "").replace(walk_in.number, "")
              .replace("ABC", "").replace(case.number[:-1] + "9", "").replace(TAIL, "").replace("0000", "")
              for r in answers}
    assert len(bodies) == 1
    assert "未找到该案件" in answers[0].content.decode()


def test_a_malformed_tail_is_a_form_message(world):
    response = track(Client(), "610202001202612020001", "12")
    assert response.status_code == 400 and "后4位数字" in text(response)


def test_lookups_are_rate_limited_per_address(world, settings):
    settings.PUBLIC_TRACK_RATE = "3/h"
    case = world.submit()
    client = Client()
    codes = [track(client, case.number).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "操作过于频繁" in text(track(client, case.number))


def test_guessing_one_cases_digits_from_many_addresses_stops(world, settings):
    settings.PUBLIC_TRACK_NUMBER_RATE = "3/h"
    case = world.submit()
    client = Client()
    codes = [track(client, case.number, f"{i:04d}", addr=f"198.51.100.{i}").status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    # even the right digits wait until the window passes
    assert track(client, case.number, addr="192.0.2.1").status_code == 429


def test_after_resolution_the_resident_rates_once(world):
    case = world.submit()
    services.case_accept(actor=world.clerk_a1, case_id=case.pk)
    services.case_handle(actor=world.clerk_a1, case_id=case.pk)
    services.case_resolve(actor=world.clerk_a1, case_id=case.pk, note="内部办结说明")
    client = Client()
    page = text(track(client, case.number))
    assert "已办结" in page and "内部办结说明" not in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)

    rated = client.post("/public/track/rate/", {"token": token, "level": "basic", "comment": "基本解决"})

    assert rated.status_code == 200 and "感谢您的评价" in text(rated) and "基本满意" in text(rated)
    assert PublicRating.objects.get(case=case).level == "basic"
    assert 'name="token"' not in text(rated)
    again = client.post("/public/track/rate/", {"token": token, "level": "satisfied"})
    assert again.status_code == 409 and "已评价" in text(again)
    forged = client.post("/public/track/rate/", {"token": token[:-2] + "xx", "level": "satisfied"})
    assert forged.status_code == 400 and "重新查询" in text(forged)
    assert PublicRating.objects.count() == 1


def test_a_rejection_shows_the_referral(world):
    case = world.submit()
    services.case_reject(actor=world.clerk_a1, case_id=case.pk, reason="内部理由：属劳动仲裁",
                         referral="请向区劳动人事争议仲裁院申请仲裁")
    page = text(track(Client(), case.number))
    assert "不予受理" in page and "请向区劳动人事争议仲裁院申请仲裁" in page and "内部理由" not in page
    assert Case.objects.get().state == CaseState.REJECTED


# --- the staff side ---------------------------------------------------------------------------------


def staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_township_clerk_finds_it_waiting_for_acceptance(world):
    case = world.submit()
    inbox = text(staff(world.clerk_a1).get("/cases/inbox/", {"box": "to_accept"}))
    assert case.number in inbox
    assert case.number not in text(staff(world.clerk_b1).get("/cases/inbox/", {"box": "to_accept"}))
    assert staff(world.clerk_b1).get(f"/cases/{case.pk}/").status_code == 404


def test_the_detail_page_shows_the_consent_the_rating_and_who_submitted(world, django_assert_max_num_queries):
    case = world.submit()
    services.case_accept(actor=world.clerk_a1, case_id=case.pk)
    services.case_handle(actor=world.clerk_a1, case_id=case.pk)
    services.case_resolve(actor=world.clerk_a1, case_id=case.pk, note="已解决")
    services.case_rate_public(case_id=case.pk, level="unsatisfied", comment="仍有异味")
    client = staff(world.clerk_a1)
    client.get(f"/cases/{case.pk}/")  # warm the session and the user

    with CaptureQueriesContext(connection) as queries:
        page = text(client.get(f"/cases/{case.pk}/"))

    assert "群众网上提交" in page and "不满意" in page and "仍有异味" in page and "群众(网上)" in page
    assert "网上" in page
    # an online case costs two queries more than a walk-in one: the submission, the rating
    walk_in = CaseFactory(village=world.tree.village_a1x, registered_by=world.clerk_a1, category=world.category)
    with CaptureQueriesContext(connection) as walk_in_queries:
        client.get(f"/cases/{walk_in.pk}/")
    assert len(queries) <= len(walk_in_queries) + 2 + 2  # + the events and parties this case has


@pytest.mark.parametrize(("path", "data"), [
    ("/public/report/regions/", {"county": str(10**30)}),
    ("/public/report/regions/", {"township": "-1"}),
])
def test_odd_region_ids_answer_an_empty_list(world, path, data):
    response = Client().get(path, data)
    assert response.status_code == 200 and "<option" in text(response)


def test_odd_posts_never_fail(world):
    client = Client()
    odd = [
        (REPORT, {"refresh": "1", "county": str(10**30), "village": str(10**30)}, 200),
        (REPORT, report_data(world, client, category="abc", village=str(10**30), county=str(10**30)), 400),
        (REPORT, {}, 400),
        (TRACK, {"number": "６１０２０２<script>", "phone_tail": "5678"}, 200),
        (TRACK, {}, 400),
        ("/public/track/rate/", {}, 400),
    ]
    for path, data, status in odd:
        assert client.post(path, data).status_code == status, (path, data)
    assert client.get("/public/track/rate/").status_code == 405
    assert not Case.objects.exists()


def test_the_pages_speak_english_too(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    page = text(client.get(REPORT))
    assert "Report a dispute online" in page and "Notice on the Processing of Personal Information" in page
    assert "Case not found" in text(track(client, "123", "0000"))
