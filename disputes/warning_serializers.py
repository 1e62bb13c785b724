"""Serializers of the 研判预警 API (disputes/warning_api.py): separate input and output."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from disputes.models import CaseState, WarningKind, WarningState
from disputes.services.warning_follow import NOTE_MAX
from governance.serializers import (
    ChoiceLabelField,
    LocalDateTimeField,
    RefOutputSerializer,
    RegionRefOutputSerializer,
    UserRefOutputSerializer,
)


class WarningCaseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = ChoiceLabelField(CaseState.choices, source="state")
    created_at = LocalDateTimeField()


class WarningOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = ChoiceLabelField(WarningKind.choices, source="kind")
    label = serializers.CharField(help_text="预警对象（当事人证件号码已脱敏）")
    rule = RefOutputSerializer()
    state = serializers.CharField()
    state_label = ChoiceLabelField(WarningState.choices, source="state")
    region = serializers.SerializerMethodField(help_text="该预警所有案件共同所在的最小区划")
    case_count = serializers.IntegerField()
    window_start = LocalDateTimeField(allow_null=True)
    window_end = LocalDateTimeField(allow_null=True)
    created_at = LocalDateTimeField()
    assignee = UserRefOutputSerializer(allow_null=True)
    note = serializers.CharField()
    handled_by = UserRefOutputSerializer(allow_null=True)
    handled_at = LocalDateTimeField(allow_null=True)
    cases = WarningCaseOutputSerializer(many=True, source="scoped_cases")

    def get_region(self, warning) -> dict | None:
        region = warning.village or warning.township or warning.county or warning.city
        return RegionRefOutputSerializer(region).data if region is not None else None


class WarningAcknowledgeInputSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("处置意见"), max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class WarningAssignInputSerializer(serializers.Serializer):
    assignee_id = serializers.IntegerField(label=_("跟进人"), min_value=1)
    note = serializers.CharField(label=_("跟进要求"), max_length=NOTE_MAX)
