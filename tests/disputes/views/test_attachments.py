"""Attachments: upload on the detail page (type by content, size limit), scoped download."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes.models import Attachment
from tests.disputes.views.conftest import client_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, case, name: str, content: bytes, content_type: str = "image/png"):
    return client.post(reverse("disputes:action", args=[case.pk, "attachment"]),
                       {"attachment-file": SimpleUploadedFile(name, content, content_type=content_type)})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_upload_then_download_streams_the_file_as_an_attachment(people, media_root):
    case = people.register()
    client = client_for(people.clerk_a1)
    # when the clerk uploads a photo
    response = upload(client, case, "现场照片.png", PNG)
    assert response.status_code == 302
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "image/png"
    assert Path(attachment.file.path).is_relative_to(media_root)
    # then the detail page lists it and the download streams the same bytes
    assert "现场照片.png" in client.get(reverse("disputes:detail", args=[case.pk])).content.decode()
    download = client.get(reverse("disputes:attachment", args=[case.pk, attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PNG


def test_wrong_type_is_rejected_by_content_not_by_name(people):
    case = people.register()
    response = upload(client_for(people.clerk_a1), case, "伪装.png", b"#!/bin/sh\necho hi\n" * 10, "image/png")
    assert response.status_code == 302
    assert any("不支持的文件类型" in m for m in messages_of(response))
    assert not Attachment.objects.exists()


def test_too_large_is_rejected_with_a_message(people, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    case = people.register()
    response = upload(client_for(people.clerk_a1), case, "大图.png", PNG)
    assert any("文件过大" in m for m in messages_of(response))
    assert not Attachment.objects.exists()


def test_download_out_of_jurisdiction_is_404(people):
    case = people.register()
    upload(client_for(people.clerk_a1), case, "现场照片.png", PNG)
    attachment = Attachment.objects.get()
    url = reverse("disputes:attachment", args=[case.pk, attachment.pk])
    assert client_for(people.clerk_b1).get(url).status_code == 404
    assert client_for(people.dispatcher_b).get(url).status_code == 404
    # an attachment id under another case of one's own scope is 404 too
    other = people.register(title="另一件")
    assert client_for(people.clerk_a1).get(
        reverse("disputes:attachment", args=[other.pk, attachment.pk])).status_code == 404


def test_upload_out_of_jurisdiction_is_404(people):
    case = people.register()
    response = upload(client_for(people.clerk_b1), case, "x.png", PNG)
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_a_failure_after_the_file_is_stored_leaves_no_file_behind(people, media_root, monkeypatch):
    # given the timeline write after the file was stored fails (a conflict, a database error)
    case = people.register()
    from disputes import services
    from disputes.models import CaseEvent

    def fail(*args, **kwargs):
        raise RuntimeError("timeline write failed")

    monkeypatch.setattr(CaseEvent, "save", fail)
    with pytest.raises(RuntimeError):
        services.attachment_add(actor=people.clerk_a1, case_id=case.pk,
                                uploaded_file=SimpleUploadedFile("现场照片.png", PNG, content_type="image/png"))
    # then neither the row nor the file is left
    assert not Attachment.objects.exists()
    assert [p for p in Path(media_root).rglob("*") if p.is_file()] == []
