"""调解协议书: CJK font embedded, every 人民调解法 art. 29 item in the PDF's text, the committee's
seal, one signature line per mediator, full details only for users who may reveal (audited)."""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes import services
from disputes.models import MediationOutcome
from governance.models import AuditLog
from tests.disputes.views.conftest import ID_LI, ID_ZHANG, PHONE_ZHANG, client_for
from tests.disputes.views.documents import font_names, page_count, pdf_text


def mediate(people, case, **fields):
    values = dict(
        mediators="王调解、李调解", held_at=timezone.now(), committee_name="云梦堤社区人民调解委员会",
        organisation="七一路街道司法所", place="社区调解室", outcome=MediationOutcome.AGREEMENT,
        facts="楼上漏水致楼下天花板受损，楼上应承担维修责任。",
        agreement_content="张三于十日内赔偿李四维修费两千元。", performance="一次性现金支付，2026年12月5日前履行完毕。",
    )
    values.update(fields)
    return services.mediation_record(actor=people.clerk_a1, case_id=case.pk, data=services.MediationInput(**values))


@pytest.fixture
def agreed(people):
    parties = [
        services.PartyInput(role="applicant", kind="person", name="张三", id_number=ID_ZHANG, phone=PHONE_ZHANG,
                            ethnicity="汉族", occupation="教师", address="云梦堤小区3号楼"),
        services.PartyInput(role="respondent", kind="person", name="李四", id_number=ID_LI, ethnicity="回族",
                            occupation="铜川市某某商贸有限公司"),
        services.PartyInput(role="third", kind="organisation", name="铜川市宏达物业服务有限公司",
                            id_number="91610000MA6TG1YE3G", legal_representative="王五", address="七一路8号"),
    ]
    case = people.register(parties=parties)
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    return case, mediate(people, case)


def pdf_url(case, mediation) -> str:
    return reverse("disputes:agreement_pdf", args=[case.pk, mediation.pk])


def test_pdf_embeds_a_cjk_font_and_states_every_item_of_article_29(people, agreed):
    case, mediation = agreed
    # when the owning clerk prints the agreement
    response = client_for(people.clerk_a1).get(pdf_url(case, mediation))
    # then it is a PDF with Noto Sans CJK embedded
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert any("CJK" in name for name in font_names(pdf)), font_names(pdf)
    text = pdf_text(pdf)
    assert "人民调解协议书" in text and case.number in text
    # the parties' basic details: gender, 民族, birth date (from the ID), occupation, address,
    # identity document; the organisation's credit code and legal representative
    for item in ("张三", "性别", "男", "民族", "汉族", "回族", "出生日期", "1980年1月1日", "1985年5月5日",
                 "职业或工作单位", "教师", "铜川市某某商贸有限公司", "住址", "云梦堤小区3号楼", "居民身份证",
                 ID_ZHANG, ID_LI, PHONE_ZHANG, "铜川市宏达物业服务有限公司", "统一社会信用代码", "91610000MA6TG1YE3G",
                 "法定代表人(负责人)", "王五"):
        assert item in text, item
    # the main facts, disputed matters and responsibility; the agreed content; performance
    assert "纠纷主要事实、争议事项及各方当事人的责任" in text and "楼上应承担维修责任" in text
    assert "张三于十日内赔偿李四维修费两千元" in text
    assert "履行协议的方式、地点、期限" in text and "2026年12月5日前履行完毕" in text
    # signed by every party and every mediator, sealed by the committee; copies
    assert text.count("签名/盖章/按指印") == 3
    assert text.count("人民调解员（签名）") == 2 and "王调解" in text and "李调解" in text
    assert "云梦堤社区人民调解委员会（印章）" in text
    assert "七一路街道综治中心" not in text  # no center's name in the seal
    assert "本协议一式4份" in text
    # and the printed note says the details are full and the print is audited
    assert "本次打印已记入审计日志" in text


def test_full_details_are_audited_once_per_print_naming_the_document(people, agreed):
    case, mediation = agreed
    client_for(people.clerk_a1).get(pdf_url(case, mediation))
    log = AuditLog.objects.get(action="party.print", actor=people.clerk_a1)
    assert log.detail["document"] == "agreement"
    assert log.detail["case_number"] == case.number
    assert sorted(log.detail["parties"]) == sorted(case.parties.values_list("pk", flat=True))


def test_roles_that_may_not_reveal_get_masked_details_a_note_and_no_audit(people, agreed):
    case, mediation = agreed
    response = client_for(people.leader_a).get(pdf_url(case, mediation))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert ID_ZHANG not in text and PHONE_ZHANG not in text and "1980年1月1日" not in text
    assert case.parties.first().id_number_masked in text and "1980年**月**日" in text
    assert "已部分隐藏" in text and "无权查看当事人完整信息" in text
    assert not AuditLog.objects.filter(action__in=("party.print", "party.reveal")).exists()


def test_the_signature_block_stays_with_the_last_clause(people, agreed):
    case, _mediation = agreed
    # given facts long enough to fill the first page
    long = mediate(people, case, facts="双方就漏水责任反复争执。" * 120)
    pdf = client_for(people.clerk_a1).get(pdf_url(case, long)).content
    pages = pdf_text(pdf, pages=True)
    assert page_count(pdf) >= 2
    # then the page with the signatures also carries the performance clause and the copies
    signing = next(page for page in pages if "人民调解员（签名）" in page)
    assert "履行协议的方式、地点、期限" in signing and "本协议一式" in signing


def test_an_agreement_without_a_committee_leaves_the_seal_line_blank(people, agreed):
    case, mediation = agreed
    type(mediation).objects.filter(pk=mediation.pk).update(committee_name="")  # a row from before the field
    text = pdf_text(client_for(people.clerk_a1).get(pdf_url(case, mediation)).content)
    assert "人民调解委员会（印章）" in text and "云梦堤社区人民调解委员会" not in text


def test_out_of_jurisdiction_is_404(people, agreed):
    case, mediation = agreed
    for url in (pdf_url(case, mediation), reverse("disputes:agreement", args=[case.pk, mediation.pk])):
        assert client_for(people.clerk_b1).get(url).status_code == 404
        assert client_for(people.dispatcher_b).get(url).status_code == 404
    assert not AuditLog.objects.filter(action="party.print").exists()


def test_no_agreement_no_agreement_document(people):
    case = people.register()
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    ongoing = services.mediation_record(actor=people.clerk_a1, case_id=case.pk, data=services.MediationInput(
        mediators="王调解", held_at=timezone.now()))
    assert client_for(people.clerk_a1).get(pdf_url(case, ongoing)).status_code == 404
    assert client_for(people.clerk_a1).get(reverse("disputes:agreement", args=[case.pk, ongoing.pk])).status_code == 404


def test_detail_links_the_agreement(people, agreed):
    case, mediation = agreed
    html = client_for(people.clerk_a1).get(reverse("disputes:detail", args=[case.pk])).content.decode()
    assert pdf_url(case, mediation) in html
    assert reverse("disputes:agreement", args=[case.pk, mediation.pk]) in html


def test_print_view_is_the_same_document_with_a_toolbar(people, agreed):
    case, mediation = agreed
    response = client_for(people.clerk_a1).get(reverse("disputes:agreement", args=[case.pk, mediation.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert 'data-testid="print-toolbar"' in html and f'href="{pdf_url(case, mediation)}"' in html
    assert html.count('data-testid="mediator-line"') == 2
    assert ID_ZHANG in html
    assert AuditLog.objects.filter(action="party.print", detail__document="agreement").count() == 1
