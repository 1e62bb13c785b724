"""Partybuilding API serializers: separate input and output. Members' phones only ever go out
masked."""
from __future__ import annotations

from rest_framework import serializers

from governance.inputs import CleanCharSerializerField
from partybuilding.models import ActivityKind, Gender, MemberKind, PartyGroupKind


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class GridRefSerializer(RefSerializer):
    code = serializers.CharField()


class PartyGroupOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=PartyGroupKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    region = RefSerializer()
    grids = GridRefSerializer(many=True, source="grids.all")
    leader = RefSerializer(allow_null=True)
    member_count = serializers.IntegerField()
    partners = serializers.CharField()
    established_on = serializers.DateField()
    is_active = serializers.BooleanField()


class PartyGroupInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=PartyGroupKind.choices)
    grid_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)
    established_on = serializers.DateField()
    organisation_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    unit_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    partners = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PartyMemberOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    phone_masked = serializers.CharField()
    kind = serializers.ChoiceField(choices=MemberKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    region = RefSerializer()
    grid = GridRefSerializer(allow_null=True)
    group = RefSerializer(allow_null=True)
    work_unit = serializers.CharField()
    reported_community = RefSerializer(allow_null=True)
    joined_on = serializers.DateField(allow_null=True)
    reported_on = serializers.DateField(allow_null=True)


class PartyMemberInputSerializer(serializers.Serializer):
    name = CleanCharSerializerField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices)
    kind = serializers.ChoiceField(choices=MemberKind.choices)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    organisation_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    work_unit = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    reported_community_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    grid_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    group_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    joined_on = serializers.DateField(required=False, allow_null=True, default=None)
    reported_on = serializers.DateField(required=False, allow_null=True, default=None)


class MemberImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".xlsx 或 .csv，第一行为表头")


class MemberImportOutputSerializer(serializers.Serializer):
    imported = serializers.IntegerField()


class PartyActivityOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    group = RefSerializer(allow_null=True)
    region = RefSerializer()
    held_on = serializers.DateField()
    place = serializers.CharField()
    topic = serializers.CharField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    attendee_count = serializers.IntegerField()


class PartyActivityInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=100)
    topic = serializers.CharField(max_length=200)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    group_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    organisation_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    attendee_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class ResidentUnitOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    region = RefSerializer()
    head_name = serializers.CharField()
    part_time_count = serializers.IntegerField(help_text="今日在任的兼职委员数")


class CoverageRowSerializer(serializers.Serializer):
    region_id = serializers.IntegerField()
    region_name = serializers.CharField()
    grids = serializers.IntegerField()
    covered = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    members = serializers.IntegerField()
    members_per_grid = serializers.FloatField(allow_null=True)


class CommunityCountSerializer(serializers.Serializer):
    community = serializers.CharField()
    count = serializers.IntegerField()

    def to_representation(self, instance):
        return {"community": instance[0], "count": instance[1]}


class FundRowSerializer(serializers.Serializer):
    region_id = serializers.IntegerField()
    region_name = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    approved = serializers.DecimalField(max_digits=10, decimal_places=2)
    pending = serializers.DecimalField(max_digits=10, decimal_places=2)
    balance = serializers.DecimalField(max_digits=10, decimal_places=2)


class PartyStatsOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    level = serializers.CharField()
    grids = serializers.IntegerField()
    covered = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    groups_single = serializers.IntegerField()
    groups_joint = serializers.IntegerField()
    coverage = CoverageRowSerializer(many=True)
    reported_by_community = CommunityCountSerializer(many=True)
    part_time_by_community = CommunityCountSerializer(many=True)
    activities_by_month = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))
    volunteer_hours = serializers.DecimalField(max_digits=12, decimal_places=1)
    funds = FundRowSerializer(many=True)
