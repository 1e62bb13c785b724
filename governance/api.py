"""Kernel API pieces every app's API builds on, and the account endpoints.

- `ScopedApi`: the base class of every jurisdiction-scoped endpoint. It resolves the
  request's scope once, after DRF authentication (so token users get theirs too), and
  refuses to run without one (NoJurisdiction → 403).
- `ScopedListApi`: the base class of every scoped list. Its rows come only from the
  subclass's `scoped_queryset(scope)`; a subclass defining `get_queryset` or `queryset`
  fails at class creation, so the scoped path is the only path.
- `StandardPagination`: page-number pagination with a client page size capped at 100.
- `ErrorOutputSerializer`: the one error body, for the OpenAPI schema.
- `TokenObtainApi` (POST /api/v1/auth/token/), `TokenRevokeApi` (POST /api/v1/auth/logout/)
  and `MeApi` (GET /api/v1/me/).
- Reference data inside the jurisdiction: `RegionListApi` (GET /api/v1/regions/) and
  `DepartmentListApi` (GET /api/v1/departments/).
"""
from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import accounts
from governance.errors import ApplicationError, Forbidden, InvalidInput
from governance.inputs import INT32_MAX, span_error
from governance.models import Department, DepartmentKind, Region, RegionLevel, Role
from governance.pagination import StandardPagination
from governance.scoping import Scope, request_scope, scope_for
from governance.serializers import ChoiceLabelField, RegionRefOutputSerializer
from governance.signals import audit_login_refused, client_ip
from governance.throttles import TokenObtainThrottle


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


class ApiDocsPermission(BasePermission):
    """The OpenAPI schema and Swagger UI: signed-in users only when API_DOCS_REQUIRE_LOGIN."""

    message = _("请先登录后查看接口文档")

    def has_permission(self, request, view) -> bool:
        return not settings.API_DOCS_REQUIRE_LOGIN or bool(request.user and request.user.is_authenticated)


class ScopedApi(APIView):
    """Base of every jurisdiction-scoped endpoint: `self.scope` is set before any handler runs."""

    scope: Scope

    def initial(self, request, *args, **kwargs) -> None:
        # DRF authenticates, checks permissions and throttles here; only then is
        # request.user the token or session user whose scope we need.
        super().initial(request, *args, **kwargs)
        self.scope = request_scope(request)


class ScopedListApi(ScopedApi, GenericAPIView):
    """Base of every jurisdiction-scoped list: the scoped path is the only path.

    A subclass implements `scoped_queryset(self, scope)` (normally one call of a scoped
    selector, which applies the scope first) and names `schema_model`, the model whose
    filter parameters the OpenAPI schema documents. `get_queryset` is final: a subclass (or a
    mixin listed before this class) that defines `get_queryset` or `queryset` raises
    ImproperlyConfigured when the class is created, so a list cannot be fed rows that did not
    come through the request's scope.
    """

    pagination_class = StandardPagination
    schema_model: ClassVar[type[Model]]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        # Resolved through the MRO, so a mixin listed before this class is caught too.
        overridden = [
            name for name, replaced in (
                ("get_queryset", cls.get_queryset is not ScopedListApi.get_queryset),
                ("queryset", cls.queryset is not None),
            ) if replaced
        ]
        if overridden:
            raise ImproperlyConfigured(
                f"{cls.__module__}.{cls.__qualname__} defines {', '.join(overridden)}: a ScopedListApi "
                f"gets its rows from scoped_queryset(scope) only."
            )

    def scoped_queryset(self, scope: Scope) -> QuerySet:
        """The rows of this list inside `scope`, from a scoped selector."""
        raise NotImplementedError(f"{type(self).__qualname__} must implement scoped_queryset(scope)")

    def unscoped_schema_queryset(self) -> QuerySet:
        """Always empty: OpenAPI generation runs without a user (so without a scope) and needs
        only the model to document the list's filter parameters. It reads no row."""
        return self.schema_model._default_manager.none()

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.unscoped_schema_queryset()
        return self.scoped_queryset(self.scope)


def validated(serializer_class: type[serializers.Serializer], data, **kwargs) -> dict:
    """Parse input with an input serializer; invalid input raises (400 via the handler).

    The outer bounds of governance/inputs.py are added to every date and integer field that
    declares none (`serializer_bounds_ensure`), and a date at the calendar's edge that DRF
    cannot shift between time zones (OverflowError) is invalid input, not a 500.
    """
    serializer = serializer_class(data=data, **kwargs)
    serializer_bounds_ensure(serializer)
    if isinstance(data, dict) and not isinstance(data, QueryDict):
        errors = json_type_errors(serializer, data)
        if errors:
            field, message = next(iter(errors.items()))
            raise InvalidInput(f"{field}: {message}", extra={"fields": errors})
    try:
        serializer.is_valid(raise_exception=True)
    except OverflowError:
        raise InvalidInput(_("日期或数值超出允许范围"), code="invalid")
    return dict(serializer.validated_data)


def _json_types(field: serializers.Field) -> tuple[type, ...] | None:
    """The JSON types the schema documents for `field` (None: not checked here)."""
    if isinstance(field, serializers.BooleanField):
        return (bool,)
    if isinstance(field, serializers.ChoiceField):
        return tuple({type(key) for key in field.choices}) or (str,)
    if isinstance(field, serializers.CharField | serializers.DateField | serializers.DateTimeField):
        return (str,)
    if isinstance(field, serializers.IntegerField):
        return (int,)
    if isinstance(field, serializers.FloatField):
        return (int, float)
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return (list,)
    if isinstance(field, serializers.Serializer):
        return (dict,)
    return None


def json_type_errors(serializer: serializers.Serializer, data: dict, prefix: str = "") -> dict[str, str]:
    """JSON values of the wrong type for what the schema documents: DRF would coerce `0` into
    "0" for a text or "1" into 1 for a number, accepting what the OpenAPI schema says is
    invalid. A JSON body must send the documented type (form bodies are text and skip this)."""
    errors: dict[str, str] = {}
    for name, field in serializer.fields.items():
        if field.read_only or name not in data or data[name] is None:
            continue
        value, expected = data[name], _json_types(field)
        if expected is not None and (not isinstance(value, expected) or (isinstance(value, bool)
                                                                          and bool not in expected)):
            errors[f"{prefix}{name}"] = _("类型不正确")
            continue
        child = getattr(field, "child", None)
        if isinstance(field, serializers.Serializer):
            errors.update(json_type_errors(field, value, f"{prefix}{name}."))
        elif child is not None and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(child, serializers.Serializer) and isinstance(item, dict):
                    errors.update(json_type_errors(child, item, f"{prefix}{name}[{index}]."))
                elif (types := _json_types(child)) is not None and item is not None and (
                        not isinstance(item, types) or (isinstance(item, bool) and bool not in types)):
                    errors[f"{prefix}{name}[{index}]"] = _("类型不正确")
    return errors


def serializer_bounds_ensure(serializer: serializers.BaseSerializer) -> None:
    """Give every unbounded date or integer field of `serializer` (nested ones too) the
    platform's outer bounds: ±DATE_SPAN_YEARS, ±INT32_MAX (IDs declare ID_MAX themselves)."""
    if isinstance(serializer, serializers.ListSerializer):
        serializer_bounds_ensure(serializer.child)
        return
    for field in serializer.fields.values():
        if isinstance(field, serializers.BaseSerializer):
            serializer_bounds_ensure(field)
        elif isinstance(field, serializers.ListField):
            _field_bounds_ensure(field.child)
        else:
            _field_bounds_ensure(field)


def _field_bounds_ensure(field: serializers.Field) -> None:
    if isinstance(field, serializers.DateField | serializers.DateTimeField):
        if not hasattr(field, "bound"):
            field.validators = [*field.validators, _span_validator]
    elif isinstance(field, serializers.IntegerField):
        if field.max_value is None:
            field.max_value = INT32_MAX
            field.validators = [*field.validators, MaxValueValidator(INT32_MAX)]
        if field.min_value is None:
            field.min_value = -INT32_MAX
            field.validators = [*field.validators, MinValueValidator(-INT32_MAX)]


def _span_validator(value) -> None:
    message = span_error(value)
    if message:
        raise serializers.ValidationError(message)


# --- Account endpoints -------------------------------------------------------------------------


class TokenObtainInputSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    password = serializers.CharField(label=_("密码"), max_length=128, trim_whitespace=False,
                                     style={"input_type": "password"})
    otp = serializers.RegexField(r"^\d{6,8}$", label=_("动态口令"), required=False,
                                 help_text="手机验证器上的 6 位数字：管理员及 OTP_REQUIRED_ROLES 所列角色、已绑定的用户必填")


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenObtainApi(APIView):
    """Exchange a username and password (and, where the second factor applies, the current
    TOTP code) for an API token (header `Authorization: Token <key>`).

    Goes through django.contrib.auth.authenticate with the request, so django-axes counts
    failures and refuses locked-out usernames and addresses exactly as on the login page.
    Every call issues a new token (django-rest-knox: stored as a hash, expiring after
    REST_KNOX["TOKEN_TTL"]); the body stays `{"token": "<key>"}`. Rate-limited per client
    address (settings.API_THROTTLE_RATES["token"]).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenObtainThrottle]

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
        if accounts.otp_required(user):
            if not data.get("otp"):
                raise Forbidden(_("该账号须使用动态口令：请在 otp 字段提交手机验证器上的 6 位数字"),
                                code="otp_required")
            accounts.otp_verify(user=user, token=data["otp"], ip_address=client_ip(request))
        token = accounts.token_issue(user=user)
        # A token issue is a sign-in: audited, last_login updated, axes failures reset.
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response(TokenOutputSerializer({"token": token}).data)


class TokenRevokeApi(APIView):
    """Sign out of the API: the token presented is revoked at once (204)."""

    @extend_schema(summary="注销 API 令牌", request=None, responses={204: None, 401: ErrorOutputSerializer},
                   tags=["auth"])
    def post(self, request):
        if request.auth is not None and hasattr(request.auth, "digest"):
            accounts.tokens_revoke(user=request.user, token=request.auth)
        return Response(status=204)


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


# --- Reference data inside the jurisdiction ---------------------------------------------------


class RegionListOutputSerializer(RegionOutputSerializer):
    parent_id = serializers.IntegerField(allow_null=True)


class RegionListApi(ScopedListApi):
    """GET /api/v1/regions/: the caller's region and every region below it (`?level=`,
    `?parent=` narrow it; a parent outside the jurisdiction is 404)."""

    schema_model = Region

    def scoped_queryset(self, scope):
        regions = scope.regions()
        level = self.request.query_params.get("level")
        if level:
            if level not in RegionLevel.values:
                raise InvalidInput(_("level 应为 city / county / township / village"), extra={"fields": {
                    "level": _("无效的层级")}})
            regions = regions.filter(level=level)
        parent = self.request.query_params.get("parent")
        if parent:
            regions = regions.filter(parent=scope.region_in_scope(parent))
        return regions.order_by("code")

    @extend_schema(summary="行政区划", tags=["reference"], parameters=[
        OpenApiParameter("level", str, enum=RegionLevel.values, description="层级"),
        OpenApiParameter("parent", int, description="上级区划 id(管辖范围内)")],
        responses={200: RegionListOutputSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RegionListOutputSerializer(page, many=True).data)


class DepartmentListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=DepartmentKind.choices)
    kind_label = ChoiceLabelField(DepartmentKind.choices, source="kind")
    region = RegionRefOutputSerializer()


class DepartmentListApi(ScopedListApi):
    """GET /api/v1/departments/: the active departments inside the caller's jurisdiction."""

    schema_model = Department

    def scoped_queryset(self, scope):
        return scope.filter(Department.objects.filter(is_active=True)).select_related("region").order_by(
            "region__code", "name")

    @extend_schema(summary="部门", tags=["reference"],
                   responses={200: DepartmentListOutputSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DepartmentListOutputSerializer(page, many=True).data)
