"""Serializers of the disputes API: input serializers parse one operation's fields, output
serializers render rows. They hold no rules — the services decide.

Party ID numbers and phones are only ever rendered from the masked columns; the full value
has its own audited endpoint (party reveal).
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from disputes.actions import PERFORMED, CaseAction, Input, Kind
from disputes.models import (
    CLOCK_STOPPED,
    ETHNICITIES,
    AssignmentRole,
    AssignmentStatus,
    CaseState,
    Channel,
    DayKind,
    ExtensionStatus,
    Gender,
    IdType,
    MediationOutcome,
    PartyKind,
    PartyRole,
    ReferralKind,
    ReferralStatus,
    Step,
    SupervisionKind,
    WarningLevel,
)
from governance.inputs import (
    COUNT_MAX,
    PARTIES_MAX,
    BirthDateSerializerField,
    CleanCharSerializerField,
    OccurrenceDateTimeSerializerField,
    SpanDateTimeSerializerField,
)
from governance.models import RegionLevel
from governance.serializers import (
    ChoiceLabelField,
    LocalDateTimeField,
    RefOutputSerializer,
    RegionRefOutputSerializer,
    UserRefOutputSerializer,
)

# The largest id PostgreSQL's bigint holds: a larger one is "not found", never an overflow.
ID_MAX = 2**63 - 1
VERSION_HELP = "客户端看到的案件版本号；与当前版本不一致时返回 409（已被他人修改）"


def _version_field() -> serializers.IntegerField:
    return serializers.IntegerField(label=_("版本"), required=False, allow_null=True, min_value=1,
                                    help_text=VERSION_HELP)


# --- Output: small shapes (the generic ones come from governance.serializers) -----------------


class CategoryRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class RiskGradeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    color = serializers.CharField()


# --- Output: cases -------------------------------------------------------------------------------


class CaseListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=CaseState.choices)
    state_label = ChoiceLabelField(CaseState.choices, source="state")
    category = CategoryRefOutputSerializer()
    channel = serializers.ChoiceField(choices=Channel.choices)
    channel_label = ChoiceLabelField(Channel.choices, source="channel")
    village = RegionRefOutputSerializer(allow_null=True)
    township = RegionRefOutputSerializer(allow_null=True)
    owning_level = serializers.ChoiceField(choices=RegionLevel.choices)
    owning_region = RegionRefOutputSerializer()
    step = serializers.SerializerMethodField(help_text="当前环节；已归档、不予受理的案件为 null")
    urgent = serializers.BooleanField()
    warning_level = serializers.ChoiceField(choices=WarningLevel.choices)
    due_at = LocalDateTimeField(allow_null=True)
    due_provisional = serializers.BooleanField(help_text="期限跨越尚未公布的节假日安排，待定")
    occurred_at = LocalDateTimeField()
    created_at = LocalDateTimeField()
    version = serializers.IntegerField()

    @extend_schema_field(serializers.ChoiceField(choices=Step.choices, allow_null=True))
    def get_step(self, case) -> str | None:
        return None if case.state in CLOCK_STOPPED else case.step


class PartyOutputSerializer(serializers.Serializer):
    """A party with masked ID number and phone (never the full values)."""

    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=PartyRole.choices)
    role_label = serializers.CharField(source="get_role_display")
    kind = serializers.ChoiceField(choices=PartyKind.choices)
    name = serializers.CharField()
    id_type = serializers.ChoiceField(choices=IdType.choices)
    id_number_masked = serializers.CharField()
    phone_masked = serializers.CharField()
    address = serializers.CharField()
    gender = serializers.CharField(help_text="male / female / 空")
    ethnicity = serializers.CharField()
    birth_year = serializers.SerializerMethodField(
        help_text="出生年份（完整出生日期与证件号码一样不在列表和详情中给出）")
    occupation = serializers.CharField()
    legal_representative = serializers.CharField()

    def get_birth_year(self, party) -> int | None:
        return party.birth_date.year if party.birth_date else None


class AssignmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    department = RefOutputSerializer(allow_null=True)
    region = RegionRefOutputSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=AssignmentStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    due_at = serializers.DateTimeField(allow_null=True)
    return_by = serializers.DateTimeField(allow_null=True, help_text="退回截止：此后承办单位不能再退回")
    instructions = serializers.CharField()
    assigned_by = UserRefOutputSerializer()
    created_at = serializers.DateTimeField()
    signed_at = serializers.DateTimeField(allow_null=True)
    role = serializers.ChoiceField(choices=AssignmentRole.choices, help_text="lead 牵头单位；assist 协办单位")
    result = serializers.CharField(help_text="协办单位的反馈")


class CaseDetailOutputSerializer(CaseListOutputSerializer):
    """One case with its parties (masked), open assignment and the actions open to the caller.

    Context: `assignment` (the open CaseAssignment or None) and `available_actions`.
    """

    narrative = serializers.CharField()
    address = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    grid = RefOutputSerializer(allow_null=True)
    people_involved = serializers.IntegerField()
    amount_involved = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    risk_grade = RiskGradeOutputSerializer(allow_null=True)
    long_standing = serializers.BooleanField()
    criminal_risk = serializers.BooleanField()
    step_started_at = serializers.DateTimeField(allow_null=True)
    red_at = serializers.DateTimeField(allow_null=True)
    return_count = serializers.IntegerField()
    redo_count = serializers.IntegerField()
    duplicate_of_id = serializers.IntegerField(allow_null=True)
    registered_by = UserRefOutputSerializer(allow_null=True, help_text="网上提交的案件为空（群众自行提交）")
    external_id = serializers.CharField(help_text="外部工单号（如12345工单号）；无则为空")
    external_due_at = LocalDateTimeField(allow_null=True, help_text="来源方（如12345）设定的办结时限")
    accepted_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    parties = PartyOutputSerializer(many=True, source="parties.all")
    current_assignment = serializers.SerializerMethodField()
    assist_assignments = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    @extend_schema_field(AssignmentOutputSerializer(many=True))
    def get_assist_assignments(self, case) -> list[dict]:
        """The open assisting units (一揽子调处), each with its own sign and deadline."""
        return AssignmentOutputSerializer(self.context.get("assists", []), many=True).data

    @extend_schema_field(AssignmentOutputSerializer(allow_null=True))
    def get_current_assignment(self, case) -> dict | None:
        assignment = self.context.get("assignment")
        return AssignmentOutputSerializer(assignment).data if assignment is not None else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField(),
                                               help_text="当前用户此刻可执行的操作"))
    def get_available_actions(self, case) -> list[str]:
        return list(self.context.get("available_actions", []))


class CaseEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    actor = UserRefOutputSerializer(allow_null=True)
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()
    data = serializers.JSONField()


class SupervisionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SupervisionKind.choices)
    level = serializers.CharField(help_text="督办级别 normal / yellow / red；催办、批示为空")
    note = serializers.CharField()
    by = UserRefOutputSerializer(allow_null=True, help_text="发起人；系统自动催办时为 null")
    created_at = serializers.DateTimeField()


class ExtensionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    days = serializers.IntegerField()
    day_kind = serializers.ChoiceField(choices=DayKind.choices, help_text="延长天数的计日方式：working 工作日 / natural 自然日")
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=ExtensionStatus.choices)
    requested_by = UserRefOutputSerializer()
    created_at = serializers.DateTimeField()


class MediationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    mediators = serializers.CharField()
    organisation = serializers.CharField()
    committee_name = serializers.CharField(help_text="盖章的人民调解委员会")
    held_at = serializers.DateTimeField()
    place = serializers.CharField()
    record = serializers.CharField()
    outcome = serializers.ChoiceField(choices=MediationOutcome.choices)
    facts = serializers.CharField()
    agreement_content = serializers.CharField()
    performance = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReferralOutputSerializer(serializers.Serializer):
    """A referral (转调 / 诉调对接) and what came back."""

    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ReferralKind.choices)
    organisation = RefOutputSerializer()
    mediation_id = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    due_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()
    result = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class RevealOutputSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


# --- Input: registering a case -----------------------------------------------------------------


class PartyInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(label=_("当事人类型"), choices=PartyRole.choices)
    kind = serializers.ChoiceField(label=_("主体类型"), choices=PartyKind.choices, default=PartyKind.PERSON)
    name = CleanCharSerializerField(label=_("姓名/名称"), max_length=100)
    id_type = serializers.ChoiceField(label=_("证件类型"), choices=IdType.choices, required=False, allow_blank=True,
                                      default="", help_text="空: 自然人为居民身份证，单位为统一社会信用代码")
    id_number = serializers.CharField(label=_("证件号码"), max_length=32, required=False, allow_blank=True,
                                      default="")
    phone = serializers.CharField(label=_("联系电话"), max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(label=_("住址"), max_length=200, required=False, allow_blank=True, default="")
    gender = serializers.ChoiceField(label=_("性别"), choices=Gender.choices, required=False, allow_blank=True,
                                     default="", help_text="自然人；持居民身份证的由号码得出（填写时须一致）")
    ethnicity = serializers.ChoiceField(label=_("民族"), choices=list(ETHNICITIES), required=False, allow_blank=True,
                                        default="", help_text="自然人，按 GB/T 3304 名称")
    birth_date = BirthDateSerializerField(label=_("出生日期"), required=False, allow_null=True, default=None,
                                       help_text="自然人；持居民身份证的由号码得出（填写时须一致）")
    occupation = serializers.CharField(label=_("职业或工作单位"), max_length=100, required=False, allow_blank=True,
                                       default="")
    legal_representative = CleanCharSerializerField(label=_("法定代表人(负责人)"), max_length=50, required=False,
                                                 allow_blank=True, default="", help_text="单位")


class CaseCreateInputSerializer(serializers.Serializer):
    """Fields of disputes.services.CaseInput, the parties, and related/duplicate links.

    Send the header `Idempotency-Key` to make a retried POST return the first case (200).
    """

    title = serializers.CharField(label=_("标题"), max_length=200)
    narrative = serializers.CharField(label=_("事由"))
    category_id = serializers.IntegerField(label=_("类别"), min_value=1, max_value=ID_MAX)
    channel = serializers.ChoiceField(label=_("来源渠道"), choices=Channel.choices)
    occurred_at = OccurrenceDateTimeSerializerField(label=_("发生时间"), help_text="1949-10-01 至当前时间")
    village_id = serializers.IntegerField(label=_("村(社区)"), min_value=1, max_value=ID_MAX)
    grid_id = serializers.IntegerField(label=_("网格"), min_value=1, max_value=ID_MAX, required=False, allow_null=True,
                                      default=None)
    address = serializers.CharField(label=_("地点"), max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, required=False,
                                        allow_null=True, default=None)
    longitude = serializers.DecimalField(label=_("经度"), max_digits=9, decimal_places=6, required=False,
                                         allow_null=True, default=None)
    people_involved = serializers.IntegerField(label=_("涉及人数"), min_value=1, max_value=COUNT_MAX, required=False,
                                               default=1)
    amount_involved = serializers.DecimalField(label=_("涉及金额(元)"), max_digits=14, decimal_places=2,
                                               min_value=0, required=False, allow_null=True, default=None)
    risk_grade_id = serializers.IntegerField(label=_("风险等级"), min_value=1, max_value=ID_MAX, required=False,
                                             allow_null=True, default=None)
    urgent = serializers.BooleanField(label=_("加急"), required=False, default=False)
    long_standing = serializers.BooleanField(label=_("历史遗留"), required=False, default=False)
    criminal_risk = serializers.BooleanField(label=_("民转刑风险"), required=False, default=False)
    # Empty is the service's call: a dispute needs a party, an incident or hazard may have none.
    parties = PartyInputSerializer(label=_("当事人"), many=True, required=False, default=list, max_length=PARTIES_MAX)
    related_to_ids = serializers.ListField(label=_("关联案件"), child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
                                           required=False, default=list, max_length=50)
    duplicate_of_id = serializers.IntegerField(label=_("重复件"), min_value=1, max_value=ID_MAX, required=False,
                                               allow_null=True, default=None)
    external_id = serializers.CharField(
        label=_("外部工单号"), max_length=64, required=False, allow_blank=True, default="",
        help_text="12345转办（channel hotline）等外部系统的工单号；同一渠道同一工单号再次提交时返回首次登记的案件（200）")
    external_due_at = SpanDateTimeSerializerField(
        label=_("来源方办结时限"), required=False, allow_null=True, default=None,
        help_text="来源方（如12345）要求的办结时间；平台自身各环节时限照常计算")


# --- Input: one serializer per case action, derived from the action table ---------------------


def input_field(spec: Input) -> serializers.Field:
    """The API field of one action input (disputes/actions.py)."""
    common: dict[str, Any] = {"label": spec.label, "help_text": spec.help_text or None}
    if not spec.required:
        common["required"] = False
        if spec.kind in (Kind.TEXT, Kind.LINE):
            common.update(allow_blank=True, default="")
        elif spec.kind == Kind.REFS:
            common["default"] = list
        elif spec.kind == Kind.REF or spec.default is None:
            common.update(allow_null=True, default=None)
        else:
            common["default"] = spec.default
    if spec.kind in (Kind.TEXT, Kind.LINE):
        return serializers.CharField(**common, max_length=spec.max_length)
    if spec.kind == Kind.INT:
        return serializers.IntegerField(**common, min_value=spec.min_value, max_value=spec.max_value or ID_MAX)
    if spec.kind == Kind.REF:
        return serializers.IntegerField(**common, min_value=1, max_value=ID_MAX)
    if spec.kind == Kind.REFS:
        return serializers.ListField(**common, child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
                                     max_length=50)
    if spec.kind == Kind.BOOL:
        return serializers.BooleanField(**common)
    if spec.kind == Kind.CHOICE:
        return serializers.ChoiceField(**common, choices=spec.choices)
    if spec.kind == Kind.DATETIME:
        return OccurrenceDateTimeSerializerField(**common)
    if spec.kind == Kind.FILE:
        return serializers.FileField(**common)
    raise ValueError(f"no API field for input kind {spec.kind}")


class ActionInputSerializer(serializers.Serializer):
    action: CaseAction

    def validate(self, attrs: dict) -> dict:
        if self.action.validate is not None:
            message = self.action.validate(attrs)
            if message:
                raise serializers.ValidationError(message)
        return attrs


def _input_serializer(action: CaseAction) -> type[ActionInputSerializer]:
    attrs: dict[str, Any] = {"action": action, "__module__": __name__,
                             "__doc__": f"Input of {action.name} ({action.label})."}
    for spec in action.inputs:
        attrs[spec.name] = input_field(spec)
    if action.versioned:
        attrs["version"] = _version_field()
    return type(f"Case{action.pascal}InputSerializer", (ActionInputSerializer,), attrs)


# action name → its input serializer (Case<Action>InputSerializer in the OpenAPI schema).
ACTION_INPUT_SERIALIZERS: dict[str, type[ActionInputSerializer]] = {a.name: _input_serializer(a) for a in PERFORMED}


class PartyRevealInputSerializer(serializers.Serializer):
    field = serializers.ChoiceField(label=_("字段"), choices=[("id_number", _("证件号码")), ("phone", _("联系电话"))])


class CaseHintInputSerializer(serializers.Serializer):
    id_number = serializers.CharField(label=_("证件号码"), max_length=32, required=False, allow_blank=True, default="")
    phone = serializers.CharField(label=_("联系电话"), max_length=20, required=False, allow_blank=True, default="")
    village = serializers.IntegerField(label=_("村(社区)"), min_value=1, max_value=ID_MAX, required=False,
                                       allow_null=True, default=None)
    category = serializers.IntegerField(label=_("类别"), min_value=1, max_value=ID_MAX, required=False,
                                        allow_null=True, default=None)
    exclude = serializers.IntegerField(label=_("排除案件"), min_value=1, max_value=ID_MAX, required=False,
                                       allow_null=True, default=None,
                                       help_text="编辑已有案件时排除其自身")
