"""governance.api.ScopedListApi: a list's rows come through the request's scope, and only so."""
import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIRequestFactory, force_authenticate

from governance.api import ScopedListApi
from governance.models import Department, Role
from governance.serializers import RefOutputSerializer
from tests.factories import DepartmentFactory, UserFactory


class DepartmentListApi(ScopedListApi):
    """A list as an app would write it: rows from the scope, rendered and paginated."""

    schema_model = Department

    def scoped_queryset(self, scope):
        return scope.filter(Department.objects.order_by("name"))

    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RefOutputSerializer(page, many=True).data)


def list_as(user):
    request = APIRequestFactory().get("/departments/")
    force_authenticate(request, user=user)
    return DepartmentListApi.as_view()(request)


@pytest.mark.django_db
def test_list_holds_only_rows_inside_the_callers_jurisdiction(tree):
    # given departments in township A1, township A2 and county B
    DepartmentFactory(region=tree.town_a1, name="七一路司法所")
    DepartmentFactory(region=tree.town_a2, name="红旗街司法所")
    DepartmentFactory(region=tree.county_b, name="印台区公安分局")

    # when a township A1 clerk and the county A dispatcher list them
    township = list_as(UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)).data
    county = list_as(UserFactory(role=Role.DISPATCHER, region=tree.county_a)).data

    # then each sees the rows of their jurisdiction only, in rows and in the count
    assert (township["count"], [r["name"] for r in township["results"]]) == (1, ["七一路司法所"])
    assert (county["count"], [r["name"] for r in county["results"]]) == (2, ["七一路司法所", "红旗街司法所"])


@pytest.mark.django_db
def test_list_without_a_jurisdiction_is_refused():
    response = list_as(UserFactory(role=Role.WINDOW_STAFF, region=None))

    assert response.status_code == 403
    assert response.data["code"] == "no_jurisdiction"


def test_a_subclass_defining_get_queryset_fails_at_class_creation():
    with pytest.raises(ImproperlyConfigured, match="defines get_queryset"):
        class Bypass(ScopedListApi):
            schema_model = Department

            def get_queryset(self):
                return Department.objects.all()


def test_a_subclass_setting_queryset_fails_at_class_creation():
    with pytest.raises(ImproperlyConfigured, match="defines queryset"):
        class Bypass(ScopedListApi):
            queryset = Department.objects.all()


def test_a_mixin_before_the_base_cannot_bring_its_own_get_queryset():
    class AllRows:
        def get_queryset(self):
            return Department.objects.all()

    with pytest.raises(ImproperlyConfigured, match="defines get_queryset"):
        class Bypass(AllRows, ScopedListApi):
            pass


def test_a_subclass_without_scoped_queryset_has_no_rows_to_give():
    class Forgotten(ScopedListApi):
        schema_model = Department

    view = Forgotten()
    view.scope = object()
    with pytest.raises(NotImplementedError, match="scoped_queryset"):
        view.get_queryset()


def test_schema_generation_gets_an_empty_queryset_of_the_model():
    view = DepartmentListApi()
    view.swagger_fake_view = True

    queryset = view.get_queryset()

    assert queryset.model is Department
    assert queryset.query.is_empty()
