"""Query parameters of the grids API lists: declared, validated and documented here; the
cleaned values go to the grids selectors, which apply the scope first (a village outside the
jurisdiction answers 404)."""
from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from governance.filters import SelectorFilterSet
from grids.models import Grid, GridKind, GridWorkerAssignment, Patrol


class GridFilter(SelectorFilterSet):
    village = django_filters.NumberFilter(label=_("所属村(社区)"), help_text=_("管辖范围内的村(社区) id;范围外返回 404"))
    kind = django_filters.ChoiceFilter(label=_("网格类型"), choices=GridKind.choices)
    active = django_filters.BooleanFilter(label=_("启用"), help_text=_("默认只列启用的网格;false 列已撤销的"))
    q = django_filters.CharFilter(label=_("关键词"), help_text=_("编码前缀或名称"), max_length=30)

    class Meta:
        model = Grid
        fields: list[str] = []


class TenureFilter(SelectorFilterSet):
    grid = django_filters.NumberFilter(label=_("网格"))
    worker = django_filters.NumberFilter(label=_("网格员"))
    current = django_filters.BooleanFilter(label=_("在岗"), help_text=_("true:只列未离任的任职"))

    class Meta:
        model = GridWorkerAssignment
        fields: list[str] = []


class PatrolFilter(SelectorFilterSet):
    grid = django_filters.NumberFilter(label=_("网格"))

    class Meta:
        model = Patrol
        fields: list[str] = []
