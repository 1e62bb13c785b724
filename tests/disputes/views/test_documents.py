"""The other printed documents: 受理回执, 不予受理告知书, 调解笔录 and the 卷宗 of a filed case —
each a print view and a PDF, read back as text; 404 outside the jurisdiction; linked from the
case page."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes import services
from disputes.models import MediationOutcome
from governance.models import AuditLog
from tests.disputes.views.conftest import ID_LI, ID_ZHANG, PHONE_ZHANG, client_for
from tests.disputes.views.documents import pdf_text


def url(name: str, case, *more) -> str:
    return reverse(f"disputes:{name}", args=[case.pk, *more])


def rejected(people):
    case = people.register(title="要求解决拖欠工资")
    services.case_reject(actor=people.clerk_a1, case_id=case.pk, reason="该事项属于劳动仲裁受理范围",
                         referral="已告知当事人向王益区劳动人事争议仲裁委员会申请仲裁")
    return case


def mediated(people, **fields):
    case = people.register()
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    values = dict(mediators="王调解 李调解", held_at=timezone.now(), committee_name="云梦堤社区人民调解委员会",
                  place="社区调解室", record="双方到场，调解员释明法律规定，双方陈述意见。", outcome=MediationOutcome.NO_AGREEMENT)
    values.update(fields)
    mediation = services.mediation_record(actor=people.clerk_a1, case_id=case.pk,
                                          data=services.MediationInput(**values))
    return case, mediation


def closed(people):
    """A case taken through the whole loop: dispatched, signed, mediated, resolved, called back."""
    case = people.register(title="楼上漏水纠纷")
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    services.case_dispatch(actor=people.clerk_a1, case_id=case.pk, department_id=people.department_a1.pk,
                           instructions="请依法调处")
    services.case_sign(actor=people.handler_a1, case_id=case.pk)
    services.mediation_record(actor=people.handler_a1, case_id=case.pk, data=services.MediationInput(
        mediators="赵调解", held_at=timezone.now(), committee_name="七一路街道人民调解委员会",
        outcome=MediationOutcome.AGREEMENT, agreement_content="张三赔偿李四两千元。", performance="当场履行。"))
    services.case_resolve(actor=people.handler_a1, case_id=case.pk, note="双方签订调解协议并当场履行")
    services.case_callback(actor=people.clerk_a1, case_id=case.pk, satisfied=True, note="电话回访，满意")
    return case


# --- 受理回执 --------------------------------------------------------------------------------------

def test_receipt_gives_the_number_date_center_deadline_and_how_to_follow_the_case(people):
    case = people.register(title="排水沟堵塞")
    response = client_for(people.clerk_a1).get(url("receipt_pdf", case))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "受理回执" in text and case.number in text
    assert f"{timezone.localtime(case.created_at):%Y}年" in text
    assert "七一路街道综治中心" in text and "张三" in text and "排水沟堵塞" in text
    due = timezone.localtime(case.due_at)
    assert f"本中心将于{due.year}年{due.month}月{due.day}日前作出是否受理的决定" in text
    assert "http://testserver/public/track/" in text and "输入上方的案件编号查询" in text
    # no ID numbers or phones on a receipt, and nothing audited
    assert ID_ZHANG not in text and PHONE_ZHANG not in text
    assert not AuditLog.objects.filter(action="party.print").exists()


def test_receipt_print_view_links_its_pdf_and_the_case(people):
    case = people.register()
    html = client_for(people.clerk_a1).get(url("receipt", case)).content.decode()
    assert f'href="{url("receipt_pdf", case)}"' in html
    assert f'href="{reverse("disputes:detail", args=[case.pk])}"' in html
    assert case.number in html and "/public/track/" in html


# --- 不予受理告知书 ------------------------------------------------------------------------------------

def test_rejection_notice_states_the_reason_the_referral_and_the_routes_left(people):
    case = rejected(people)
    text = pdf_text(client_for(people.clerk_a1).get(url("rejection_notice_pdf", case)).content)
    assert "不予受理告知书" in text and case.number in text and "张三" in text
    assert "要求解决拖欠工资" in text and "该事项属于劳动仲裁受理范围" in text
    assert "已告知当事人向王益区劳动人事争议仲裁委员会申请仲裁" in text
    for route in ("申请人民调解", "有权处理的行政机关", "向人民法院提起诉讼", "劳动人事争议仲裁委员会申请仲裁", "《信访工作条例》"):
        assert route in text, route
    assert "七一路街道综治中心（盖章）" in text


def test_only_a_rejected_case_has_a_rejection_notice(people):
    case = people.register()
    assert client_for(people.clerk_a1).get(url("rejection_notice", case)).status_code == 404
    assert client_for(people.clerk_a1).get(url("rejection_notice_pdf", case)).status_code == 404


# --- 调解笔录 ----------------------------------------------------------------------------------------

def test_mediation_record_prints_who_when_where_what_and_signature_lines(people):
    case, mediation = mediated(people)
    response = client_for(people.clerk_a1).get(url("mediation_record_pdf", case, mediation.pk))
    text = pdf_text(response.content)
    assert "调解笔录" in text and case.number in text
    assert "云梦堤社区人民调解委员会" in text and "社区调解室" in text
    assert "双方到场，调解员释明法律规定，双方陈述意见。" in text and "未达成协议" in text
    assert text.count("人民调解员（签名）") == 2 and "记录人（签名）" in text
    assert ID_ZHANG in text and ID_LI in text  # the clerk may reveal: full details, audited
    assert AuditLog.objects.get(action="party.print").detail["document"] == "mediation_record"


def test_mediation_record_is_masked_for_a_leader(people):
    case, mediation = mediated(people)
    text = pdf_text(client_for(people.leader_a).get(url("mediation_record_pdf", case, mediation.pk)).content)
    assert ID_ZHANG not in text and "已部分隐藏" in text


def test_a_mediation_of_another_case_is_404(people):
    case, mediation = mediated(people)
    other = people.register(title="另一起纠纷")
    assert client_for(people.clerk_a1).get(url("mediation_record", other, mediation.pk)).status_code == 404


# --- 卷宗 --------------------------------------------------------------------------------------------

def test_dossier_of_a_closed_case_prints_the_whole_case_with_its_timeline(people):
    case = closed(people)
    response = client_for(people.clerk_a1).get(url("dossier_pdf", case))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "案件卷宗" in text and case.number in text and "卷内目录" in text
    assert "楼上漏水纠纷" in text and "已归档" in text
    assert "七一路司法所" in text and "请依法调处" in text  # the dispatch
    assert "七一路街道人民调解委员会" in text and "张三赔偿李四两千元。" in text  # the mediation
    for step in ("登记", "受理", "交办", "签收", "调解", "办结", "回访"):
        assert step in text, step
    assert "电话回访，满意" in text and "双方签订调解协议并当场履行" in text  # timeline notes
    assert ID_ZHANG in text
    assert AuditLog.objects.get(action="party.print").detail["document"] == "dossier"


def test_a_rejected_case_is_filed_too(people):
    case = rejected(people)
    text = pdf_text(client_for(people.clerk_a1).get(url("dossier_pdf", case)).content)
    assert "不予受理" in text and "该事项属于劳动仲裁受理范围" in text


def test_an_open_case_has_no_dossier_yet(people):
    case = people.register()
    assert client_for(people.clerk_a1).get(url("dossier", case)).status_code == 404
    assert client_for(people.clerk_a1).get(url("dossier_pdf", case)).status_code == 404


# --- jurisdiction and links ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["receipt", "receipt_pdf", "rejection_notice", "rejection_notice_pdf",
                                  "dossier", "dossier_pdf"])
def test_case_documents_outside_the_jurisdiction_are_404(people, name):
    case = rejected(people)  # rejected: every case document exists
    assert client_for(people.clerk_a1).get(url(name, case)).status_code == 200
    for outsider in (people.clerk_b1, people.dispatcher_b, people.dispatcher_b1):
        assert client_for(outsider).get(url(name, case)).status_code == 404
    assert not AuditLog.objects.filter(action="party.print", actor__in=[people.clerk_b1, people.dispatcher_b]).exists()


@pytest.mark.parametrize("name", ["mediation_record", "mediation_record_pdf"])
def test_mediation_documents_outside_the_jurisdiction_are_404(people, name):
    case, mediation = mediated(people)
    for outsider in (people.clerk_b1, people.dispatcher_b):
        assert client_for(outsider).get(url(name, case, mediation.pk)).status_code == 404
    assert not AuditLog.objects.filter(action="party.print").exists()


def test_documents_need_a_signed_in_user(people, client):
    case = rejected(people)
    response = client.get(url("receipt_pdf", case))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_case_page_links_the_documents_the_case_has(people):
    client = client_for(people.clerk_a1)
    open_case = people.register()
    html = client.get(reverse("disputes:detail", args=[open_case.pk])).content.decode()
    assert url("receipt", open_case) in html
    assert url("rejection_notice", open_case) not in html and url("dossier", open_case) not in html
    case = rejected(people)
    html = client.get(reverse("disputes:detail", args=[case.pk])).content.decode()
    assert url("rejection_notice", case) in html and url("dossier", case) in html
    case, mediation = mediated(people)
    html = client.get(reverse("disputes:detail", args=[case.pk])).content.decode()
    assert url("mediation_record", case, mediation.pk) in html
