"""Query parameters of the case list API.

`CaseFilter` declares, validates and documents (OpenAPI) the list's filters. It does not
filter by itself: the cleaned values go to disputes.selectors.case_list, the one place the
scope and filters are applied for pages, API and exports alike — so the rules (a region
outside the jurisdiction answers 404, the keyword searches number and title) cannot drift
between the page and the API.
"""
from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from disputes.models import Case, CaseState, Channel, WarningLevel
from governance.filters import SelectorFilterSet, SpanDateFilter

# The orderings a client may ask for (`?ordering=due_at`, `?ordering=-created_at`).
CASE_ORDERING_FIELDS = ("due_at", "created_at", "number", "state")


class CaseFilter(SelectorFilterSet):
    state = django_filters.MultipleChoiceFilter(label=_("状态"), choices=CaseState.choices)
    category = django_filters.NumberFilter(label=_("类别"), help_text=_("类别 id（含其子类别）"))
    channel = django_filters.MultipleChoiceFilter(label=_("来源渠道"), choices=Channel.choices)
    warning_level = django_filters.MultipleChoiceFilter(label=_("预警"), choices=WarningLevel.choices)
    region = django_filters.NumberFilter(
        label=_("区域"), help_text=_("管辖范围内的区划 id；范围外的区划返回 404"))
    created_from = SpanDateFilter(label=_("登记日期自"), help_text=_("含当日"))
    created_to = SpanDateFilter(label=_("登记日期至"), help_text=_("含当日"))
    q = django_filters.CharFilter(label=_("关键词"), help_text=_("按编号或标题搜索"))
    # The dashboard's drill-downs (docs/dashboard.md): a figure and its list count the same rows.
    open = django_filters.BooleanFilter(label=_("在办"), help_text=_("true：仅在办案件（已登记至已办结待回访）"))
    escalated = django_filters.BooleanFilter(
        label=_("升级到本级"), help_text=_("true：上报或超期升级到调用者所在中心、仍在办的案件"))
    mine = django_filters.BooleanFilter(label=_("本中心负责"), help_text=_("true：调用者所在中心负责（责任中心）的案件"))
    resolved_from = django_filters.DateFilter(label=_("办结日期自"), help_text=_("含当日"))
    resolved_to = django_filters.DateFilter(label=_("办结日期至"), help_text=_("含当日"))
    on_time = django_filters.BooleanFilter(label=_("按期办结"), help_text=_("最近一次办结是否在办理期限内"))
    callback_from = django_filters.DateFilter(label=_("回访日期自"), help_text=_("最近一次回访，含当日"))
    callback_to = django_filters.DateFilter(label=_("回访日期至"), help_text=_("含当日"))
    satisfied = django_filters.BooleanFilter(label=_("回访满意"), help_text=_("最近一次回访是否满意"))

    class Meta:
        model = Case
        fields: list[str] = []
