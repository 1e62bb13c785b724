"""Page-number pagination that stays cheap on deep pages.

`OFFSET n` makes the database walk and discard n rows; with the joins a list shows
(category, regions), it also joins every discarded row. `DeferredJoinPaginator` pages the
primary keys alone (the index walk, no joins) and then loads only the page's rows, with their
joins, by primary key: one query more on pages after the first, a constant cost on all of
them. Page 1 is a plain LIMIT (nothing to skip). docs/performance.md has the figures.
"""
from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable


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
