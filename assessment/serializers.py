"""Assessment API serializers: input serializers for writes, output serializers for reads."""
from __future__ import annotations

from rest_framework import serializers

from assessment.models import AssessmentPeriod, ItemKind, PeriodKind, PeriodState, RubricItem, Veto, VetoState
from governance.serializers import ChoiceLabelField, RegionRefOutputSerializer


class AssessmentPeriodOutputSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField(PeriodKind.choices, source="kind")
    state_label = ChoiceLabelField(PeriodState.choices, source="state")
    label = serializers.CharField(read_only=True)

    class Meta:
        model = AssessmentPeriod
        fields = ["id", "label", "kind", "kind_label", "year", "number", "start", "end", "state", "state_label",
                  "computed_at", "published_at"]


class RankingRowOutputSerializer(serializers.Serializer):
    unit = RegionRefOutputSerializer(source="score.unit")
    rank = serializers.IntegerField(source="score.rank")
    total = serializers.DecimalField(source="score.total", max_digits=8, decimal_places=2, coerce_to_string=False)
    computed_total = serializers.DecimalField(source="score.computed_total", max_digits=8, decimal_places=2,
                                              coerce_to_string=False)
    adjustment = serializers.DecimalField(source="score.adjustment", max_digits=8, decimal_places=2,
                                          coerce_to_string=False)
    grade = serializers.CharField(source="score.grade")
    grade_label = serializers.CharField(source="score.get_grade_display")
    vetoed = serializers.BooleanField(source="score.vetoed")
    change_rank = serializers.IntegerField(allow_null=True)
    change_total = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True, coerce_to_string=False)
    target = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True, coerce_to_string=False)
    detail = serializers.BooleanField(help_text="调用者可否查看该单位明细")


class RankingOutputSerializer(serializers.Serializer):
    period = AssessmentPeriodOutputSerializer()
    level = serializers.CharField()
    parent = RegionRefOutputSerializer()
    rows = RankingRowOutputSerializer(many=True)


class DetailLineOutputSerializer(serializers.Serializer):
    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")
    kind = serializers.CharField(source="item.kind")
    metric = serializers.CharField(source="item.metric")
    max_points = serializers.DecimalField(source="item.max_points", max_digits=7, decimal_places=2,
                                          coerce_to_string=False)
    numerator = serializers.IntegerField(source="line.numerator", allow_null=True, default=None)
    denominator = serializers.IntegerField(source="line.denominator", allow_null=True, default=None)
    value = serializers.DecimalField(source="line.value", max_digits=9, decimal_places=2, allow_null=True,
                                     default=None, coerce_to_string=False)
    points = serializers.SerializerMethodField()
    note = serializers.CharField(source="line.note", default="")
    cases = serializers.DictField(source="links", child=serializers.CharField(),
                                  help_text="口径 → 案件列表查询串（/cases/?…）")

    def get_points(self, obj) -> float | None:
        value = obj.line.points if obj.line is not None else obj.group_points
        return None if value is None else float(value)


class UnitDetailOutputSerializer(serializers.Serializer):
    unit = RegionRefOutputSerializer(source="score.unit")
    period = AssessmentPeriodOutputSerializer()
    total = serializers.DecimalField(source="score.total", max_digits=8, decimal_places=2, coerce_to_string=False)
    rank = serializers.IntegerField(source="score.rank")
    grade = serializers.CharField(source="score.grade")
    vetoed = serializers.BooleanField(source="score.vetoed")
    lines = DetailLineOutputSerializer(many=True)


class IndicatorOutputSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField(ItemKind.choices, source="kind")
    year = serializers.IntegerField(source="rubric.year")
    level = serializers.CharField(source="rubric.level")
    department = serializers.CharField(source="department.name", default=None)

    class Meta:
        model = RubricItem
        fields = ["id", "year", "level", "code", "name", "depth", "parent_id", "kind", "kind_label", "metric",
                  "max_points",
                  "weight", "formula", "cap", "department", "target", "description"]


class VetoOutputSerializer(serializers.ModelSerializer):
    unit = RegionRefOutputSerializer()
    state_label = ChoiceLabelField(VetoState.choices, source="state")
    case_ids = serializers.SerializerMethodField()

    class Meta:
        model = Veto
        fields = ["id", "unit", "reason", "effect", "state", "state_label", "starts_on", "ends_on", "decided_at", "case_ids"]

    def get_case_ids(self, obj) -> list[int]:
        return sorted(case.pk for case in obj.cases.all())


class VetoInputSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    reason = serializers.CharField(max_length=2000)
    case_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    effect = serializers.CharField(max_length=200, required=False, default="")
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    days = serializers.IntegerField(required=False, default=365, min_value=1, max_value=1098)


class VetoDecideInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
