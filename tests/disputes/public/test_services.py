"""disputes.services.public: an online submission becomes a case waiting at the right township,
with everything checked before anything is written; the resident's rating, once, after resolution."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from disputes import services
from disputes.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseParty,
    CaseState,
    Channel,
    PublicRating,
    PublicSubmission,
)
from disputes.services.public import CONSENT_VERSION, tracking_hash
from governance.errors import Conflict, InvalidInput, NotFound
from governance.models import AuditLog, Notification
from tests.disputes.public.conftest import PHONE, TAIL

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


def photo(name: str = "现场.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def nothing_written() -> bool:
    return not (Case.objects.exists() or CaseParty.objects.exists() or PublicSubmission.objects.exists()
                or Attachment.objects.exists() or CaseEvent.objects.exists())


def test_a_submission_becomes_an_online_case_waiting_at_the_villages_township(world):
    # when a resident submits a matter in 云梦堤社区 (七一路街道)
    case = world.submit(photos=[photo(), photo("2.png")])

    # then it is an online case, registered, owned by 七一路街道's center, with nobody as registrar
    case.refresh_from_db()
    assert (case.channel, case.state, case.registered_by_id) == (Channel.ONLINE, CaseState.REGISTERED, None)
    assert case.owning_region_id == world.tree.town_a1.pk and case.village_id == world.tree.village_a1x.pk
    assert case.due_at is not None and case.number.startswith(world.tree.village_a1x.code[:9])
    # the resident is the applicant, phone encrypted and masked
    party = case.parties.get()
    assert party.phone_masked == "138****5678" and PHONE.encode() not in bytes(party.phone_enc)
    # the consent names the notice's version; the lookup proof is a keyed hash, not the digits
    submission = case.public_submission
    assert submission.consent_version == CONSENT_VERSION
    assert submission.tracking_hash == tracking_hash(case.number, TAIL) and TAIL not in submission.tracking_hash
    # the photos are attachments nobody on the staff uploaded
    assert [a.uploaded_by_id for a in case.attachments.all()] == [None, None]
    assert {a.content_type for a in case.attachments.all()} == {"image/png"}
    # one timeline row without an actor, marked as the public's
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.actor_id, event.data["by"], event.data["photos"]) == ("register", None, "public", 2)
    # the township's window staff hear about it, the other township's do not
    assert Notification.objects.filter(recipient=world.clerk_a1, link__contains=f"/cases/{case.pk}/").exists()
    assert not Notification.objects.filter(recipient=world.clerk_b1).exists()
    # and the client address is in the audit log
    assert AuditLog.objects.get(action="public.submit").ip_address == "203.0.113.7"


def test_a_submission_in_another_township_lands_there(world):
    case = world.submit(village=world.tree.village_b1x)
    assert case.owning_region_id == world.tree.town_b1.pk
    assert Notification.objects.filter(recipient=world.clerk_b1).exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"consent": False}, "consent"),
    ({"phone": "12345"}, "parties[0].phone"),
    ({"phone": ""}, "parties[0].phone"),
    ({"title": " "}, "title"),
])
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_is_written(world, change, field):
    with pytest.raises(InvalidInput) as caught:
        world.submit(photos=[photo()], **change)

    message = caught.value.extra["fields"][field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert nothing_written()


def test_the_place_must_be_a_village(world):
    with pytest.raises(InvalidInput) as caught:
        world.submit(village=world.tree.town_a1)
    assert "village_id" in caught.value.extra["fields"]
    assert nothing_written()


def test_photos_are_images_by_content_and_at_most_three(world):
    fake = photo("照片.jpg", b"%PDF-1.4 not an image at all" + b"\0" * 64)
    with pytest.raises(InvalidInput) as caught:
        world.submit(photos=[photo(), fake])
    assert "照片" in caught.value.extra["fields"]["photos"]
    with pytest.raises(InvalidInput) as caught:
        world.submit(photos=[photo() for _ in range(4)])
    assert "3" in caught.value.extra["fields"]["photos"]
    assert nothing_written()


def test_the_same_form_submitted_twice_is_one_case(world):
    data = services.PublicCaseInput(title="噪音扰民", narrative="夜间施工", category_id=world.category.pk,
                                    village_id=world.tree.village_a1x.pk)
    parties = [services.PartyInput(role="applicant", kind="person", name="王五", phone=PHONE)]

    first = services.case_submit_public(data=data, parties=parties, consent=True, submit_token="tok-1")
    again = services.case_submit_public(data=data, parties=parties, consent=True, submit_token="tok-1")

    assert again.pk == first.pk and Case.objects.count() == 1


def resolved(world, case: Case) -> Case:
    clerk = world.clerk_a1
    services.case_accept(actor=clerk, case_id=case.pk)
    services.case_handle(actor=clerk, case_id=case.pk, note="当场调解")
    return services.case_resolve(actor=clerk, case_id=case.pk, note="双方达成一致")


def test_the_resident_rates_once_after_resolution(world):
    case = world.submit()
    # before resolution: refused
    with pytest.raises(Conflict):
        services.case_rate_public(case_id=case.pk, level="satisfied")
    resolved(world, case)

    rating = services.case_rate_public(case_id=case.pk, level="unsatisfied", comment="还在漏水", ip="203.0.113.9")

    assert (rating.level, rating.comment) == ("unsatisfied", "还在漏水")
    event = CaseEvent.objects.get(case=case, action="public_rating")
    assert (event.actor_id, event.data["level"], event.note) == (None, "unsatisfied", "还在漏水")
    # an unsatisfied rating tells the owning center
    assert Notification.objects.filter(recipient=world.clerk_a1, event_key__contains="public_rating").exists()
    # once per case
    with pytest.raises(Conflict) as caught:
        services.case_rate_public(case_id=case.pk, level="satisfied")
    assert caught.value.code == "already_rated"
    assert PublicRating.objects.count() == 1


def test_a_rating_needs_a_level_and_an_online_case(world, tree):
    case = world.submit()
    resolved(world, case)
    with pytest.raises(InvalidInput):
        services.case_rate_public(case_id=case.pk, level="great")
    with pytest.raises(InvalidInput):
        services.case_rate_public(case_id=case.pk, level="satisfied", comment="长" * 501)
    with pytest.raises(NotFound):
        services.case_rate_public(case_id="x", level="satisfied")
    assert not PublicRating.objects.exists()


def test_a_submission_cannot_smuggle_an_oversized_photo(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 64
    big = photo("big.png", PNG + b"\0" * 100)
    with pytest.raises(InvalidInput) as caught:
        world.submit(photos=[big])
    assert "MB" in caught.value.extra["fields"]["photos"] or "过大" in caught.value.extra["fields"]["photos"]
    assert nothing_written()
