"""Records kept on a case: mediation (调解记录, agreements), attachments, and the audited
full view of a party's personal data."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from disputes import parties as party_data
from disputes import permissions
from disputes.models import (
    Attachment,
    Case,
    CaseParty,
    Mediation,
    MediationOutcome,
    ReferralKind,
)
from disputes.services.core import (
    TransitionContext,
    parse_id,
    transition,
)
from disputes.services.referrals import organisation_for
from governance import clock
from governance.errors import Forbidden, InvalidInput, NotFound
from governance.inputs import OCCURRENCE_SLACK, occurrence_error
from governance.models import Department, User
from governance.scoping import scope_for
from governance.services import audit_record

# A sealing committee's name ends so (人民调解委员会, 医疗纠纷人民调解委员会, …).
COMMITTEE_SUFFIX = "人民调解委员会"


@dataclass
class MediationInput:
    mediators: str
    held_at: dt.datetime
    organisation: str = ""
    committee_name: str = ""
    place: str = ""
    record: str = ""
    outcome: str = MediationOutcome.ONGOING
    facts: str = ""
    agreement_content: str = ""
    performance: str = ""
    joint_unit_ids: Sequence[int] = ()  # 联合调解: units present (inside the actor's jurisdiction)
    mediated_by_id: int | None = None  # the registered organisation that mediated (its seal)



ALLOWED_ATTACHMENT_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "audio/mpeg", "audio/mp4", "audio/x-wav", "audio/amr", "video/mp4",
})


# --- Mediation and attachments -------------------------------------------------------------------------

@transaction.atomic
def mediation_record(*, actor: User, case_id: int, data: MediationInput) -> Mediation:
    """调解记录 (and the agreement when reached), by whoever is handling the case."""
    errors = {}
    if not (data.mediators or "").strip():
        errors["mediators"] = _("请填写调解员")
    if not isinstance(data.held_at, dt.datetime):
        errors["held_at"] = _("请填写调解时间")
    elif data.held_at > clock.now() + OCCURRENCE_SLACK:
        errors["held_at"] = _("调解时间不能晚于当前时间")
    elif message := occurrence_error(data.held_at):
        errors["held_at"] = message
    if data.outcome not in MediationOutcome.values:
        errors["outcome"] = _("调解结果无效")
    if data.outcome == MediationOutcome.AGREEMENT and not (data.agreement_content or "").strip():
        errors["agreement_content"] = _("达成协议时请填写协议内容")
    committee = (data.committee_name or "").strip()
    if committee and not committee.endswith(COMMITTEE_SUFFIX):
        errors["committee_name"] = _("请填写人民调解委员会的全称（以“人民调解委员会”结尾）")
    elif data.outcome == MediationOutcome.AGREEMENT and not committee:
        # 人民调解法 art. 29: the agreement takes effect with the committee's seal.
        errors["committee_name"] = _("达成协议时请填写加盖印章的人民调解委员会")
    if errors:
        raise InvalidInput(next(iter(errors.values())), extra={"fields": errors})
    unit_ids = [parse_id(value, _("该单位")) for value in data.joint_unit_ids or ()]
    units: list[Department] = []
    mediated_by: dict[str, Any] = {}

    def after(ctx: TransitionContext) -> None:
        if data.mediated_by_id:
            org = organisation_for(ctx.case, data.mediated_by_id, kind=ReferralKind.PEOPLES)
            mediated_by["org"] = org
        if unit_ids:
            found = list(ctx.scope.filter(Department.objects.filter(pk__in=set(unit_ids), is_active=True)))
            if len(found) != len(set(unit_ids)):
                raise NotFound(_("未找到联合调解单位"))
            units.extend(found)
        ctx.result = Mediation.objects.create(
            case=ctx.case, mediators=data.mediators.strip(), organisation=data.organisation.strip(),
            committee_name=committee,
            held_at=data.held_at, place=data.place.strip(), record=data.record, outcome=data.outcome,
            facts=data.facts, agreement_content=data.agreement_content, performance=data.performance,
            created_by=ctx.actor, mediated_by=mediated_by.get("org"),
        )
        if units:
            ctx.result.joint_units.set(units)
            ctx.data["joint_unit_ids"] = [u.pk for u in units]
        ctx.data.update(mediation_id=ctx.result.pk, outcome=data.outcome)

    return transition(actor=actor, case_id=case_id, action="mediation", after=after).result


def mediation_record_fields(*, actor: User, case_id: int, **fields: Any) -> Mediation:
    """mediation_record with the MediationInput fields as keywords (the action table's form
    and API hand over their inputs this way)."""
    return mediation_record(actor=actor, case_id=case_id, data=MediationInput(**fields))


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed `attachment_check`: its type by content, size and name."""

    mime: str
    extension: str
    size: int
    original_name: str


def attachment_check(uploaded_file, *, allowed: frozenset[str] = ALLOWED_ATTACHMENT_TYPES,
                     type_message: str | None = None, field: str = "file") -> CheckedFile:
    """The rules every uploaded file meets (staff attachments, residents' photos, files on the
    intake form): the type decided by content (not the name) among `allowed`, within
    settings.ATTACHMENT_MAX_BYTES. Raises InvalidInput with a Chinese message on `field` (named
    with the file's name when it is one of several). Writes nothing."""
    size = uploaded_file.size or 0
    name = (getattr(uploaded_file, "name", "") or "")[-200:]
    if size > settings.ATTACHMENT_MAX_BYTES:
        message = _("文件过大，最大%(mb)sMB") % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        raise InvalidInput(message, extra={"fields": {field: f"{name}：{message}" if field != "file" else message}})
    uploaded_file.seek(0)
    kind = filetype.guess(uploaded_file.read(8192))
    uploaded_file.seek(0)
    if size == 0 or kind is None or kind.mime not in allowed:
        message = type_message or _("不支持的文件类型，请上传图片、PDF、Word/Excel文档或音视频")
        raise InvalidInput(message, extra={"fields": {field: f"{name}：{message}" if field != "file" else message}})
    original_name = (getattr(uploaded_file, "name", "") or "")[-200:] or f"file.{kind.extension}"
    return CheckedFile(mime=kind.mime, extension=kind.extension, size=size, original_name=original_name)


def attachment_store(*, case_id: int, uploaded_file, checked: CheckedFile, uploaded_by: User | None) -> Attachment:
    """Write the checked file under a random name and its row (the caller holds the transaction
    and deletes the file if it rolls back: storage is not transactional)."""
    uploaded_file.name = f"{uuid.uuid4().hex}.{checked.extension}"
    return Attachment.objects.create(
        case_id=case_id, file=uploaded_file, original_name=checked.original_name, content_type=checked.mime,
        size=checked.size, uploaded_by=uploaded_by,
    )


@transaction.atomic
def attachment_add(*, actor: User, case_id: int, uploaded_file) -> Attachment:
    """Attach a file; the type is decided by content (not the name), within the size limit."""
    checked = attachment_check(uploaded_file)
    stored: list[Attachment] = []

    def after(ctx: TransitionContext) -> None:
        ctx.result = attachment_store(case_id=ctx.case.pk, uploaded_file=uploaded_file, checked=checked,
                                      uploaded_by=ctx.actor)
        stored.append(ctx.result)
        ctx.data.update(attachment_id=ctx.result.pk, name=checked.original_name)

    try:
        return transition(actor=actor, case_id=case_id, action="attachment", after=after).result
    except BaseException:
        # The row rolls back with the transaction; the file written to storage does not.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


# --- Personal data -------------------------------------------------------------------------------------

@transaction.atomic
def party_reveal(*, actor: User, party_id: int, field: str, ip_address: str | None = None) -> str:
    """The full ID number or phone of a party, for roles that need it; every view is audited."""
    scope = scope_for(actor)
    party = (
        scope.filter(CaseParty.objects.select_related("case", "case__owning_region"), via="case")
        .filter(pk=parse_id(party_id, _("该当事人")))
        .first()
    )
    if party is None:
        raise NotFound(_("未找到该当事人"))
    if field not in ("id_number", "phone"):
        raise InvalidInput(_("只能查看证件号码或联系电话"), extra={"fields": {"field": _("无效字段")}})
    try:
        permissions.require_action(user=actor, case=party.case, action="reveal")
    except Forbidden:
        raise Forbidden(_("无权查看当事人完整信息"), extra={"action": "reveal"}) from None
    token = getattr(party, f"{field}_enc")
    if not token:
        raise NotFound(_("该当事人未登记此项信息"))
    value = party_data.decrypt(token)
    audit_record(
        actor=actor, action="party.reveal", target_type="disputes.caseparty", target_id=party.pk,
        region_id=party.case.village_id, ip_address=ip_address,
        detail={"field": field, "case_id": party.case_id, "case_number": party.case.number},
    )
    return value


@dataclass(frozen=True)
class PartySecrets:
    """A party's full ID number and phone ("" when not registered)."""

    id_number: str
    phone: str


# The printed documents that state the parties' identity (disputes/documents.py).
DOCUMENTS_WITH_IDENTITY = frozenset({"agreement", "mediation_record", "dossier"})


@transaction.atomic
def party_details_for_print(*, actor: User, case_id: int, document: str,
                            ip_address: str | None = None) -> dict[int, PartySecrets] | None:
    """Full ID numbers and phones of a case's parties for a printed legal document (the
    parties' copies of an agreement need them), by party id — when the actor may reveal them
    (the "reveal" rule of disputes.permissions); one audit row names the document and the
    parties. None when the actor may not: the document prints masked values and says so."""
    if document not in DOCUMENTS_WITH_IDENTITY:
        raise InvalidInput(_("该文书不载明当事人身份信息"))
    scope = scope_for(actor)
    case = scope.filter(Case.objects.select_related("owning_region")).filter(pk=parse_id(case_id, _("该案件"))).first()
    if case is None:
        raise NotFound(_("未找到该案件"))
    parties = list(CaseParty.objects.filter(case_id=case.pk).order_by("id"))
    try:
        permissions.require_action(user=actor, case=case, action="reveal")
    except Forbidden:
        return None
    details = {
        party.pk: PartySecrets(
            id_number=party_data.decrypt(party.id_number_enc) if party.id_number_enc else "",
            phone=party_data.decrypt(party.phone_enc) if party.phone_enc else "",
        )
        for party in parties
    }
    audit_record(
        actor=actor, action="party.print", target_type="disputes.case", target_id=case.pk,
        region_id=case.village_id, ip_address=ip_address,
        detail={"document": document, "case_id": case.pk, "case_number": case.number,
                "parties": [party.pk for party in parties], "fields": ["id_number", "phone"]},
    )
    return details

