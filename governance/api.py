"""Kernel API pieces every app's API builds on, and the account endpoints.

- `ScopedApi`: the base class of every jurisdiction-scoped endpoint. It resolves the
  request's scope once, after DRF authentication (so token users get theirs too), and
  refuses to run without one (NoJurisdiction → 403).
- `StandardPagination`: page-number pagination with a client page size capped at 100.
- `ErrorOutputSerializer`: the one error body, for the OpenAPI schema.
- `TokenObtainApi` (POST /api/v1/auth/token/) and `MeApi` (GET /api/v1/me/).
"""
from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.errors import ApplicationError, InvalidInput
from governance.models import Role
from governance.pagination import DeferredJoinPaginator
from governance.scoping import Scope, request_scope, scope_for
from governance.signals import audit_login_refused


class LockedOut(ApplicationError):
    """django-axes locked this username + address out after repeated failures."""

    status = 429
    default_code = "locked_out"


class ErrorOutputSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="中文错误说明")
    code = serializers.CharField(help_text="机器可读的错误代码，如 invalid / forbidden / not_found / conflict")
    extra = serializers.DictField(help_text="附加信息，如字段错误")


# The error responses every scoped endpoint documents (bodies go through
# governance.errors.api_exception_handler).
ERROR_RESPONSES = {
    400: ErrorOutputSerializer,
    403: ErrorOutputSerializer,
    404: ErrorOutputSerializer,
}


class StandardPagination(PageNumberPagination):
    django_paginator_class = DeferredJoinPaginator  # deep pages join only their own rows
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ScopedApi(APIView):
    """Base of every jurisdiction-scoped endpoint: `self.scope` is set before any handler runs."""

    scope: Scope

    def initial(self, request, *args, **kwargs) -> None:
        # DRF authenticates, checks permissions and throttles here; only then is
        # request.user the token or session user whose scope we need.
        super().initial(request, *args, **kwargs)
        self.scope = request_scope(request)


def validated(serializer_class: type[serializers.Serializer], data, **kwargs) -> dict:
    """Parse input with an input serializer; invalid input raises (400 via the handler)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- Account endpoints -------------------------------------------------------------------------


class TokenObtainInputSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    password = serializers.CharField(label=_("密码"), max_length=128, trim_whitespace=False,
                                     style={"input_type": "password"})


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenObtainApi(APIView):
    """Exchange a username and password for an API token (header `Authorization: Token <key>`).

    Goes through django.contrib.auth.authenticate with the request, so django-axes counts
    failures and refuses locked-out username + address pairs exactly as on the login page.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="获取 API 令牌",
        request=TokenObtainInputSerializer,
        responses={200: TokenOutputSerializer, 400: ErrorOutputSerializer, 403: ErrorOutputSerializer,
                   429: ErrorOutputSerializer},
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        data = validated(TokenObtainInputSerializer, request.data)
        user = authenticate(request=request, username=data["username"], password=data["password"])
        if user is None:
            # Axes flags the request when it refused a locked-out pair, and on the failure
            # that reaches the limit.
            if getattr(request, "axes_locked_out", False):
                raise LockedOut(_("登录失败次数过多，账号已暂时锁定，请稍后再试或联系系统管理员"))
            raise InvalidInput(_("用户名或密码错误"), code="invalid_credentials")
        if user.region_id is None:
            # Same rule as the login page: no jurisdiction, no sign-in (fail closed).
            audit_login_refused(user=user, request=request, reason="no_region")
            scope_for(user)  # raises NoJurisdiction (403) with the standard message
        token, _created = Token.objects.get_or_create(user=user)
        # A token issue is a sign-in: audited, last_login updated, axes failures reset.
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response(TokenOutputSerializer({"token": token.key}).data)


class RegionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    level_label = serializers.CharField(source="get_level_display")


class DepartmentBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ScopeOutputSerializer(serializers.Serializer):
    level = serializers.CharField(help_text="管辖层级: city / county / township / village")
    region_id = serializers.IntegerField()
    department_id = serializers.IntegerField(allow_null=True)


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField(source="__str__")
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField(source="get_role_display")
    region = RegionOutputSerializer()
    department = DepartmentBriefSerializer(allow_null=True)
    scope = serializers.SerializerMethodField()

    @extend_schema_field(ScopeOutputSerializer)
    def get_scope(self, user) -> dict:
        return ScopeOutputSerializer(self.context["scope"]).data


class MeApi(ScopedApi):
    """The signed-in user: role, jurisdiction region, department and scope."""

    @extend_schema(summary="当前用户", tags=["auth"], responses={200: MeOutputSerializer, 403: ErrorOutputSerializer})
    def get(self, request):
        return Response(MeOutputSerializer(request.user, context={"scope": self.scope}).data)
