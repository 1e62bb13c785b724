"""Assessment API v1: periods, rankings, a unit's indicator detail, the indicator catalogue and
一票否决. Scoped by the kernel's bases and the rule in assessment/selectors.py; writes are one
service call each; errors through the one handler (400/403/404/409 `{message, code, extra}`)."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from assessment import selectors
from assessment import serializers as s
from assessment.models import AssessmentPeriod, RubricItem, Veto
from assessment.services.vetoes import veto_decide, veto_propose
from governance.api import ERROR_RESPONSES, ScopedApi, ScopedListApi, validated
from governance.errors import NotFound
from governance.forms import int_or_none
from governance.models import RegionLevel
from governance.permissions import require

TAG = "assessment"


class AssessmentPeriodListApi(ScopedListApi):
    """GET: the assessment periods of the caller's city, newest first."""

    schema_model = AssessmentPeriod

    def scoped_queryset(self, scope):
        require(scope, "assessment.view")
        return selectors.period_list(scope=scope)

    @extend_schema(summary="考核期列表", tags=[TAG],
                   responses={200: s.AssessmentPeriodOutputSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.AssessmentPeriodOutputSerializer(page, many=True).data)


class RankingApi(ScopedApi):
    """GET: the ranking of one period and level (townships of a county, counties of a city),
    as the caller may see it (docs/assessment.md)."""

    @extend_schema(summary="考核排名", tags=[TAG], responses={200: s.RankingOutputSerializer, **ERROR_RESPONSES},
                   parameters=[OpenApiParameter("period", OpenApiTypes.INT),
                               OpenApiParameter("level", OpenApiTypes.STR,
                                                enum=[RegionLevel.TOWNSHIP, RegionLevel.COUNTY]),
                               OpenApiParameter("parent", OpenApiTypes.INT, description="所属县(区)或市的区划 id")])
    def get(self, request):
        require(self.scope, "assessment.view")
        params = request.query_params
        period = (selectors.period_get(scope=self.scope, period_id=params["period"]) if params.get("period")
                  else selectors.period_default(scope=self.scope))
        if period is None:
            raise NotFound("暂无考核期")
        level = params.get("level") or selectors.ranking_default_level(scope=self.scope, period=period)
        result = selectors.ranking(scope=self.scope, period=period, level=level, parent_id=params.get("parent"))
        return Response(s.RankingOutputSerializer(result).data)


class RankingDetailApi(ScopedApi):
    """GET: one unit's indicator detail (points, numerator, denominator, the case-list query
    of each part); outside what the caller may see → 404."""

    @extend_schema(summary="单位考核明细", tags=[TAG], operation_id="v1_rankings_unit_retrieve", responses={200: s.UnitDetailOutputSerializer, **ERROR_RESPONSES})
    def get(self, request, period: int, region: int):
        require(self.scope, "assessment.view")
        found = selectors.period_get(scope=self.scope, period_id=period)
        return Response(s.UnitDetailOutputSerializer(
            selectors.unit_detail(scope=self.scope, period=found, unit_id=region)).data)


class IndicatorListApi(ScopedListApi):
    """GET: the indicator catalogue (rubric lines) of the caller's city."""

    schema_model = RubricItem

    def scoped_queryset(self, scope):
        require(scope, "assessment.view")
        return selectors.indicator_list(scope=scope, year=int_or_none(self.request.query_params.get("year")))

    @extend_schema(summary="考核指标", tags=[TAG], responses={200: s.IndicatorOutputSerializer(many=True), **ERROR_RESPONSES},
                   parameters=[OpenApiParameter("year", OpenApiTypes.INT)])
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.IndicatorOutputSerializer(page, many=True).data)


class VetoListCreateApi(ScopedListApi):
    """GET: 一票否决 of units inside the jurisdiction. POST: propose one."""

    schema_model = Veto

    def scoped_queryset(self, scope):
        require(scope, "assessment.view")
        return selectors.veto_list(scope=scope).prefetch_related("cases")

    @extend_schema(summary="一票否决列表", tags=[TAG], responses={200: s.VetoOutputSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.VetoOutputSerializer(page, many=True).data)

    @extend_schema(summary="提出一票否决", tags=[TAG], request=s.VetoInputSerializer,
                   responses={201: s.VetoOutputSerializer, **ERROR_RESPONSES})
    def post(self, request):
        data = validated(s.VetoInputSerializer, request.data)
        veto = veto_propose(actor=request.user, **data)
        return Response(s.VetoOutputSerializer(veto).data, status=status.HTTP_201_CREATED)


class VetoDecideApi(ScopedApi):
    """POST: decide a proposed veto (county level or above; a township → 403)."""

    @extend_schema(summary="决定一票否决", tags=[TAG], request=s.VetoDecideInputSerializer,
                   responses={200: s.VetoOutputSerializer, **ERROR_RESPONSES})
    def post(self, request, id: int):
        data = validated(s.VetoDecideInputSerializer, request.data)
        return Response(s.VetoOutputSerializer(veto_decide(actor=request.user, veto_id=id, **data)).data)
