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

    class Meta:
        model = Case
        fields: list[str] = []
