"""GET/POST /api/v1/field-reports/: a grid worker's field reports (现场上报) for a phone app.

The same service as the phone page (`case_report_field`): category, a few words, optional
photos (multipart), the location, an optional party. GET lists grid reports in the caller's
jurisdiction — a grid worker's own only — with who holds each now. An `Idempotency-Key`
makes a retried upload register one case: the repeat answers 200 with the first case.
"""
from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from disputes.api import IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_MAX, submit_token_for
from disputes.models import Case
from disputes.selectors.field import field_report_list, field_report_of
from disputes.services.field import DESCRIPTION_MAX, FieldReportInput, case_report_field
from governance import clock
from governance.api import ERROR_RESPONSES, ScopedListApi, validated
from governance.errors import InvalidInput
from governance.models import Role
from governance.permissions import require

TAG = "grids"


class FieldReportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    warning_level = serializers.CharField()
    category_name = serializers.CharField()
    grid_name = serializers.CharField()
    created_at = serializers.DateTimeField()
    handler = serializers.CharField(help_text="现在由谁办理：牵头单位，否则为受理的综治中心")


class FieldReportInputSerializer(serializers.Serializer):
    category = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    grid = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
                                    help_text="不填时按定位确定；只负责一个网格时即为该网格")
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    party_name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    party_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    patrol = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=9)


class FieldReportListCreateApi(ScopedListApi):
    """GET: grid reports in the jurisdiction (a grid worker: their own). POST: report an event."""

    schema_model = Case
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def scoped_queryset(self, scope):
        mine = self.request.user.pk if scope.role == Role.GRID_WORKER else None
        return field_report_list(scope=scope, user_id=mine)

    @extend_schema(summary="网格上报列表", tags=[TAG],
                   responses={200: FieldReportOutputSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(FieldReportOutputSerializer(
            [field_report_of(case) for case in page], many=True).data)

    @extend_schema(
        summary="现场上报", tags=[TAG], request={"multipart/form-data": FieldReportInputSerializer,
                                            "application/json": FieldReportInputSerializer},
        parameters=[OpenApiParameter(
            IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
            description="客户端生成的唯一键；网络重试时返回首次上报的案件（200），不会重复登记")],
        responses={201: FieldReportOutputSerializer, 200: FieldReportOutputSerializer, **ERROR_RESPONSES})
    def post(self, request):
        require(self.scope, "disputes.register")
        data = request.data
        if isinstance(data, QueryDict):  # multipart: text fields as sent, every photo
            form = QueryDict(mutable=True)
            for key in data:
                if key != "photos":
                    form[key] = data.get(key)
            form.setlist("photos", request.FILES.getlist("photos"))
            data = form
        body = validated(FieldReportInputSerializer, data)
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if len(key) > IDEMPOTENCY_KEY_MAX:
            raise InvalidInput(_("Idempotency-Key 过长"), extra={"max_length": IDEMPOTENCY_KEY_MAX})
        started = clock.now()
        report = FieldReportInput(
            category_id=body["category"], description=body["description"], grid_id=body.get("grid"),
            latitude=body.get("latitude"), longitude=body.get("longitude"), party_name=body["party_name"],
            party_phone=body["party_phone"], patrol_id=body.get("patrol"))
        case = case_report_field(actor=request.user, data=report, photos=body["photos"],
                                 submit_token=submit_token_for(user_id=request.user.pk, key=key) if key else None)
        row = field_report_list(scope=self.scope, user_id=request.user.pk).get(pk=case.pk)
        return Response(FieldReportOutputSerializer(field_report_of(row)).data,
                        status=201 if case.created_at >= started else 200)
