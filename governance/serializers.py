"""Kernel serializer pieces every app's API renders with.

- `ChoiceLabelField`: a choice value's display label by dict lookup.
- `LocalDateTimeField`: a DateTimeField rendered in the project's time zone.
- `RefOutputSerializer`, `UserRefOutputSerializer`: a related row (a user) by id and name.
- `RegionRefOutputSerializer`: a region by id, code, name and level.

The OpenAPI schema names its components after these classes (`RefOutput`, …): renaming one
renames a component clients may have generated code from.
"""
from __future__ import annotations

import zoneinfo

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.models import RegionLevel


@extend_schema_field(serializers.CharField())
class ChoiceLabelField(serializers.ReadOnlyField):
    """The display label of a choice value: a dict lookup, instead of `get_<field>_display`
    through DRF's attribute machinery (a signature inspection and a hash of every lazy label
    per row)."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))


class LocalDateTimeField(serializers.DateTimeField):
    """DateTimeField rendered in the project's time zone (the only one: nothing activates
    another), resolved once instead of through the thread-local current zone per value."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", zoneinfo.ZoneInfo(settings.TIME_ZONE))
        super().__init__(**kwargs)


class RefOutputSerializer(serializers.Serializer):
    """A related row by id and display name."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class RegionRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=RegionLevel.choices)


class UserRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
