"""DeferredJoinPaginator: deep pages load the page's keys, then only those rows with joins."""
from __future__ import annotations

import pytest
from django.core.paginator import Paginator

from disputes.models import Case
from governance.models import Role
from governance.pagination import DeferredJoinPaginator
from tests.factories import CaseFactory, RegionTree, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    tree = RegionTree()
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    # Two villages and created in a mixed order, so the page order is not the key order.
    made = [CaseFactory(village=tree.village_a1x if i % 2 else tree.village_a1y, registered_by=clerk) for i in range(23)]
    return Case.objects.filter(pk__in=[c.pk for c in made]).select_related("category", "village").order_by(
        "-title", "-id")


@pytest.mark.parametrize("number", [1, 2, 3])
def test_pages_hold_the_same_rows_in_the_same_order_as_plain_offset_paging(cases, number):
    expected = [c.pk for c in Paginator(cases, 10).page(number).object_list]
    got = [c.pk for c in DeferredJoinPaginator(cases, 10).page(number).object_list]
    assert got == expected
    assert len(got) == (10 if number < 3 else 3)


def test_deep_page_keeps_select_related_and_costs_a_constant_three_queries(cases, django_assert_num_queries):
    paginator = DeferredJoinPaginator(cases, 10)
    with django_assert_num_queries(3):  # count, the page's keys, the page's rows with joins
        rows = paginator.page(2).object_list
        names = [(c.category.name, c.village.name) for c in rows]
    assert len(names) == 10


def test_first_page_is_a_plain_limit(cases, django_assert_num_queries):
    paginator = DeferredJoinPaginator(cases, 10)
    with django_assert_num_queries(2):  # count, the rows
        list(paginator.page(1).object_list)


def test_a_row_that_left_the_filter_between_the_two_queries_is_dropped(cases, monkeypatch):
    paginator = DeferredJoinPaginator(cases, 10)
    expected = [c.pk for c in Paginator(cases, 10).page(2).object_list]
    gone = expected[3]
    real_filter = type(cases).filter

    def filter_then_delete(self, *args, **kwargs):
        if "pk__in" in kwargs:  # between the keys query and the rows query
            Case.objects.filter(pk=gone).delete()
        return real_filter(self, *args, **kwargs)

    monkeypatch.setattr(type(cases), "filter", filter_then_delete)
    got = [c.pk for c in paginator.page(2).object_list]
    assert got == [pk for pk in expected if pk != gone]


def test_values_querysets_are_paged_by_plain_slicing(cases):
    rows = cases.values("pk", "title")
    expected = list(Paginator(rows, 10).page(2).object_list)
    assert list(DeferredJoinPaginator(rows, 10).page(2).object_list) == expected
