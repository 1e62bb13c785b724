"""Page-number pagination that stays cheap on deep pages.

`OFFSET n` makes the database walk and discard n rows; with the joins a list shows
(category, regions), it also joins every discarded row. `DeferredJoinPaginator` pages the
primary keys alone (the index walk, no joins) and then loads only the page's rows, with their
joins, by primary key: one query more on pages after the first, a constant cost on all of
them. Page 1 is a plain LIMIT (nothing to skip). docs/performance.md has the figures.

`StandardPagination` is the API's pagination (the DRF default too): a page size above 100 is
capped at 100, and a malformed `page` or `page_size` (`null`, `0`, `abc`) is a 400, never
silently ignored.
"""
from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination

from governance.errors import InvalidInput


class DeferredJoinPaginator(Paginator):
    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if bottom == 0 or not isinstance(rows, QuerySet) or rows._iterable_class is not ModelIterable:
            # page 1, a list, or a values() queryset (rows without .pk): plain slicing
            return self._get_page(rows[bottom:top], number, self)
        keys = list(rows.values_list("pk", flat=True)[bottom:top])
        # The same queryset (scope, filters, select_related) restricted to the page's keys;
        # the order comes from the key list. A row that left the filter between the two
        # queries (a concurrent transition) is dropped, not shown stale.
        by_pk = {row.pk: row for row in rows.filter(pk__in=keys).order_by()}
        return self._get_page([by_pk[pk] for pk in keys if pk in by_pk], number, self)


class StandardPagination(PageNumberPagination):
    """Page-number pagination; `page_size` (1–100) and `page` must be positive integers: a
    malformed value (`page_size=null`) is a 400 in the one error body, not silently ignored."""

    django_paginator_class = DeferredJoinPaginator  # deep pages join only their own rows
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
            raise InvalidInput(_("page_size 应为正整数（最多 %(max)s）") % {"max": self.max_page_size},
                               extra={"fields": {"page_size": _("无效的每页条数")}})
        return min(int(raw), self.max_page_size)  # a larger size is capped, as documented

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and not (raw.isdigit() and len(raw) <= 9 and int(raw) >= 1):
            raise InvalidInput(_("page 应为正整数"), extra={"fields": {"page": _("无效的页码")}})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": 999_999_999})
                parameter["description"] = f"每页条数（超过 {self.max_page_size} 按 {self.max_page_size} 计）"
            elif parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": 999_999_999})
        return parameters
