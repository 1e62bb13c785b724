"""一窗受理: registering a case, with its parties and links, at the actor's center."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes import deadlines, permissions
from disputes import parties as party_data
from disputes.models import (
    ETHNICITIES,
    PERSON_ID_TYPES,
    Attachment,
    Case,
    CaseLink,
    CaseNumberCounter,
    CaseParty,
    CaseState,
    Category,
    CategoryKind,
    Channel,
    Gender,
    IdType,
    PartyKind,
    PartyRole,
    RiskGrade,
    Step,
)
from disputes.services.audit_trail import events_save, region_of
from disputes.services.core import (
    Recipients,
    event_build,
    notify,
    parse_id,
)
from disputes.services.records import attachment_add, attachment_check
from disputes.services.warnings import case_warnings_enqueue
from governance import clock
from governance.errors import Conflict, InvalidInput, NotFound
from governance.inputs import COUNT_MAX, OCCURRENCE_SLACK, PARTIES_MAX, occurrence_error, text_clean
from governance.models import Region, RegionLevel, Role, User
from governance.scoping import scope_for
from governance.workdays import SHANGHAI
from grids.contract import grid_active_in_village, grid_locate

# --- Inputs -------------------------------------------------------------------------------------


@dataclass
class PartyInput:
    """A party as entered. `id_type` blank means the mainland ID card for a person and the
    unified social credit code for an organisation. A person's gender and birth date come
    from a mainland ID number when one is given (entered values must agree with it); the
    fields of the other kind (a person's legal representative, an organisation's gender,
    民族, birth date, occupation) are not kept."""

    role: str
    kind: str
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    id_type: str = ""
    gender: str = ""
    ethnicity: str = ""
    birth_date: dt.date | None = None
    occupation: str = ""
    legal_representative: str = ""


@dataclass
class CaseInput:
    title: str
    narrative: str
    category_id: int
    channel: str
    occurred_at: dt.datetime
    village_id: int
    grid_id: int | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    people_involved: int = 1
    amount_involved: Decimal | None = None
    risk_grade_id: int | None = None
    urgent: bool = False
    long_standing: bool = False
    criminal_risk: bool = False  # 民转刑风险 (研判预警)
    # A transfer from another system: its work-order number (unique per channel) and deadline.
    external_id: str = ""
    external_due_at: dt.datetime | None = None



# --- Intake ------------------------------------------------------------------------------------------

def _next_case_number(township_code: str, day: dt.date) -> str:
    """一案一码: township code + yyyymmdd + 4-digit daily sequence.

    The sequence is taken by one `UPDATE … SET last = last + 1`, which holds the row lock to
    the end of the transaction, so concurrent registrations never draw the same number.
    """
    # One round trip: UPDATE … RETURNING (PostgreSQL, and SQLite since 3.35).
    increment = (f"UPDATE {connection.ops.quote_name(CaseNumberCounter._meta.db_table)} SET last = last + 1 "  # nosec B608: quoted model table name; values are parameters
                 "WHERE township_code = %s AND day = %s RETURNING last")
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(increment, [township_code, day])
            row = cursor.fetchone()
        if row is not None:
            return f"{township_code}{day:%Y%m%d}{row[0]:04d}"
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.get_or_create(township_code=township_code, day=day)
        except IntegrityError:
            continue  # another registration created the row first; increment it
    raise Conflict(_("案件编号生成繁忙，请稍后重试"), code="busy")


def _validated_parties(parties: Sequence[PartyInput], errors: dict[str, str], *,
                       required: bool = True) -> list[dict[str, Any]]:
    """The parties' rows; at least one unless `required` is False (an incident or hazard:
    `CategoryKind.INCIDENT`)."""
    rows: list[dict[str, Any]] = []
    if len(parties) > PARTIES_MAX:
        errors["parties"] = _("一次最多登记%(n)s名当事人（群体性纠纷请登记代表人）") % {"n": PARTIES_MAX}
        return rows
    if not parties:
        if required:
            errors["parties"] = _("矛盾纠纷至少登记一名当事人（事件、隐患类可不填）")
        return rows
    for index, party in enumerate(parties):
        prefix = f"parties[{index}]"
        row: dict[str, Any] = {"role": party.role, "kind": party.kind, "name": text_clean(party.name),
                               "address": (party.address or "").strip()}
        if party.role not in PartyRole.values:
            errors[f"{prefix}.role"] = _("当事人类型无效")
        if party.kind not in PartyKind.values:
            errors[f"{prefix}.kind"] = _("主体类型无效")
        if not row["name"]:
            errors[f"{prefix}.name"] = _("请填写当事人姓名或名称")
        id_number = phone = ""
        id_type = _party_id_type(party, prefix, errors)
        try:
            if (party.id_number or "").strip() and id_type:
                id_number = party_data.document_number_validate(id_type, party.id_number)
        except InvalidInput as exc:
            errors[f"{prefix}.id_number"] = exc.message
        try:
            if (party.phone or "").strip():
                phone = party_data.phone_validate(party.phone)
        except InvalidInput as exc:
            errors[f"{prefix}.phone"] = exc.message
        row["id_type"] = id_type or IdType.RESIDENT
        row.update(_party_details(party, id_type=id_type, id_number=id_number, prefix=prefix, errors=errors))
        row.update(party_data.protected_fields(id_number=id_number, phone=phone))
        rows.append(row)
    return rows


def _party_id_type(party: PartyInput, prefix: str, errors: dict[str, str]) -> str:
    """The party's document type ("" after an error): persons hold identity documents,
    organisations a unified social credit code."""
    person = party.kind != PartyKind.ORGANISATION
    id_type = (party.id_type or "").strip() or (IdType.RESIDENT if person else IdType.USCC)
    if person and id_type not in PERSON_ID_TYPES:
        errors[f"{prefix}.id_type"] = _("自然人请选择身份证件类型")
        return ""
    if not person and id_type != IdType.USCC:
        errors[f"{prefix}.id_type"] = _("单位的证件应为统一社会信用代码")
        return ""
    return id_type


def _text(value: str | None, limit: int, key: str, errors: dict[str, str]) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        errors[key] = _("不能超过%(limit)s个字") % {"limit": limit}
    return text


def _party_details(party: PartyInput, *, id_type: str, id_number: str, prefix: str,
                   errors: dict[str, str]) -> dict[str, Any]:
    """The basic details a legal document states (人民调解法 art. 29), of the party's kind."""
    if party.kind == PartyKind.ORGANISATION:
        return {"gender": "", "ethnicity": "", "birth_date": None, "occupation": "",
                "legal_representative": _text(text_clean(party.legal_representative), 50, f"{prefix}.legal_representative",
                                              errors)}
    gender = (party.gender or "").strip()
    if gender and gender not in Gender.values:
        errors[f"{prefix}.gender"] = _("性别无效")
    born = party.birth_date
    if born is not None and (not isinstance(born, dt.date) or born.year < 1900 or born > clock.localdate()):
        errors[f"{prefix}.birth_date"] = _("出生日期不合理")
    if id_type == IdType.RESIDENT and id_number:
        facts = party_data.id_number_facts(id_number)
        if gender and gender != facts.gender:
            errors[f"{prefix}.gender"] = _("性别与身份证号码不符")
        if born and born != facts.birth_date:
            errors[f"{prefix}.birth_date"] = _("出生日期与身份证号码不符")
        gender, born = facts.gender, facts.birth_date
    ethnicity = (party.ethnicity or "").strip()
    if ethnicity and ethnicity not in ETHNICITIES:
        errors[f"{prefix}.ethnicity"] = _("请从列表中选择民族")
    return {"gender": gender, "ethnicity": ethnicity, "birth_date": born,
            "occupation": _text(party.occupation, 100, f"{prefix}.occupation", errors), "legal_representative": ""}


def _validated_case_fields(data: CaseInput, errors: dict[str, str], now: dt.datetime) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": text_clean(data.title), "narrative": (data.narrative or "").strip()}
    if not fields["title"]:
        errors["title"] = _("请填写标题")
    if not fields["narrative"]:
        errors["narrative"] = _("请填写事由")
    category = Category.objects.select_related("parent").filter(pk=data.category_id, is_active=True).first() \
        if str(data.category_id or "").isdigit() else None
    if category is None:
        errors["category_id"] = _("请选择有效的纠纷类别")
    elif category.parent_id is None and Category.objects.filter(parent_id=category.pk).exists():
        errors["category_id"] = _("请选择具体的二级类别")
    fields["category"] = category
    if data.channel not in Channel.values:
        errors["channel"] = _("来源渠道无效")
    if not isinstance(data.occurred_at, dt.datetime):
        errors["occurred_at"] = _("请填写发生时间")
    elif timezone.is_naive(data.occurred_at):
        fields["occurred_at"] = data.occurred_at.replace(tzinfo=SHANGHAI)
    else:
        fields["occurred_at"] = data.occurred_at
    if fields.get("occurred_at") and fields["occurred_at"] > now + OCCURRENCE_SLACK:
        errors["occurred_at"] = _("发生时间不能晚于当前时间")
    elif fields.get("occurred_at") and (message := occurrence_error(fields["occurred_at"])):
        errors["occurred_at"] = message
    try:
        fields["people_involved"] = int(data.people_involved)
        if fields["people_involved"] < 1:
            raise ValueError
        if fields["people_involved"] > COUNT_MAX:
            errors["people_involved"] = _("涉及人数不能超过%(n)s") % {"n": COUNT_MAX}
    except (TypeError, ValueError):
        errors["people_involved"] = _("涉及人数至少为1")
    if data.amount_involved not in (None, ""):
        try:
            fields["amount_involved"] = Decimal(str(data.amount_involved))
            if fields["amount_involved"] < 0:
                raise InvalidOperation
        except InvalidOperation:
            errors["amount_involved"] = _("涉及金额无效")
    if data.risk_grade_id and not RiskGrade.objects.filter(pk=data.risk_grade_id).exists():
        errors["risk_grade_id"] = _("风险等级无效")
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = getattr(data, name)
        if value in (None, ""):
            continue
        try:
            fields[name] = Decimal(str(value)).quantize(Decimal("0.000001"))
            if abs(fields[name]) > limit:
                raise InvalidOperation
        except InvalidOperation:
            errors[name] = _("坐标无效")
    return fields


def _grid_at(scope, fields: dict[str, Any], village: Region, errors: dict[str, str]) -> int | None:
    """Point in grid: the grid whose boundary holds the case's coordinates, when it lies in the
    chosen village (a grid chosen on the form wins: the clerk's override). A point outside
    the county is an error on the coordinates."""
    try:
        hit = grid_locate(scope=scope, lng=fields["longitude"], lat=fields["latitude"], field="latitude")
    except InvalidInput as exc:
        errors.update(exc.extra["fields"])
        return None
    return hit.grid_id if hit is not None and hit.village_id == village.pk else None


def _idempotent_result(existing: Case, actor: User) -> Case:
    if existing.registered_by_id != actor.pk:
        raise Conflict(_("提交标识已被使用"), code="duplicate_submit")
    existing.replayed = True
    return existing


# Channels whose cases come from another system with a work-order number of its own.
EXTERNAL_CHANNELS = frozenset({Channel.HOTLINE, Channel.DEPARTMENT, Channel.SUPERIOR})
EXTERNAL_ID_MAX = 64


def _external_fields(data: CaseInput, channel: str, errors: dict[str, str]) -> dict[str, Any]:
    """The transfer's work-order number and the deadline its system set (12345: 工单号, 办结时限)."""
    external_id = (data.external_id or "").strip()
    due = data.external_due_at
    if external_id and channel not in EXTERNAL_CHANNELS:
        errors["external_id"] = _("只有12345转办、部门移交和上级交办的案件可以填写外部工单号")
    elif len(external_id) > EXTERNAL_ID_MAX:
        errors["external_id"] = _("外部工单号过长")
    if due is not None and not isinstance(due, dt.datetime):
        errors["external_due_at"] = _("来源方办结时限格式不正确")
        due = None
    elif due is not None and timezone.is_naive(due):
        due = due.replace(tzinfo=SHANGHAI)
    if due is not None and not external_id:
        errors["external_due_at"] = _("填写来源方办结时限时请同时填写外部工单号")
    return {"external_id": external_id, "external_due_at": due}


def _transferred_result(existing: Case, actor: User) -> Case:
    """The same work order sent again: the first case, when the sender can see it."""
    if not scope_for(actor).covers(existing):
        raise Conflict(_("该外部工单号已登记"), code="duplicate_external_id")
    existing.replayed = True
    return existing


def _existing_transfer(channel: str, external_id: str) -> Case | None:
    # Uses index: case_external_id_unique (partial unique on channel, external_id)
    return Case.objects.filter(channel=channel, external_id=external_id).first()


# Files one intake may carry (more go through the case page, one at a time).
INTAKE_ATTACHMENTS_MAX = 10


@transaction.atomic
def case_register(
    *,
    actor: User,
    data: CaseInput,
    parties: list[PartyInput],
    submit_token: str | None = None,
    related_to_ids: Sequence[int] = (),
    duplicate_of_id: int | None = None,
    attachments: Sequence[Any] = (),
    origin: dict[str, Any] | None = None,
) -> Case:
    """一窗受理: register a case at the actor's center, with the files brought to the window
    (`attachments`, uploaded files). The same submit token twice returns the first case
    (and stores no file again), marked `replayed = True` (a transient attribute, not a
    column: the API answers 200 for it, 201 for a case this call created). Exactly once
    under concurrency: the submit token is a unique column of the case row, so of two
    requests with one token the second waits on the first's uncommitted insert and then
    fails it (IntegrityError) — on PostgreSQL and SQLite alike — and reads the first's case.

    Every file is checked before anything is written; then the case is registered and each
    file attached through `attachment_add` in this transaction. When anything fails after a
    file reached storage, the stored files are deleted before the error propagates and the
    transaction rolls back (the same guarantee `attachment_add` gives for one file); a caller
    that wraps this in a larger transaction owns the files if its own later step fails.

    `origin` (plain values: a field report's patrol, say) is kept on the register event.
    """
    stored: list[Attachment] = []
    try:
        return _case_register(actor=actor, data=data, parties=parties, submit_token=submit_token,
                              related_to_ids=related_to_ids, duplicate_of_id=duplicate_of_id,
                              attachments=attachments, stored=stored, origin=origin or {})
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


def _case_register(*, actor: User, data: CaseInput, parties: list[PartyInput], submit_token: str | None,
                   related_to_ids: Sequence[int], duplicate_of_id: int | None, attachments: Sequence[Any],
                   stored: list[Attachment], origin: dict[str, Any]) -> Case:
    scope = scope_for(actor)
    permissions.require_role(user=actor, action="register")
    submit_token = (submit_token or "").strip() or None
    if submit_token:
        existing = Case.objects.filter(submit_token=submit_token).first()
        if existing is not None:
            return _idempotent_result(existing, actor)
    channel = Channel.GRID if actor.role == Role.GRID_WORKER else data.channel
    external_id = (data.external_id or "").strip()
    if external_id and channel in EXTERNAL_CHANNELS:
        existing = _existing_transfer(channel, external_id)
        if existing is not None:
            return _transferred_result(existing, actor)
    now = clock.now()
    village = scope.regions().filter(pk=parse_id(data.village_id, _("该村(社区)"))).first()
    if village is None:
        raise NotFound(_("未找到该村(社区)"))
    related_ids = {parse_id(i, _("该案件")) for i in related_to_ids}
    linked = list(scope.filter(Case.objects.all()).filter(pk__in=related_ids))
    if len(linked) != len(related_ids):
        raise NotFound(_("未找到关联的案件"))
    if duplicate_of_id is not None and not scope.filter(Case.objects.all()).filter(pk=parse_id(duplicate_of_id, "")).exists():
        raise NotFound(_("未找到重复的原案件"))

    errors: dict[str, str] = {}
    fields = _validated_case_fields(data, errors, now)
    fields.update(_external_fields(data, channel, errors))
    if village.level != RegionLevel.VILLAGE:
        errors["village_id"] = _("请选择村(社区)")
    grid_id = None
    if data.grid_id:
        grid_id = grid_active_in_village(grid_id=data.grid_id, village_id=village.pk)
        if grid_id is None:
            errors["grid_id"] = _("网格不属于所选村(社区)")
    elif fields.get("latitude") is not None and fields.get("longitude") is not None:
        grid_id = _grid_at(scope, fields, village, errors)
    category = fields.get("category")
    party_rows = _validated_parties(parties, errors, required=category is None or category.kind != CategoryKind.INCIDENT)
    if len(attachments) > INTAKE_ATTACHMENTS_MAX:
        errors["attachments"] = _("登记时最多上传%(n)s个附件，其余请在案件页面上传") % {"n": INTAKE_ATTACHMENTS_MAX}
    else:
        for uploaded_file in attachments:
            try:
                attachment_check(uploaded_file, field="attachments")
            except InvalidInput as exc:
                errors["attachments"] = exc.extra["fields"]["attachments"]
                break
    if errors:
        raise InvalidInput(_("登记信息有误，请检查标注的项目"), extra={"fields": errors})

    actor_region = actor.region
    owning_region_id = village.township_id or village.county_id or village.city_id
    if actor_region.level in (RegionLevel.COUNTY, RegionLevel.CITY) or actor_region.pk == owning_region_id:
        owning_region = actor_region
    else:
        owning_region = Region.objects.get(pk=owning_region_id)
    case = Case(
        **fields,
        channel=channel,
        address=(data.address or "").strip(),
        grid_id=grid_id,
        risk_grade_id=data.risk_grade_id or None,
        urgent=bool(data.urgent),
        long_standing=bool(data.long_standing),
        criminal_risk=bool(data.criminal_risk),
        state=CaseState.REGISTERED,
        owning_level=owning_region.level,
        owning_region=owning_region,
        intake_region=owning_region,
        registered_by=actor,
        submit_token=submit_token,
        duplicate_of_id=duplicate_of_id,
    )
    case.set_region(village)
    for name, value in deadlines.step_changes(case, Step.ACCEPT, now).items():
        setattr(case, name, value)
    number_args = (village.code[:9], now.astimezone(SHANGHAI).date())
    if not submit_token and not case.external_id:
        case.number = _next_case_number(*number_args)
        case.save(force_insert=True)  # no race to recover from: no savepoint round trips
    else:
        # The number and the row that claims the submit token (or work order) in one
        # savepoint: a request that loses the race to a concurrent one with the same key rolls
        # back its counter increment with its insert, so the daily sequence has no gap.
        try:
            with transaction.atomic():
                case.number = _next_case_number(*number_args)
                case.save(force_insert=True)
        except IntegrityError:
            # A concurrent request with the same submit token or work order won the race.
            existing = Case.objects.filter(submit_token=submit_token).first() if submit_token else None
            if existing is not None:
                return _idempotent_result(existing, actor)
            existing = _existing_transfer(case.channel, case.external_id) if case.external_id else None
            if existing is None:
                raise
            return _transferred_result(existing, actor)
    CaseParty.objects.bulk_create([CaseParty(case=case, **row) for row in party_rows])
    CaseLink.objects.bulk_create([CaseLink(case=case, other=other, created_by=actor) for other in linked])
    event = event_build(
        case_id=case.pk, actor=actor, action="register", from_state="", to_state=case.state, now=now,
        data={"channel": channel, "parties": len(party_rows), "related_to": [c.pk for c in linked],
              "duplicate_of": duplicate_of_id, **({"external_id": case.external_id} if case.external_id else {}),
              **origin},
    )
    events_save([event], regions={case.pk: region_of(case)})
    notify(case, "register", Recipients(center_region_ids=(owning_region.pk,)), event_id=event.pk, actor_id=actor.pk)
    case_warnings_enqueue(case_id=case.pk, actor_id=actor.pk)  # 研判预警, after commit
    for uploaded_file in attachments:
        stored.append(attachment_add(actor=actor, case_id=case.pk, uploaded_file=uploaded_file))
    return case


