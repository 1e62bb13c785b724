"""The disputes REST API (v1). Thin: parse with an input serializer, call one service or
selector, render with an output serializer. Every class is a `ScopedApi`, so the caller's
jurisdiction scope is resolved once after authentication and nothing runs without one.

Errors are the services' own (governance.errors) mapped by the one exception handler:
400 invalid input, 403 wrong role, 404 missing or outside the jurisdiction, 409 invalid
transition or stale version — body {"message", "code", "extra"}.

Routes (disputes/api_urls.py, under /api/v1/):
  GET/POST  cases/                           CaseListCreateApi
  GET       cases/{id}/                      CaseDetailApi
  POST      cases/{id}/<action>/             one class per action (CaseAcceptApi, …)
  GET       cases/{id}/events/               CaseEventListApi
  GET       cases/{id}/parties/{pid}/reveal/ PartyRevealApi (audited full value)
  POST      case-hints/                      CaseHintListApi (intake: related/duplicate cases; a POST,
                                             so ID numbers and phones never sit in a URL or access log)
"""
from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import filters as drf_filters
from rest_framework import serializers as drf_serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from disputes import selectors, services
from disputes import serializers as s
from disputes.actions import PERFORMED, CaseAction, Kind
from disputes.filters import CASE_ORDERING_FIELDS, CaseFilter
from disputes.models import Case
from disputes.permissions import case_available_actions
from governance import permissions as governance_permissions
from governance.api import (
    ERROR_RESPONSES,
    ErrorOutputSerializer,
    ScopedApi,
    ScopedListApi,
    StandardPagination,
    validated,
)
from governance.errors import InvalidInput, NotFound
from governance.signals import client_ip

TAG = "cases"
ACTION_ERRORS = {**ERROR_RESPONSES, 409: ErrorOutputSerializer}
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 200


def case_detail_data(api: ScopedApi, case_id: int) -> dict[str, Any]:
    """The detail body of one case as `api`'s caller sees it (scoped; 404 outside)."""
    case = selectors.case_get(scope=api.scope, case_id=case_id)
    assignment, assists = selectors.case_open_assignments(case)
    context = {
        "assignment": assignment,
        "assists": assists,
        "available_actions": case_available_actions(user=api.request.user, case=case, assignment=assignment,
                                                    assists=assists),
    }
    return s.CaseDetailOutputSerializer(case, context=context).data


def submit_token_for(*, user_id: int, key: str) -> str:
    """The case's submit_token for a client's Idempotency-Key.

    Namespaced by user, so one client's key can never return another user's case, and hashed
    to the column's fixed 64 characters whatever the key's length.
    """
    return hashlib.sha256(f"api:{user_id}:{key}".encode()).hexdigest()


# --- Cases: list, register, detail -------------------------------------------------------------


class CaseListCreateApi(ScopedListApi):
    """GET: the cases inside the caller's jurisdiction. POST: register a case (登记)."""

    schema_model = Case
    # The backends declare and document the parameters; disputes.selectors.case_list applies them.
    filter_backends = [DjangoFilterBackend, drf_filters.OrderingFilter]
    filterset_class = CaseFilter
    ordering_fields = CASE_ORDERING_FIELDS

    def scoped_queryset(self, scope):
        filters = CaseFilter(self.request.query_params).selector_filters()
        # One ordering term (the selector orders by one column, then id).
        ordering = drf_filters.OrderingFilter().get_ordering(self.request, None, self)
        if ordering:
            filters["ordering"] = ordering[0]
        return selectors.case_list(scope=scope, filters=filters)

    @extend_schema(summary="案件列表", tags=[TAG], responses={200: s.CaseListOutputSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.CaseListOutputSerializer(page, many=True).data)

    @extend_schema(
        summary="登记案件",
        tags=[TAG],
        request=s.CaseCreateInputSerializer,
        parameters=[OpenApiParameter(
            IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
            description="客户端生成的唯一键；同一键重复提交时返回首次登记的案件（200），不会重复登记")],
        responses={201: s.CaseDetailOutputSerializer, 200: s.CaseDetailOutputSerializer, **ERROR_RESPONSES},
    )
    def post(self, request):
        data = validated(s.CaseCreateInputSerializer, request.data)
        parties = [services.PartyInput(**party) for party in data.pop("parties")]
        related_to_ids = data.pop("related_to_ids")
        duplicate_of_id = data.pop("duplicate_of_id")
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if len(key) > IDEMPOTENCY_KEY_MAX:
            raise InvalidInput(_("Idempotency-Key 过长"), extra={"max_length": IDEMPOTENCY_KEY_MAX})
        case = services.case_register(
            actor=request.user,
            data=services.CaseInput(**data),
            parties=parties,
            submit_token=submit_token_for(user_id=request.user.pk, key=key) if key else None,
            related_to_ids=related_to_ids,
            duplicate_of_id=duplicate_of_id,
        )
        # A repeated key returns the case registered by the first request: 200, never a second 201.
        replayed = getattr(case, "replayed", False)
        return Response(case_detail_data(self, case.pk), status=200 if replayed else 201)


class CaseDetailApi(ScopedApi):
    @extend_schema(summary="案件详情", tags=[TAG], responses={200: s.CaseDetailOutputSerializer, **ERROR_RESPONSES})
    def get(self, request, id: int):
        return Response(case_detail_data(self, id))


class CaseEventListApi(ScopedApi, GenericAPIView):
    """The case's timeline (办理记录), oldest first."""

    pagination_class = StandardPagination
    filter_backends: list = []

    @extend_schema(summary="办理记录", tags=[TAG], responses={200: s.CaseEventOutputSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request, id: int):
        page = self.paginate_queryset(selectors.case_events(scope=self.scope, case_id=id))
        return self.get_paginated_response(s.CaseEventOutputSerializer(page, many=True).data)


# --- Case actions: one class per write operation -----------------------------------------------


class CaseActionApi(ScopedApi):
    """POST /cases/{id}/<action>/: parse `input_serializer`, call the action's service once.

    Subclasses name their serializer and implement `perform`; transitions answer with the
    case detail (200), actions that create a record answer with that record (201).
    """

    input_serializer: type[drf_serializers.Serializer]
    output_serializer: type[drf_serializers.Serializer] | None = None

    def post(self, request, id: int):
        data = validated(self.input_serializer, request.data)
        result = self.perform(case_id=id, **data)
        if self.output_serializer is None:
            return Response(case_detail_data(self, id))
        return Response(self.output_serializer(result).data, status=201)

    def perform(self, *, case_id: int, **data: Any) -> Any:
        raise NotImplementedError


def action_schema(summary: str, description: str = ""):
    """Document a CaseActionApi subclass: its input serializer, its response, the errors."""

    def decorate(cls: type[CaseActionApi]) -> type[CaseActionApi]:
        if cls.output_serializer is None:
            responses = {200: s.CaseDetailOutputSerializer, **ACTION_ERRORS}
        else:
            responses = {201: cls.output_serializer, **ACTION_ERRORS}
        request: Any = cls.input_serializer
        if "parser_classes" in cls.__dict__:  # file upload: multipart only
            request = {"multipart/form-data": cls.input_serializer}
        return extend_schema_view(post=extend_schema(
            summary=summary, description=description, request=request, responses=responses, tags=[TAG],
        ))(cls)

    return decorate


def _action_api(action: CaseAction) -> type[CaseActionApi]:
    """The API class of one action (disputes/actions.py): POST its input, call its service."""

    def perform(self, *, case_id: int, **data: Any) -> Any:
        return services.action_perform(action, actor=self.request.user, case_id=case_id, data=data)

    attrs: dict[str, Any] = {
        "__module__": __name__, "__doc__": f"POST /cases/{{id}}/{action.api_path}/: {action.label}.",
        "input_serializer": s.ACTION_INPUT_SERIALIZERS[action.name], "perform": perform,
        "output_serializer": getattr(s, action.creates) if action.creates else None,
    }
    if any(spec.kind == Kind.FILE for spec in action.inputs):
        attrs["parser_classes"] = [MultiPartParser, FormParser]  # file upload: multipart only
    cls = type(f"Case{action.pascal}Api", (CaseActionApi,), attrs)
    return action_schema(str(action.button), action.description)(cls)


# Path segment → API class, for disputes/api_urls.py (the paths are a published contract).
# Segments equal the action names of case_available_actions, except "attachments" (action
# "attachment").
CASE_ACTION_APIS: dict[str, type[CaseActionApi]] = {a.api_path: _action_api(a) for a in PERFORMED}


# --- Parties and intake hints --------------------------------------------------------------------


class PartyRevealApi(ScopedApi):
    """The full ID number or phone of one party, for roles that need it. Every call is audited."""

    @extend_schema(
        summary="查看当事人完整证件号码或电话（留痕）",
        tags=[TAG],
        parameters=[s.PartyRevealInputSerializer],
        responses={200: s.RevealOutputSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, id: int, party_id: int):
        field = validated(s.PartyRevealInputSerializer, request.query_params)["field"]
        # The party must belong to the case named in the path (which must be in scope).
        case = selectors.case_get(scope=self.scope, case_id=id)
        if not any(party.pk == party_id for party in case.parties.all()):
            raise NotFound(_("未找到该当事人"))
        value = services.party_reveal(actor=request.user, party_id=party_id, field=field,
                                      ip_address=client_ip(request))
        response = Response(s.RevealOutputSerializer({"field": field, "value": value}).data)
        response["Cache-Control"] = "no-store"
        return response


class CaseHintListApi(ScopedApi):
    """Cases in the jurisdiction that may be related to an intake being typed (关联件/重复件):
    the same party (ID number or phone), or the same category in the same village recently.

    A POST although it reads: the ID number and phone go in the body, never in the URL (which
    proxies, access logs and browser history keep)."""

    @extend_schema(
        summary="登记时的关联案件提示",
        description="证件号码和电话放在请求体中（POST），不出现在 URL 里",
        tags=[TAG],
        request=s.CaseHintInputSerializer,
        responses={200: s.CaseListOutputSerializer(many=True), **ERROR_RESPONSES},
    )
    def post(self, request):
        # Matching by ID number is a lookup of personal data: only roles that register cases.
        governance_permissions.require(self.scope, "disputes.register")
        data = validated(s.CaseHintInputSerializer, request.data)
        cases = selectors.related_case_hints(
            scope=self.scope,
            id_numbers=tuple(filter(None, [data["id_number"].strip()])),
            phones=tuple(filter(None, [data["phone"].strip()])),
            village_id=data["village"],
            category_id=data["category"],
            exclude_id=data["exclude"],
        )
        return Response(s.CaseListOutputSerializer(cases, many=True).data)
