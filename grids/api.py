"""Grids API v1 (a future mobile app and integrators): grids, grid workers' tenures and
patrols, scoped to the caller's jurisdiction, paginated, in the OpenAPI schema."""
from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from governance.api import ERROR_RESPONSES, ScopedListApi, validated
from governance.permissions import require
from grids import selectors, services
from grids import serializers as s
from grids.filters import GridFilter, PatrolFilter, TenureFilter
from grids.models import Grid, GridWorkerAssignment, Patrol

TAG = "grids"


class GridListApi(ScopedListApi):
    """GET /api/v1/grids/: grids inside the caller's jurisdiction (active ones by default)."""

    schema_model = Grid
    filter_backends = [DjangoFilterBackend]
    filterset_class = GridFilter

    def scoped_queryset(self, scope):
        require(scope, "grids.view_api")
        f = GridFilter(self.request.query_params).selector_filters()
        return selectors.grid_list(scope=scope, active=f.get("active", True), village_id=f.get("village"),
                                   kind=f.get("kind", ""), query=f.get("q", ""))

    @extend_schema(summary="网格列表", tags=[TAG], responses={200: s.GridOutputSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.GridOutputSerializer(page, many=True).data)


class GridWorkerListApi(ScopedListApi):
    """GET /api/v1/grid-workers/: grid workers' tenures on grids inside the jurisdiction."""

    schema_model = GridWorkerAssignment
    filter_backends = [DjangoFilterBackend]
    filterset_class = TenureFilter

    def scoped_queryset(self, scope):
        require(scope, "grids.view_api")
        f = TenureFilter(self.request.query_params).selector_filters()
        return selectors.tenure_list(scope=scope, grid_id=f.get("grid"), worker_id=f.get("worker"),
                                     current=f.get("current"))

    @extend_schema(summary="网格员任职列表", tags=[TAG],
                   responses={200: s.GridWorkerOutputSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.GridWorkerOutputSerializer(page, many=True).data)


class PatrolListCreateApi(ScopedListApi):
    """GET /api/v1/patrols/: patrols in the jurisdiction (a grid worker: their own).
    POST: record a patrol (巡查日志) on a grid the worker holds."""

    schema_model = Patrol
    filter_backends = [DjangoFilterBackend]
    filterset_class = PatrolFilter

    def scoped_queryset(self, scope):
        require(scope, "grids.view_api")
        f = PatrolFilter(self.request.query_params).selector_filters()
        mine = self.request.user.pk if scope.role == "grid_worker" else None
        return selectors.patrol_list(scope=scope, grid_id=f.get("grid"), recorded_by=mine)

    @extend_schema(summary="巡查日志列表", tags=[TAG], responses={200: s.PatrolOutputSerializer(many=True),
                                                             **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PatrolOutputSerializer(page, many=True).data)

    @extend_schema(summary="记录巡查", tags=[TAG], request=s.PatrolCreateInputSerializer,
                   responses={201: s.PatrolOutputSerializer, **ERROR_RESPONSES})
    def post(self, request):
        data = validated(s.PatrolCreateInputSerializer, request.data)
        patrol = services.patrol_record(actor=request.user, **data)
        return Response(s.PatrolOutputSerializer(patrol).data, status=status.HTTP_201_CREATED)
