"""The dashboard's figures and statistics as an API, for a wall display or another system:
GET /api/v1/dashboard/ and GET /api/v1/statistics/<name>/. The same selectors as the pages
(disputes.selectors.dashboard, disputes.selectors.statistics): the caller's jurisdiction, a
period (?period=, ?start=&end=) and optionally a region inside it (?region=; outside → 404).
Every count comes with the case-list filters that count it (GET /api/v1/cases/ takes them).
"""
from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from disputes.dashboard_views import DASHBOARD_ROLES
from disputes.selectors import dashboard as board
from disputes.selectors import statistics as stats
from governance import clock
from governance.api import ERROR_RESPONSES, ScopedApi, validated
from governance.errors import Forbidden
from governance.periods import PERIOD_CHOICES, period_named
from governance.scoping import Scope

TAG = "dashboard"


class DashboardQueryInputSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=[key for key, _label in PERIOD_CHOICES], required=False,
                                     default="month", help_text="统计周期：week/month/quarter/year/custom")
    start = serializers.DateField(required=False, help_text="period=custom 时的开始日期（含）")
    end = serializers.DateField(required=False, help_text="period=custom 时的结束日期（含）")
    region = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                      help_text="管辖范围内的区划 id；范围外返回 404")


class StatisticQueryInputSerializer(DashboardQueryInputSerializer):
    parent = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                      help_text="category 统计：一级类别 id，返回其二级类别")


class PeriodOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class FigureOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.IntegerField()
    filters = serializers.DictField(child=serializers.CharField(), help_text="GET /api/v1/cases/ 的同一筛选条件")


class RateOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="百分比；分母为 0 时为空")
    numerator = FigureOutputSerializer()
    denominator = FigureOutputSerializer()


class QueueCountOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    filters = serializers.DictField(child=serializers.CharField())


class DashboardOutputSerializer(serializers.Serializer):
    region_id = serializers.IntegerField()
    period = PeriodOutputSerializer()
    as_of = serializers.DateTimeField()
    figures = FigureOutputSerializer(many=True)
    rates = RateOutputSerializer(many=True)
    queues = QueueCountOutputSerializer(many=True)


class StatisticColumnOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["text", "int", "rate", "date"])


class StatisticCellOutputSerializer(serializers.Serializer):
    value = serializers.JSONField()
    filters = serializers.DictField(child=serializers.CharField(), allow_null=True,
                                    help_text="计数单元格：GET /api/v1/cases/ 的同一筛选条件")


class StatisticOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    period = PeriodOutputSerializer()
    columns = StatisticColumnOutputSerializer(many=True)
    rows = serializers.ListField(child=serializers.DictField(child=StatisticCellOutputSerializer()))


def _dashboard_scope(scope: Scope) -> Scope:
    if scope.role not in DASHBOARD_ROLES:
        raise Forbidden(_("调度大屏仅供调度员和领导使用"))
    return scope


def _period(data: dict[str, Any]):
    return period_named(data.get("period"), today=clock.localdate(), start=data.get("start"), end=data.get("end"))


def _figure(figure: board.Figure) -> dict[str, Any]:
    return {"key": figure.key, "label": figure.label, "value": figure.value, "filters": figure.filters}




class DashboardApi(ScopedApi):
    """GET /api/v1/dashboard/: the live figures, rates and queue sizes of the caller's
    jurisdiction (dispatchers and leaders)."""

    @extend_schema(summary="调度大屏数据", tags=[TAG], parameters=[DashboardQueryInputSerializer],
                   responses={200: DashboardOutputSerializer, **ERROR_RESPONSES})
    def get(self, request):
        scope = _dashboard_scope(self.scope)
        data = validated(DashboardQueryInputSerializer, request.query_params)
        period = _period(data)
        figures = board.dashboard_figures(scope=scope, period=period, today=clock.localdate(),
                                          now=clock.now(), region_id=data.get("region"))
        queues = [{"name": name, "label": str(board.QUEUES[name][0]), "count": figures.by_key[key].value,
                   "filters": figures.by_key[key].filters}
                  for name, key in board.QUEUE_FIGURES.items() if name in board.queue_names(scope)]
        body = {
            "region_id": figures.region.pk if figures.region else scope.region_id,
            "period": {"name": data.get("period") or "month", "start": period.start, "end": period.end},
            "as_of": timezone.localtime(figures.as_of),
            "figures": [_figure(f) for f in figures.tiles],
            "rates": [{"key": r.key, "label": r.label, "value": r.value, "numerator": _figure(r.numerator),
                       "denominator": _figure(r.denominator)} for r in figures.rates],
            "queues": queues,
        }
        return Response(DashboardOutputSerializer(body).data)


class StatisticApi(ScopedApi):
    """GET /api/v1/statistics/<name>/: one statistic table of the caller's jurisdiction."""

    @extend_schema(
        summary="统计分析", tags=[TAG], parameters=[
            StatisticQueryInputSerializer,
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(stats.STATISTICS),
                             description="统计名称"),
        ], responses={200: StatisticOutputSerializer, **ERROR_RESPONSES})
    def get(self, request, name: str):
        scope = _dashboard_scope(self.scope)
        data = validated(StatisticQueryInputSerializer, request.query_params)
        period = _period(data)
        region = scope.region_in_scope(data["region"]) if data.get("region") else None
        table = stats.statistic_table(name, stats.Query(scope=scope, period=period, region=region,
                                                        parent_id=data.get("parent")))
        body = {
            "name": table.name, "title": str(table.title),
            "period": {"name": data.get("period") or "month", "start": period.start, "end": period.end},
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in table.columns],
            "rows": [{key: {"value": cell.value, "filters": stats.cell_filters(cell)} for key, cell in row.items()}
                     for row in table.rows],
        }
        return Response(StatisticOutputSerializer(body).data)
