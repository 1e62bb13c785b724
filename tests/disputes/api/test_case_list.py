"""GET /api/v1/cases/: scoped list, filters, ordering, pagination, constant query count."""
import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from disputes.models import Case, CaseState, WarningLevel
from governance.accounts import token_issue
from tests.disputes.api.conftest import CASES_URL, assert_error, client_for
from tests.factories import CaseFactory, CategoryFactory, UserFactory


def make_cases(people, category, count, village=None, **kwargs):
    return [
        CaseFactory(village=village or people.tree.village_a1x, category=category, registered_by=people.clerk, **kwargs)
        for _ in range(count)
    ]


def test_list_shows_only_cases_inside_the_jurisdiction(people, category):
    # given cases in township A1 and one in township B1
    mine = make_cases(people, category, 2)
    elsewhere = make_cases(people, category, 1, village=people.tree.village_b1x)[0]
    # when the A1 clerk lists cases
    body = client_for(people.clerk).get(CASES_URL).json()
    # then they see their two and the count says two
    assert body["count"] == 2
    assert {row["id"] for row in body["results"]} == {c.pk for c in mine}
    # and the B1 clerk sees only theirs: the A1 cases are not in the rows nor in the count
    body_b = client_for(people.outsider).get(CASES_URL).json()
    assert body_b["count"] == 1
    assert [row["id"] for row in body_b["results"]] == [elsewhere.pk]


def test_county_sees_its_townships_and_list_row_shape(people, category):
    case = make_cases(people, category, 1, village=people.tree.village_a2x)[0]
    body = client_for(people.dispatcher).get(CASES_URL).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == case.pk
    assert row["number"] == case.number
    assert row["state"] == "registered"
    assert row["state_label"] == "已登记"
    assert row["category"] == {"id": category.pk, "code": category.code, "name": category.name}
    assert row["village"]["id"] == people.tree.village_a2x.pk
    assert row["township"]["name"] == "红旗街街道"
    assert row["owning_region"]["id"] == people.tree.town_a2.pk
    assert {"due_at", "due_provisional", "warning_level", "version", "urgent"} <= set(row)


@pytest.mark.parametrize("count", [2, 10])
def test_list_query_count_is_constant(people, category, count, django_assert_num_queries):
    # given `count` cases with distinct categories, villages and grades of warning
    for i in range(count):
        CaseFactory(village=people.tree.village_a1x if i % 2 else people.tree.village_a1y,
                    category=CategoryFactory(parent=category), registered_by=people.clerk)
    client = client_for(people.clerk)
    # then listing them costs the same number of queries whatever the number of rows:
    # session, user with their region (scope), count, page
    with django_assert_num_queries(4):
        response = client.get(CASES_URL)
    assert response.json()["count"] == count
    # with a token: the token with its user and region, count, page
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION="Token " + token_issue(user=people.clerk))
    with django_assert_num_queries(3):
        response = token.get(CASES_URL)
    assert response.json()["count"] == count


def test_list_filters_by_state_channel_warning_and_keyword(people, category):
    registered = make_cases(people, category, 1)[0]
    accepted = make_cases(people, category, 1, state=CaseState.ACCEPTED, title="宅基地边界争议",
                          warning_level=WarningLevel.RED, channel="phone")[0]
    client = client_for(people.clerk)

    def ids(**params):
        return {row["id"] for row in client.get(CASES_URL, params).json()["results"]}

    assert ids(state="accepted") == {accepted.pk}
    assert ids(state=["accepted", "registered"]) == {accepted.pk, registered.pk}
    assert ids(channel="phone") == {accepted.pk}
    assert ids(warning_level="red") == {accepted.pk}
    assert ids(q="宅基地") == {accepted.pk}
    assert ids(q=registered.number) == {registered.pk}
    assert ids(category=category.pk) == {accepted.pk, registered.pk}


def test_list_filters_by_region_and_refuses_a_region_outside_the_scope(people, category):
    in_a1x = make_cases(people, category, 1)[0]
    make_cases(people, category, 1, village=people.tree.village_a1y)
    client = client_for(people.clerk)
    body = client.get(CASES_URL, {"region": people.tree.village_a1x.pk}).json()
    assert [row["id"] for row in body["results"]] == [in_a1x.pk]
    # a region outside the jurisdiction answers 404, never a silently empty list
    assert_error(client.get(CASES_URL, {"region": people.tree.village_b1x.pk}), 404, "not_found")


def test_list_filters_by_created_range(people, category):
    old, new = make_cases(people, category, 2)
    # created_at is auto_now_add: move it back with a plain UPDATE
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    client = client_for(people.clerk)
    today = timezone.localdate().isoformat()
    body = client.get(CASES_URL, {"created_from": today}).json()
    assert [row["id"] for row in body["results"]] == [new.pk]
    before = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    assert [row["id"] for row in client.get(CASES_URL, {"created_to": before}).json()["results"]] == [old.pk]


def test_invalid_filter_values_are_400(people, category):
    client = client_for(people.clerk)
    body = assert_error(client.get(CASES_URL, {"state": "bogus"}), 400, "invalid")
    assert "state" in body["extra"]["fields"]
    assert_error(client.get(CASES_URL, {"created_from": "not-a-date"}), 400, "invalid")


def test_ordering_uses_declared_fields_only(people, category):
    cases = make_cases(people, category, 3)
    client = client_for(people.clerk)
    by_number = [row["number"] for row in client.get(CASES_URL, {"ordering": "number"}).json()["results"]]
    assert by_number == sorted(c.number for c in cases)
    desc = [row["number"] for row in client.get(CASES_URL, {"ordering": "-number"}).json()["results"]]
    assert desc == sorted((c.number for c in cases), reverse=True)
    # an undeclared field is ignored (DRF OrderingFilter), the default order applies
    default = [row["id"] for row in client.get(CASES_URL, {"ordering": "narrative"}).json()["results"]]
    assert default == sorted((c.pk for c in cases), reverse=True)


def test_page_size_is_client_chosen_and_capped_at_100(people, category):
    make_cases(people, category, 3)
    client = client_for(people.clerk)
    body = client.get(CASES_URL, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert len(client.get(CASES_URL, {"page_size": 2, "page": 2}).json()["results"]) == 1
    assert len(client.get(CASES_URL, {"page_size": 1000}).json()["results"]) == 3


def test_page_size_above_100_is_capped(people, category):
    make_cases(people, category, 101)
    body = client_for(people.clerk).get(CASES_URL, {"page_size": 1000}).json()
    assert body["count"] == 101
    assert len(body["results"]) == 100


def test_token_auth_lists_cases(people, category):
    make_cases(people, category, 1)
    token = token_issue(user=people.clerk)
    response = APIClient().get(CASES_URL, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_anonymous_is_refused_with_the_error_body(db):
    response = APIClient().get(CASES_URL)
    assert response.status_code == 401
    assert set(response.json()) == {"message", "code", "extra"}


def test_user_without_jurisdiction_is_403(people):
    assert_error(client_for(UserFactory(region=None)).get(CASES_URL), 403, "no_jurisdiction")


def test_deep_pages_hold_only_the_users_township(people, category):
    # given 25 cases in the clerk's township A1 and 25 in the neighbouring township A2
    for _i in range(25):
        CaseFactory(village=people.tree.village_a1x, category=category, registered_by=people.clerk)
        CaseFactory(village=people.tree.village_a2x, category=category, registered_by=people.clerk)
    client = client_for(people.clerk)
    # the second page goes through the deferred join (keys first, then the rows by key)
    body = client.get(CASES_URL, {"page": 2, "ordering": "due_at"}).json()
    assert body["count"] == 25
    assert len(body["results"]) == 5
    ids = {row["id"] for row in body["results"]}
    assert set(Case.objects.filter(pk__in=ids).values_list("township_id", flat=True)) == {people.tree.town_a1.pk}


def test_case_list_is_a_scoped_list_api():
    # its rows can come only through ScopedListApi's scoped path (no get_queryset of its own)
    from disputes.api import CaseListCreateApi
    from governance.api import ScopedListApi

    assert issubclass(CaseListCreateApi, ScopedListApi)
    assert "get_queryset" not in vars(CaseListCreateApi)
