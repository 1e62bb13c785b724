"""调解协议书 PDF: CJK font embedded, 人民调解法 fields, full IDs only for allowed roles (audited)."""
from __future__ import annotations

import re
import zlib

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes import documents, services
from disputes.models import MediationOutcome
from governance.models import AuditLog
from tests.disputes.views.conftest import ID_LI, ID_ZHANG, client_for


def font_names(pdf: bytes) -> set[str]:
    """/FontName entries of the PDF, looking inside compressed object streams too."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return {name.decode("latin-1") for chunk in chunks for name in re.findall(rb"/FontName\s*/([^\s/<>\[\]()]+)", chunk)}


@pytest.fixture
def agreed(people):
    case = people.register()
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    mediation = services.mediation_record(actor=people.clerk_a1, case_id=case.pk, data=services.MediationInput(
        mediators="王调解", held_at=timezone.now(), organisation="云梦堤社区人民调解委员会", place="社区调解室",
        outcome=MediationOutcome.AGREEMENT, facts="楼上漏水致楼下天花板受损，楼上应承担维修责任。",
        agreement_content="张三于十日内赔偿李四维修费两千元。", performance="一次性现金支付，2026年12月5日前履行完毕。",
    ))
    return case, mediation


def pdf_url(case, mediation) -> str:
    return reverse("disputes:agreement_pdf", args=[case.pk, mediation.pk])


def test_pdf_embeds_a_cjk_font_and_audits_the_full_id_numbers(people, agreed):
    case, mediation = agreed
    # when the owning clerk prints the agreement
    response = client_for(people.clerk_a1).get(pdf_url(case, mediation))
    # then it is a PDF with Noto Sans CJK embedded
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    names = font_names(pdf)
    assert any("CJK" in name for name in names), names
    # and printing full ID numbers was audited once per party
    logs = AuditLog.objects.filter(action="party.reveal", actor=people.clerk_a1)
    assert logs.count() == 2
    assert {log.detail["field"] for log in logs} == {"id_number"}


def test_roles_that_may_not_reveal_get_masked_numbers_and_no_audit(people, agreed):
    case, mediation = agreed
    response = client_for(people.leader_a).get(pdf_url(case, mediation))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert not AuditLog.objects.filter(action="party.reveal").exists()


def test_out_of_jurisdiction_is_404(people, agreed):
    case, mediation = agreed
    assert client_for(people.clerk_b1).get(pdf_url(case, mediation)).status_code == 404
    assert client_for(people.dispatcher_b).get(pdf_url(case, mediation)).status_code == 404
    assert not AuditLog.objects.filter(action="party.reveal").exists()


def test_no_agreement_no_pdf(people):
    case = people.register()
    services.case_accept(actor=people.clerk_a1, case_id=case.pk)
    ongoing = services.mediation_record(actor=people.clerk_a1, case_id=case.pk, data=services.MediationInput(
        mediators="王调解", held_at=timezone.now()))
    assert client_for(people.clerk_a1).get(pdf_url(case, ongoing)).status_code == 404


def test_detail_links_the_agreement(people, agreed):
    case, mediation = agreed
    html = client_for(people.clerk_a1).get(reverse("disputes:detail", args=[case.pk])).content.decode()
    assert pdf_url(case, mediation) in html


def test_agreement_carries_the_fields_the_law_requires(people, agreed):
    case, mediation = agreed
    parties = list(case.parties.order_by("id"))
    zhang, li = parties
    # given the full number of the first party only
    html = documents.agreement_html(case=case, mediation=mediation, parties=parties, id_numbers={zhang.pk: ID_ZHANG})
    assert "人民调解协议书" in html
    assert ID_ZHANG in html and ID_LI not in html and li.id_number_masked in html
    assert "楼上漏水致楼下天花板受损" in html  # facts, disputed matters, responsibility
    assert "张三于十日内赔偿李四维修费两千元。" in html  # agreed content
    assert "2026年12月5日前履行完毕" in html  # manner and deadline of performance
    assert "本协议一式3份" in html  # one per party plus one kept
    assert html.count("签名/盖章/按指印") == 2  # a signature line per party
    assert "人民调解员（签名）" in html and "王调解" in html
    assert "云梦堤社区人民调解委员会（印章）" in html
    assert 'font-family: "Noto Sans CJK SC"' in html
