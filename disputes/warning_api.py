"""The 研判预警 API (routes in disputes/api_urls.py, under /api/v1/):

  GET   warnings/                    WarningListApi (scoped; ?state= ?kind= ?region= ?ordering=)
  POST  warnings/{id}/acknowledge/   WarningAcknowledgeApi (409 when someone else handled it first)
  POST  warnings/{id}/assign/        WarningAssignApi

Thin, like the case API: parse, call one selector or service, render; one class per write.
"""
from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters as drf_filters
from rest_framework import serializers as drf_serializers
from rest_framework.response import Response

from disputes.models import EarlyWarning, WarningKind, WarningState
from disputes.selectors.warnings import warning_get, warning_list
from disputes.services import warning_follow
from disputes.warning_serializers import (
    WarningAcknowledgeInputSerializer,
    WarningAssignInputSerializer,
    WarningOutputSerializer,
)
from governance import permissions as governance_permissions
from governance.api import ERROR_RESPONSES, ErrorOutputSerializer, ScopedApi, ScopedListApi, validated
from governance.filters import SelectorFilterSet

TAG = "warnings"
WARNING_ORDERING_FIELDS = ("created_at", "case_count")
STATE_FILTER_CHOICES = [("active", _("待处置及跟进中")), ("history", _("已确认(历史)")), *WarningState.choices]


class WarningFilter(SelectorFilterSet):
    state = django_filters.MultipleChoiceFilter(label=_("状态"), choices=STATE_FILTER_CHOICES,
                                                help_text=_("active=待处置及跟进中，history=已确认"))
    kind = django_filters.MultipleChoiceFilter(label=_("预警类型"), choices=WarningKind.choices)
    region = django_filters.NumberFilter(label=_("区域"), help_text=_("管辖范围内的区划 id；范围外的区划返回 404"))

    class Meta:
        model = EarlyWarning
        fields: list[str] = []


class WarningListApi(ScopedListApi):
    """The warnings inside the caller's jurisdiction, newest first, with the cases behind each."""

    schema_model = EarlyWarning
    filter_backends = [DjangoFilterBackend, drf_filters.OrderingFilter]
    filterset_class = WarningFilter
    ordering_fields = WARNING_ORDERING_FIELDS

    def scoped_queryset(self, scope):
        governance_permissions.require(scope, "disputes.warning_view")
        filters = WarningFilter(self.request.query_params).selector_filters()
        ordering = drf_filters.OrderingFilter().get_ordering(self.request, None, self)
        if ordering:
            filters["ordering"] = ordering[0]
        return warning_list(scope=scope, filters=filters)

    @extend_schema(summary="研判预警列表", tags=[TAG], responses={200: WarningOutputSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WarningOutputSerializer(page, many=True).data)


class WarningActionApi(ScopedApi):
    """POST warnings/{id}/<action>/: parse `input_serializer`, call the service once, answer
    with the warning as the caller now sees it."""

    input_serializer: type[drf_serializers.Serializer]

    def post(self, request, id: int):
        data = validated(self.input_serializer, request.data)
        self.perform(warning_id=id, **data)
        return Response(WarningOutputSerializer(warning_get(scope=self.scope, warning_id=id)).data)

    def perform(self, *, warning_id: int, **data: Any) -> Any:
        raise NotImplementedError


ACTION_ERRORS = {**ERROR_RESPONSES, 409: ErrorOutputSerializer}


@extend_schema_view(post=extend_schema(summary="确认预警", tags=[TAG], request=WarningAcknowledgeInputSerializer,
                                       responses={200: WarningOutputSerializer, **ACTION_ERRORS}))
class WarningAcknowledgeApi(WarningActionApi):
    input_serializer = WarningAcknowledgeInputSerializer

    def perform(self, *, warning_id: int, **data: Any) -> Any:
        return warning_follow.warning_acknowledge(actor=self.request.user, warning_id=warning_id, **data)


@extend_schema_view(post=extend_schema(summary="指定预警跟进人", tags=[TAG], request=WarningAssignInputSerializer,
                                       responses={200: WarningOutputSerializer, **ACTION_ERRORS}))
class WarningAssignApi(WarningActionApi):
    input_serializer = WarningAssignInputSerializer

    def perform(self, *, warning_id: int, **data: Any) -> Any:
        return warning_follow.warning_assign(actor=self.request.user, warning_id=warning_id, **data)
