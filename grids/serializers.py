"""Input and output serializers of the grids API (separate for reading and writing)."""
from __future__ import annotations

from rest_framework import serializers

from governance.serializers import ChoiceLabelField, RegionRefOutputSerializer, UserRefOutputSerializer
from grids.models import Employment, GridKind


class GridOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    village = RegionRefOutputSerializer(source="region")
    kind = serializers.CharField()
    kind_label = ChoiceLabelField(GridKind.choices, source="kind")
    households = serializers.IntegerField()
    population = serializers.IntegerField()
    centre_lng = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True, coerce_to_string=False)
    centre_lat = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True, coerce_to_string=False)
    boundary = serializers.JSONField(allow_null=True, help_text="GeoJSON Polygon 或 MultiPolygon(WGS-84 经纬度)")
    is_active = serializers.BooleanField()
    retired_on = serializers.DateField(allow_null=True)


class GridRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class GridWorkerOutputSerializer(serializers.Serializer):
    """One tenure of a grid worker on a grid."""

    id = serializers.IntegerField()
    grid = GridRefOutputSerializer()
    worker = UserRefOutputSerializer()
    employment = serializers.CharField()
    employment_label = ChoiceLabelField(Employment.choices, source="employment")
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True, help_text="最后在岗日;为空表示在岗")


class PatrolOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    grid = GridRefOutputSerializer()
    recorded_by = UserRefOutputSerializer()
    patrolled_on = serializers.DateField()
    route = serializers.CharField()
    findings = serializers.CharField()


class PatrolCreateInputSerializer(serializers.Serializer):
    grid_id = serializers.IntegerField(min_value=1)
    patrolled_on = serializers.DateField()
    route = serializers.CharField(max_length=300)
    findings = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
