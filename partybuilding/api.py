"""Partybuilding API v1: groups, members (with the roster import), activities, resident units
and the statistics. Every class derives from the kernel's scoped bases; writes are one service
call; errors go through the one handler (400/403/404/409 `{message, code, extra}`)."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from governance.api import ERROR_RESPONSES, ScopedApi, ScopedListApi, validated
from governance.forms import int_or_none
from governance.permissions import require
from partybuilding import selectors, services
from partybuilding import serializers as s
from partybuilding.models import (
    Activity,
    ActivityKind,
    MemberKind,
    PartyGroup,
    PartyGroupKind,
    PartyMember,
    ResidentUnit,
)
from partybuilding.selectors import stats

TAG = "partybuilding"


def _choice(value: str | None, choices) -> str:
    return value if value in choices.values else ""


class PartyGroupListCreateApi(ScopedListApi):
    """GET: the grid party groups inside the caller's jurisdiction. POST: create one."""

    schema_model = PartyGroup

    def scoped_queryset(self, scope):
        require(scope, "partybuilding.view")
        return selectors.party_group_list(scope=scope, kind=_choice(self.request.query_params.get("kind"), PartyGroupKind))

    @extend_schema(summary="网格党小组列表", tags=[TAG], responses={200: s.PartyGroupOutputSerializer(many=True), **ERROR_RESPONSES},
                   parameters=[OpenApiParameter("kind", OpenApiTypes.STR, enum=PartyGroupKind.values)])
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PartyGroupOutputSerializer(page, many=True).data)

    @extend_schema(summary="成立网格党小组", tags=[TAG], request=s.PartyGroupInputSerializer,
                   responses={201: s.PartyGroupOutputSerializer, **ERROR_RESPONSES})
    def post(self, request):
        data = validated(s.PartyGroupInputSerializer, request.data)
        group = services.group_create(actor=request.user, data=services.GroupInput(**data))
        group = selectors.party_group_list(scope=self.scope, active=None).get(pk=group.pk)
        return Response(s.PartyGroupOutputSerializer(group).data, status=status.HTTP_201_CREATED)


class PartyMemberListCreateApi(ScopedListApi):
    """GET: party members inside the jurisdiction (phones masked). POST: add one."""

    schema_model = PartyMember

    def scoped_queryset(self, scope):
        require(scope, "partybuilding.view")
        params = self.request.query_params
        return selectors.member_list(scope=scope, group_id=int_or_none(params.get("group")),
                                     kind=_choice(params.get("kind"), MemberKind))

    @extend_schema(summary="党员列表", tags=[TAG], responses={200: s.PartyMemberOutputSerializer(many=True), **ERROR_RESPONSES},
                   parameters=[OpenApiParameter("group", OpenApiTypes.INT),
                               OpenApiParameter("kind", OpenApiTypes.STR, enum=MemberKind.values)])
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PartyMemberOutputSerializer(page, many=True).data)

    @extend_schema(summary="添加党员", tags=[TAG], request=s.PartyMemberInputSerializer,
                   responses={201: s.PartyMemberOutputSerializer, **ERROR_RESPONSES})
    def post(self, request):
        member = services.member_add(actor=request.user, data=services.MemberInput(
            **validated(s.PartyMemberInputSerializer, request.data)))
        return Response(s.PartyMemberOutputSerializer(member).data, status=status.HTTP_201_CREATED)


class PartyMemberImportApi(ScopedApi):
    """POST a roster (.xlsx/.csv): all rows or none; row errors in `extra.rows`."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="导入党员名册", tags=[TAG], request={"multipart/form-data": s.MemberImportInputSerializer},
                   responses={200: s.MemberImportOutputSerializer, **ERROR_RESPONSES})
    def post(self, request):
        upload = validated(s.MemberImportInputSerializer, request.data)["file"]
        count = services.member_import(actor=request.user, rows=services.read_rows(upload.name, upload.read()))
        return Response(s.MemberImportOutputSerializer({"imported": count}).data)


class PartyActivityListCreateApi(ScopedListApi):
    """GET: activities inside the jurisdiction. POST: log one (attendees from the group)."""

    schema_model = Activity

    def scoped_queryset(self, scope):
        require(scope, "partybuilding.view")
        params = self.request.query_params
        return selectors.activity_list(scope=scope, group_id=int_or_none(params.get("group")),
                                       kind=_choice(params.get("kind"), ActivityKind))

    @extend_schema(summary="党建活动列表", tags=[TAG], responses={200: s.PartyActivityOutputSerializer(many=True), **ERROR_RESPONSES},
                   parameters=[OpenApiParameter("group", OpenApiTypes.INT),
                               OpenApiParameter("kind", OpenApiTypes.STR, enum=ActivityKind.values)])
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PartyActivityOutputSerializer(page, many=True).data)

    @extend_schema(summary="登记党建活动", tags=[TAG], request=s.PartyActivityInputSerializer,
                   responses={201: s.PartyActivityOutputSerializer, **ERROR_RESPONSES})
    def post(self, request):
        activity = services.activity_log(actor=request.user, data=services.ActivityInput(
            **validated(s.PartyActivityInputSerializer, request.data)))
        activity = selectors.activity_list(scope=self.scope).get(pk=activity.pk)
        return Response(s.PartyActivityOutputSerializer(activity).data, status=status.HTTP_201_CREATED)


class ResidentUnitListApi(ScopedListApi):
    """GET: resident units (驻区单位) inside the jurisdiction, with their part-time members."""

    schema_model = ResidentUnit

    def scoped_queryset(self, scope):
        require(scope, "partybuilding.view")
        return selectors.unit_list(scope=scope)

    @extend_schema(summary="驻区单位列表", tags=[TAG], responses={200: s.ResidentUnitOutputSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ResidentUnitOutputSerializer(page, many=True).data)


class PartyStatsApi(ScopedApi):
    """GET: the party-building statistics of the caller's jurisdiction (definitions in
    docs/partybuilding.md)."""

    @extend_schema(summary="党建统计", tags=[TAG], responses={200: s.PartyStatsOutputSerializer, **ERROR_RESPONSES},
                   parameters=[OpenApiParameter("year", OpenApiTypes.INT),
                               OpenApiParameter("level", OpenApiTypes.STR, enum=["county", "township", "village"])])
    def get(self, request):
        require(self.scope, "partybuilding.view")
        year = int_or_none(request.query_params.get("year")) or stats.default_year()
        level = request.query_params.get("level") or None
        result = stats.party_stats(scope=self.scope, year=year, level=level)
        return Response(s.PartyStatsOutputSerializer(result).data)
