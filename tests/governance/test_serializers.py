"""governance.serializers: the reference shapes and fields every app's API renders with."""
import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from governance.models import Role
from governance.serializers import (
    ChoiceLabelField,
    LocalDateTimeField,
    RefOutputSerializer,
    RegionRefOutputSerializer,
    UserRefOutputSerializer,
)
from tests.factories import DepartmentFactory, UserFactory


def test_choice_label_field_renders_the_label_and_passes_unknown_values_through():
    field = ChoiceLabelField(Role.choices)

    assert field.to_representation(Role.LEADER) == "领导"
    assert field.to_representation("retired") == "retired"


def test_local_datetime_field_renders_in_the_project_time_zone():
    moment = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)

    assert LocalDateTimeField().to_representation(moment) == "2026-03-01T09:30:00+08:00"


@pytest.mark.django_db
def test_reference_shapes(tree):
    user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1, display_name="张三")
    department = DepartmentFactory(region=tree.town_a1, name="七一路司法所")

    assert RefOutputSerializer(department).data == {"id": department.pk, "name": "七一路司法所"}
    assert UserRefOutputSerializer(user).data == {"id": user.pk, "name": str(user)}
    assert RegionRefOutputSerializer(tree.town_a1).data == {
        "id": tree.town_a1.pk, "code": "610202001", "name": "七一路街道", "level": "township"}


@pytest.mark.django_db
def test_schema_names_the_reference_components_after_the_kernel_classes():
    response = APIClient().get("/api/schema/", {"format": "json"})
    components = json.loads(response.content)["components"]["schemas"]

    assert {"RefOutput", "RegionRefOutput", "UserRefOutput"} <= set(components)
    assert set(components["RegionRefOutput"]["properties"]) == {"id", "code", "name", "level"}
