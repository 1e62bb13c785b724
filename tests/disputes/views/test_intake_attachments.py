"""Attachments brought to the window, uploaded with the intake form: stored with the case in
the same transaction, every file checked first, and no file left behind when it fails."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from disputes import services
from disputes.models import Attachment, Case, CaseEvent
from disputes.services import intake
from tests.disputes.views.conftest import client_for
from tests.disputes.views.test_intake import URL, intake_post

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"0" * 200


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def files(*items):
    return [SimpleUploadedFile(name, content) for name, content in items]


def test_files_chosen_on_the_intake_form_are_stored_with_the_case(people, media_root):
    client = client_for(people.clerk_a1)
    data = intake_post(people, attachments=files(("现场照片.png", PNG), ("协议草稿.pdf", PDF)))
    response = client.post(URL, data)
    assert response.status_code == 302
    case = Case.objects.get()
    attachments = list(Attachment.objects.filter(case=case).order_by("id"))
    assert [a.original_name for a in attachments] == ["现场照片.png", "协议草稿.pdf"]
    assert [a.content_type for a in attachments] == ["image/png", "application/pdf"]
    assert len(stored_files(media_root)) == 2
    # each file is on the timeline after the registration, by the clerk
    actions = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("action", "actor_id"))
    assert actions == [("register", people.clerk_a1.pk), ("attachment", people.clerk_a1.pk),
                       ("attachment", people.clerk_a1.pk)]
    page = client.get(response["Location"]).content.decode()
    assert "现场照片.png" in page and "已上传附件2个" in page


def test_a_bad_file_registers_nothing_and_stores_nothing(people, media_root):
    client = client_for(people.clerk_a1)
    data = intake_post(people, attachments=files(("现场照片.png", PNG), ("说明.exe", b"MZ" + b"\x00" * 300)))
    response = client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-error-for="attachments"' in html and "说明.exe" in html and "不支持的文件类型" in html
    assert "提交未成功时，请重新选择附件" in html
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_too_many_files_are_refused(people, media_root, monkeypatch):
    monkeypatch.setattr(intake, "INTAKE_ATTACHMENTS_MAX", 1)
    response = client_for(people.clerk_a1).post(URL, intake_post(people, attachments=files(("a.png", PNG),
                                                                                           ("b.png", PNG))))
    assert response.status_code == 200 and "最多上传1个附件" in response.content.decode()
    assert not Case.objects.exists() and stored_files(media_root) == []


def test_a_failure_after_a_file_was_stored_deletes_it_with_the_rollback(people, media_root, monkeypatch):
    real_add = services.records.attachment_add
    calls = []

    def failing_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("storage went away")
        return real_add(**kwargs)

    monkeypatch.setattr(intake, "attachment_add", failing_second)
    data = services.CaseInput(**people_case_fields(people))
    with pytest.raises(RuntimeError):
        services.case_register(actor=people.clerk_a1, data=data, parties=default_parties(),
                               attachments=files(("a.png", PNG), ("b.png", PNG)))
    assert len(calls) == 2
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_a_resubmitted_intake_stores_the_files_once(people, media_root):
    client = client_for(people.clerk_a1)
    for _ in range(2):
        client.post(URL, intake_post(people, submit_token="tok-files", attachments=files(("现场照片.png", PNG))))
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1
    assert len(stored_files(media_root)) == 1


def people_case_fields(people) -> dict:
    return {"title": "漏水纠纷", "narrative": "楼上漏水。", "category_id": people.category.pk, "channel": "visit",
            "occurred_at": timezone.now(), "village_id": people.tree.village_a1x.pk}


def default_parties():
    return [services.PartyInput(role="applicant", kind="person", name="张三")]
