"""Case detail: header, masked parties with audited reveal, timeline, only the actions the
user may take now, and a constant query count."""
from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes import services
from disputes.models import Case, WarningLevel
from governance.models import AuditLog
from tests.disputes.views.conftest import ID_ZHANG, PHONE_ZHANG, client_for


def detail(client, case):
    return client.get(reverse("disputes:detail", args=[case.pk]))


def rendered_actions(response) -> set[str]:
    return set(re.findall(r'data-testid="action-([a-z_]+)"', response.content.decode()))


def test_header_shows_number_state_center_due_date_and_masked_parties(people):
    case = people.register()
    Case.objects.filter(pk=case.pk).update(due_provisional=True, warning_level=WarningLevel.RED)
    response = detail(client_for(people.clerk_a1), case)
    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html
    assert "已登记" in html
    assert people.tree.town_a1.name in html
    assert "期限待定：跨越尚未公布的节假日安排" in html
    assert 'data-testid="card-red"' in html
    assert ID_ZHANG not in html and PHONE_ZHANG not in html
    assert ID_ZHANG[-4:] in html  # masked number keeps the last four


def test_the_heading_sets_the_number_apart_from_the_title(people):
    # A new user read "TC20261207…宅基地纠纷" as one word: the number is a muted badge now.
    case = people.register()
    html = detail(client_for(people.clerk_a1), case).content.decode()
    number = re.search(r'<span class="([^"]*)" data-testid="case-number">([^<]*)</span>'
                       r'<span class="app-case-title" data-testid="case-title">([^<]*)</span>', html)
    assert number is not None
    assert {"badge", "text-secondary", "app-case-number"} <= set(number.group(1).split())
    assert (number.group(2), number.group(3)) == (case.number, case.title)


def test_out_of_jurisdiction_detail_is_404(people):
    case = people.register()
    assert detail(client_for(people.clerk_b1), case).status_code == 404
    assert detail(client_for(people.dispatcher_b), case).status_code == 404
    assert client_for(people.clerk_a1).get(reverse("disputes:detail", args=[999999])).status_code == 404


def test_only_allowed_actions_are_rendered_per_role(people):
    case = people.register()
    # the owning township clerk may accept or reject a registered case
    clerk = rendered_actions(detail(client_for(people.clerk_a1), case))
    assert {"accept", "reject"} <= clerk
    assert not clerk & {"sign", "return", "resolve", "supervise", "instruct", "dispatch"}
    # the county dispatcher supervises and urges, but does not accept for the township
    county = rendered_actions(detail(client_for(people.dispatcher_a), case))
    assert {"supervise", "urge"} <= county
    assert not county & {"accept", "reject", "sign"}
    # the county leader may instruct and mark urgent
    leader = rendered_actions(detail(client_for(people.leader_a), case))
    assert {"instruct", "urgent"} <= leader and "accept" not in leader
    # a department handler has nothing to do before the case is dispatched to it
    handler_page = detail(client_for(people.handler_a1), case)
    assert rendered_actions(handler_page) == set()
    assert 'data-testid="no-actions"' in handler_page.content.decode()


def test_after_dispatch_the_handler_may_sign_or_return_and_the_clerk_may_not(people):
    case = people.register()
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    services.case_dispatch(actor=people.clerk_a1, case_id=case.pk, department_id=people.department_a1.pk)
    handler = rendered_actions(detail(client_for(people.handler_a1), case))
    assert {"sign", "return"} <= handler
    clerk = rendered_actions(detail(client_for(people.clerk_a1), case))
    assert not clerk & {"sign", "return", "accept"}


def test_reveal_shows_the_full_number_and_is_audited(people):
    case = people.register()
    party = case.parties.order_by("id").first()
    url = reverse("disputes:party_reveal", args=[case.pk, party.pk, "id_number"])
    client = client_for(people.clerk_a1)
    assert 'data-testid="reveal-id_number"' in detail(client, case).content.decode()
    # when the owning clerk asks for the full number (htmx)
    response = client.post(url, HTTP_HX_REQUEST="true")
    # then the number is shown and the view is audited
    assert response.status_code == 200
    assert ID_ZHANG in response.content.decode()
    assert "<html" not in response.content.decode()
    log = AuditLog.objects.get(action="party.reveal")
    assert log.actor_id == people.clerk_a1.pk and log.target_id == str(party.pk)
    # without htmx it is a page of its own
    page = client.post(reverse("disputes:party_reveal", args=[case.pk, party.pk, "phone"]))
    assert PHONE_ZHANG in page.content.decode() and "<html" in page.content.decode()


def test_reveal_is_refused_to_roles_that_do_not_need_it(people):
    case = people.register()
    party = case.parties.first()
    url = reverse("disputes:party_reveal", args=[case.pk, party.pk, "id_number"])
    leader = client_for(people.leader_a)
    assert "reveal-id_number" not in detail(leader, case).content.decode()
    assert leader.post(url).status_code == 403
    assert client_for(people.clerk_b1).post(url).status_code == 404
    assert not AuditLog.objects.filter(action="party.reveal").exists()


def test_reveal_needs_post(people):
    case = people.register()
    party = case.parties.first()
    url = reverse("disputes:party_reveal", args=[case.pk, party.pk, "id_number"])
    assert client_for(people.clerk_a1).get(url).status_code == 405


def test_query_count_is_constant_for_2_and_10_events(people):
    case = people.register()  # one "register" event
    people.add_events(case, 1)
    client = client_for(people.clerk_a1)
    detail(client, case)
    with CaptureQueriesContext(connection) as two:
        first = detail(client, case)
    people.add_events(case, 8)
    with CaptureQueriesContext(connection) as ten:
        second = detail(client, case)
    assert len(first.context["timeline"]) == 2 and len(second.context["timeline"]) == 10
    assert len(two) == len(ten)


def test_sections_without_rows_cost_no_query_and_present_ones_are_shown(people):
    case = people.register()
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    client = client_for(people.clerk_a1)
    detail(client, case)
    with CaptureQueriesContext(connection) as bare:
        detail(client, case)
    # given a supervision and a mediation on the case
    services.case_supervise(actor=people.dispatcher_a, case_id=case.pk, level="yellow", note="抓紧办理")
    services.mediation_record(actor=people.clerk_a1, case_id=case.pk, data=services.MediationInput(
        mediators="王调解员", held_at=case.created_at))
    with CaptureQueriesContext(connection) as with_two:
        body = detail(client, case).content.decode()
    assert 'data-testid="mediation"' in body and "王调解员" in body and "抓紧办理" in body
    # one query for each section that has rows, none for the empty ones
    tables = [q["sql"] for q in bare.captured_queries]
    assert not any(t.startswith(('SELECT "disputes_mediation"', 'SELECT "disputes_supervision"')) for t in tables)
    assert len(with_two) == len(bare) + 2


def test_action_labels_read_as_actions_in_english(people, settings):
    case = people.register()
    client = client_for(people.clerk_a1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = detail(client, case).content.decode()
    # 不予受理 is both a state ("Rejected") and an action ("Reject"): the button is the action
    assert re.search(r'data-testid="action-reject"[^>]*>\s*<summary[^>]*>Reject</summary>', body)
    assert "Confirm: Accept" in body


def test_the_deadline_card_and_the_supervision_level_look_different(people):
    # given a case on a yellow deadline card that is also under yellow 督办
    case = people.register()
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    Case.objects.filter(pk=case.pk).update(warning_level=WarningLevel.YELLOW)
    services.case_supervise(actor=people.dispatcher_a, case_id=case.pk, level="yellow", note="抓紧办理")
    html = detail(client_for(people.clerk_a1), case).content.decode()
    # then both keep the word 黄牌, but the card is a solid card badge and the 督办 an outlined flag
    card = re.search(r'<span class="([^"]*)" title="([^"]*)" data-testid="card-yellow">([^<]*)</span>', html)
    assert card and "app-card" in card.group(1) and "bg-yellow" in card.group(1)
    assert card.group(2) == "期限预警：即将到期" and card.group(3) == "黄牌"
    supervision = re.search(r'<span class="([^"]*)" title="督办等级" data-testid="supervision-yellow">(.*?)</span>', html)
    assert supervision and "app-supervision" in supervision.group(1) and "bg-yellow" not in supervision.group(1)
    assert supervision.group(2).endswith("黄牌督办") and "app-flag" in supervision.group(2)
