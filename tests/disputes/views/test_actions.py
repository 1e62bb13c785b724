"""Action forms: POST /cases/<id>/<action>/ → one service → message → back to the case."""
from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from disputes import services
from disputes.models import Case, CaseEvent, CaseState
from tests.disputes.views.conftest import client_for


def action_url(case, action: str) -> str:
    return reverse("disputes:action", args=[case.pk, action])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_accept_moves_the_case_and_writes_one_event(people):
    case = people.register()
    client = client_for(people.clerk_a1)
    response = client.post(action_url(case, "accept"), {"accept-version": case.version, "accept-note": "属于受理范围"})
    assert response.status_code == 302
    assert response["Location"] == reverse("disputes:detail", args=[case.pk])
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    assert any("受理" in m for m in messages_of(response))


def test_stale_version_shows_the_refresh_message_and_changes_nothing(people):
    case = people.register()
    seen_version = case.version
    # someone else accepts the case first
    services.case_accept(actor=people.clerk_a1, case_id=case.pk, version=seen_version)
    # when the clerk submits the reject form from the page loaded before that
    response = client_for(people.clerk_a1).post(
        action_url(case, "reject"),
        {"reject-version": seen_version, "reject-reason": "不属于受理范围", "reject-referral": "人民法院"},
    )
    # then a 409-style message asks to refresh, and the case is untouched
    assert messages_of(response) == ["案件已被他人处理，请刷新后重试"]
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED


def test_stale_version_with_the_same_state(people):
    case = people.register()
    services.case_set_urgent(actor=people.leader_a, case_id=case.pk, urgent=True)  # bumps the version
    response = client_for(people.clerk_a1).post(action_url(case, "accept"), {"accept-version": case.version})
    assert messages_of(response) == ["案件已被他人处理，请刷新后重试"]
    assert Case.objects.get(pk=case.pk).state == CaseState.REGISTERED


def test_invalid_form_is_reported_in_chinese(people):
    case = people.register()
    response = client_for(people.clerk_a1).post(action_url(case, "reject"), {"reject-version": case.version})
    assert response.status_code == 302
    (message,) = messages_of(response)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert Case.objects.get(pk=case.pk).state == CaseState.REGISTERED


def test_role_without_the_right_gets_the_service_message(people):
    case = people.register()
    response = client_for(people.handler_a1).post(action_url(case, "accept"), {"accept-version": case.version})
    assert response.status_code == 302
    assert messages_of(response)
    assert Case.objects.get(pk=case.pk).state == CaseState.REGISTERED


def test_dispatch_then_sign_through_the_pages(people):
    case = people.register()
    clerk = client_for(people.clerk_a1)
    clerk.post(action_url(case, "accept"), {"accept-version": 1})
    case.refresh_from_db()
    clerk.post(action_url(case, "dispatch"), {"dispatch-version": case.version,
                                              "dispatch-department": people.department_a1.pk})
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    client_for(people.handler_a1).post(action_url(case, "sign"), {"sign-version": case.version})
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS


def test_out_of_jurisdiction_action_is_404(people):
    case = people.register()
    response = client_for(people.clerk_b1).post(action_url(case, "accept"), {"accept-version": case.version})
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).state == CaseState.REGISTERED


def test_unknown_action_is_404_and_get_is_not_allowed(people):
    case = people.register()
    client = client_for(people.clerk_a1)
    assert client.post(action_url(case, "delete"), {}).status_code == 404
    assert client.get(action_url(case, "accept")).status_code == 405


def test_mediation_form_records_an_agreement(people):
    case = people.register()
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    response = client_for(people.clerk_a1).post(action_url(case, "mediation"), {
        "mediation-mediators": "王调解", "mediation-held_at": "2026-01-05T10:00", "mediation-outcome": "agreement",
        "mediation-agreement_content": "张三赔偿李四两千元。", "mediation-performance": "十日内现金支付",
        "mediation-committee_name": "云梦堤社区人民调解委员会",
    })
    assert response.status_code == 302
    mediation = case.mediations.get()
    assert mediation.outcome == "agreement" and mediation.agreement_content == "张三赔偿李四两千元。"
    assert mediation.committee_name == "云梦堤社区人民调解委员会"


def test_mediation_form_proposes_the_committee_and_refuses_an_agreement_without_one(people):
    case = people.register()
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    client = client_for(people.clerk_a1)
    html = client.get(reverse("disputes:detail", args=[case.pk])).content.decode()
    assert 'name="mediation-committee_name"' in html and 'value="云梦堤社区人民调解委员会"' in html
    response = client.post(action_url(case, "mediation"), {
        "mediation-mediators": "王调解", "mediation-held_at": "2026-01-05T10:00", "mediation-outcome": "agreement",
        "mediation-agreement_content": "张三赔偿李四两千元。", "mediation-committee_name": ""}, follow=True)
    assert "达成协议时请填写加盖印章的人民调解委员会" in response.content.decode()
    assert not case.mediations.exists()


def test_escalate_from_the_page_moves_the_case_up(people):
    case = services.case_accept(actor=people.clerk_a1, case_id=people.register().pk)
    response = client_for(people.clerk_a1).post(action_url(case, "escalate"), {
        "escalate-version": case.version, "escalate-note": "涉及多个部门，乡镇无法化解"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owning_region_id == people.tree.county_a.pk
