"""Reference data of the case API (GET /api/v1/categories/, /api/v1/risk-grades/): the ids a
client puts into a case payload. Read through disputes.selectors.reference; a caller without a
jurisdiction gets 403 like every scoped endpoint."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from disputes import selectors
from disputes.models import Category, RiskGrade
from governance.api import ERROR_RESPONSES, ScopedListApi

TAG = "reference"


class CategoryListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True, help_text="上级类别 id;一级类别为空")
    standard_code = serializers.CharField()


class RiskGradeListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    color = serializers.CharField()
    rank = serializers.IntegerField(help_text="数值越大越严重")


class CategoryListApi(ScopedListApi):
    """GET /api/v1/categories/: the active dispute categories (two levels)."""

    schema_model = Category

    def scoped_queryset(self, scope):
        return selectors.category_list()

    @extend_schema(summary="纠纷类别", tags=[TAG], responses={200: CategoryListOutputSerializer(many=True),
                                                          **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CategoryListOutputSerializer(page, many=True).data)


class RiskGradeListApi(ScopedListApi):
    """GET /api/v1/risk-grades/: the risk grades, most severe first."""

    schema_model = RiskGrade

    def scoped_queryset(self, scope):
        return selectors.risk_grade_list()

    @extend_schema(summary="风险等级", tags=[TAG], responses={200: RiskGradeListOutputSerializer(many=True),
                                                          **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RiskGradeListOutputSerializer(page, many=True).data)
