"""Residents' own writes, without an account (网上 channel, "群众少跑腿"): an online submission
that becomes a case waiting for acceptance at the township center owning the chosen village,
and the resident's satisfaction rating once the case is resolved.

Nobody signs in, so there is no acting user: the case's `registered_by` stays empty, the
timeline rows carry no actor (their `data` says `"by": "public"`), and the client address goes
to the audit log. What the resident consented to (PIPL) is kept on `PublicSubmission`, with the
keyed hash that lets them look the case up (`disputes.selectors.public`). Flooding is held off
by the pages' rate limits (disputes/public_views.py), not here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from disputes import deadlines
from disputes import parties as party_data
from disputes.models import (
    Case,
    CaseParty,
    CaseState,
    Channel,
    PartyRole,
    PublicRating,
    PublicSubmission,
    Satisfaction,
    Step,
)
from disputes.services.core import Recipients, event_build, notify, parse_id
from disputes.services.intake import (
    CaseInput,
    PartyInput,
    _next_case_number,
    _validated_case_fields,
    _validated_parties,
)
from disputes.services.records import CheckedFile, attachment_check, attachment_store
from disputes.services.warnings import case_warnings_enqueue
from governance import clock
from governance.errors import Conflict, InvalidInput, NotFound
from governance.models import Region, RegionLevel
from governance.services import audit_record
from governance.workdays import SHANGHAI

# The version of the personal-information notice the resident agreed to
# (templates disputes/public/consent_notice.html). Change it whenever the notice's text changes,
# so every stored consent names the text that was shown.
CONSENT_VERSION = "2026-12"
PHOTOS_MAX = 3
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
PHONE_TAIL_DIGITS = 4
ID_MAX = 2**63 - 1  # PostgreSQL's bigint: a larger id is "not found", never a database error
COMMENT_MAX = 500
# Who wrote a timeline row that has no actor (CaseEvent.data["by"]).
BY_PUBLIC = "public"
# The states after which the resident may rate the handling.
RATABLE_STATES = frozenset({CaseState.RESOLVED, CaseState.CLOSED})


@dataclass
class PublicCaseInput:
    """What a resident types on /public/report/ (the case half; the people are PartyInput)."""

    title: str
    narrative: str
    category_id: int | None
    village_id: int | None
    address: str = ""
    occurred_at: dt.datetime | None = None


def tracking_hash(number: str, phone_tail: str) -> str:
    """The keyed hash that proves a lookup: case number + the last digits of the phone."""
    return party_data.keyed_hash(f"public-track:{number}:{phone_tail}")


def submit_token_for(token: str) -> str:
    """The case's submit_token for the token of the public form (one case per form shown)."""
    return party_data.keyed_hash(f"public-submit:{token}")


def _village(village_id, errors: dict[str, str]) -> Region | None:
    try:
        pk = parse_id(village_id, _("该村(社区)"))
    except NotFound:
        pk = None
    in_range = pk is not None and 0 < pk <= ID_MAX
    village = Region.objects.filter(pk=pk, level=RegionLevel.VILLAGE).first() if in_range else None
    if village is None:
        errors["village_id"] = _("请选择所在的村(社区)")
    return village


def photos_check(photos: Sequence, errors: dict[str, str]) -> list[CheckedFile]:
    """Photos only (by content), at most PHOTOS_MAX, each within ATTACHMENT_MAX_BYTES; the first
    problem goes to errors["photos"]. Residents' reports and grid workers' field reports."""
    photos = [photo for photo in photos if photo]
    if len(photos) > PHOTOS_MAX:
        errors["photos"] = _("最多上传%(n)s张照片") % {"n": PHOTOS_MAX}
        return []
    checked = []
    for photo in photos:
        try:
            checked.append(attachment_check(photo, allowed=PHOTO_TYPES,
                                            type_message=_("照片只能是JPG、PNG、WebP或GIF图片")))
        except InvalidInput as exc:
            errors["photos"] = exc.message
            return []
    return checked


@transaction.atomic
def case_submit_public(
    *,
    data: PublicCaseInput,
    parties: Sequence[PartyInput],
    consent: bool,
    photos: Sequence = (),
    ip: str | None = None,
    submit_token: str | None = None,
) -> Case:
    """A resident's online submission → a case (channel 网上, state 已登记) waiting for
    acceptance at the center of the township that owns the chosen village.

    `parties[0]` is the resident (applicant, phone required: it is how they look the case up and
    how the center calls back); others are optional. Everything is checked before anything is
    written: a missing consent, an invalid phone, a wrong photo — InvalidInput with every field's
    message, and nothing saved. The same `submit_token` twice (a double tap, a reload) returns
    the first case.
    """
    token = submit_token_for(submit_token) if (submit_token or "").strip() else None
    if token:
        existing = Case.objects.filter(submit_token=token, channel=Channel.ONLINE).first()
        if existing is not None:
            return existing
    now = clock.now()
    errors: dict[str, str] = {}
    if not consent:
        errors["consent"] = _("请阅读并同意《个人信息处理告知》后再提交")
    village = _village(data.village_id, errors)
    fields = _validated_case_fields(CaseInput(
        title=data.title, narrative=data.narrative, category_id=data.category_id, channel=Channel.ONLINE,
        occurred_at=data.occurred_at or now, village_id=village.pk if village else 0,
    ), errors, now)
    people = list(parties)
    if not people or not (people[0].phone or "").strip():
        errors["parties[0].phone"] = _("请填写联系电话，用于查询进度和回访")
    if people and people[0].role != PartyRole.APPLICANT:
        errors["parties[0].role"] = _("当事人类型无效")
    party_rows = _validated_parties(people, errors)
    checked = photos_check(photos, errors)
    if errors:
        raise InvalidInput(_("提交信息有误，请检查标注的项目"), extra={"fields": errors})

    owning_region = Region.objects.get(pk=village.township_id or village.county_id or village.city_id)
    case = Case(
        number=_next_case_number(village.code[:9], now.astimezone(SHANGHAI).date()),
        **fields,
        channel=Channel.ONLINE,
        address=(data.address or "").strip()[:200],
        state=CaseState.REGISTERED,
        owning_level=owning_region.level,
        owning_region=owning_region,
        registered_by=None,
        submit_token=token,
    )
    case.set_region(village)
    for name, value in deadlines.step_changes(case, Step.ACCEPT, now).items():
        setattr(case, name, value)
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError:
        existing = Case.objects.filter(submit_token=token, channel=Channel.ONLINE).first() if token else None
        if existing is None:
            raise
        return existing  # the same form submitted twice at once
    CaseParty.objects.bulk_create([CaseParty(case=case, **row) for row in party_rows])
    phone = party_data.phone_validate(people[0].phone)
    PublicSubmission.objects.create(
        case=case, consent_version=CONSENT_VERSION, consented_at=now,
        tracking_hash=tracking_hash(case.number, phone[-PHONE_TAIL_DIGITS:]),
    )
    stored = []
    try:
        for photo, file_info in zip([p for p in photos if p], checked, strict=True):
            stored.append(attachment_store(case_id=case.pk, uploaded_file=photo, checked=file_info, uploaded_by=None))
        event = event_build(
            case_id=case.pk, actor=None, action="register", from_state="", to_state=case.state, now=now,
            data={"channel": Channel.ONLINE, "by": BY_PUBLIC, "parties": len(party_rows), "photos": len(stored),
                  "consent_version": CONSENT_VERSION},
        )
        event.save(force_insert=True)
        audit_record(actor=None, action="public.submit", target_type="disputes.case", target_id=case.pk,
                     region_id=village.pk, ip_address=ip,
                     detail={"case_number": case.number, "consent_version": CONSENT_VERSION})
    except BaseException:
        # The rows roll back with the transaction; the files written to storage do not.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    notify(case, "register", Recipients(center_region_ids=(owning_region.pk,)), event_id=event.pk, actor_id=None)
    case_warnings_enqueue(case_id=case.pk, actor_id=None)  # 研判预警, after commit
    return case


@transaction.atomic
def case_rate_public(*, case_id: int, level: str, comment: str = "", ip: str | None = None) -> PublicRating:
    """The resident's satisfaction rating (满意/基本满意/不满意) of their online case, once,
    after it was resolved. The caller has proved the lookup (number + phone digits) and passes
    the case's id; an unsatisfied rating tells the owning center."""
    if level not in Satisfaction.values:
        message = _("请选择满意程度")
        raise InvalidInput(message, extra={"fields": {"level": message}})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        message = _("评价意见不超过%(n)s字") % {"n": COMMENT_MAX}
        raise InvalidInput(message, extra={"fields": {"comment": message}})
    # Uses index: the primary key. The row lock orders a rating after a transition in flight.
    pk = parse_id(case_id, _("该案件"))
    case = Case.objects.select_for_update().filter(pk=pk, channel=Channel.ONLINE).first() if 0 < pk <= ID_MAX \
        else None
    if case is None:
        raise NotFound(_("未找到该案件"))
    if case.state not in RATABLE_STATES:
        raise Conflict(_("案件办结后才能评价"), code="invalid_state")
    try:
        with transaction.atomic():
            rating = PublicRating.objects.create(case=case, level=level, comment=comment)
    except IntegrityError:
        raise Conflict(_("您已评价过该案件，感谢您的反馈"), code="already_rated") from None
    now = clock.now()
    event = event_build(case_id=case.pk, actor=None, action="public_rating", from_state=case.state,
                        to_state=case.state, now=now, note=comment, data={"by": BY_PUBLIC, "level": level})
    event.save(force_insert=True)
    audit_record(actor=None, action="public.rate", target_type="disputes.case", target_id=case.pk,
                 region_id=case.village_id, ip_address=ip, detail={"level": level})
    if level == Satisfaction.UNSATISFIED:
        notify(case, "public_rating", Recipients(center_region_ids=(case.owning_region_id,)), event_id=event.pk,
               actor_id=None)
    return rating


__all__ = [
    "BY_PUBLIC", "CONSENT_VERSION", "PHONE_TAIL_DIGITS", "PHOTOS_MAX", "PublicCaseInput", "RATABLE_STATES",
    "case_rate_public", "case_submit_public", "tracking_hash",
]
