"""One application error vocabulary, mapped to HTTP by one handler.

conflict (bad transition, stale version) → 409, wrong role → 403, missing or out of
jurisdiction → 404, invalid input → 400. API bodies are {"message", "code", "extra"} with a
Chinese message; pages show the same message through Django messages.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApplicationError(Exception):
    status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.extra = extra or {}


class InvalidInput(ApplicationError):
    status = 400
    default_code = "invalid"


class Forbidden(ApplicationError):
    status = 403
    default_code = "forbidden"


class NotFound(ApplicationError):
    """Missing, or outside the caller's jurisdiction: the two must look the same."""

    status = 404
    default_code = "not_found"


class Conflict(ApplicationError):
    status = 409
    default_code = "conflict"


def _body(message: str, code: str, extra: dict | None = None) -> dict:
    return {"message": message, "code": code, "extra": extra or {}}


def _flatten(detail: Any) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            text = _flatten(value)
            return text if key in ("non_field_errors", "__all__") else f"{key}: {text}"
        return ""
    if isinstance(detail, list):
        return _flatten(detail[0]) if detail else ""
    return str(detail)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    response = _response_for(exc, context)
    if response is not None and response.status_code == 403:
        # Every refusal is audited (等保): who, what, from where.
        from governance.services import audit_refusal

        audit_refusal(request=context.get("request"), message=str(response.data.get("message", "")),
                      code=str(response.data.get("code", "")))
    return response


def _response_for(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(_body(exc.message, exc.code, exc.extra), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(detail=getattr(exc, "message_dict", None) or exc.messages)
    if isinstance(exc, Http404):
        return Response(_body(_("未找到该记录"), "not_found"), status=404)
    if isinstance(exc, DjangoPermissionDenied):
        return Response(_body(_("无权执行此操作"), "forbidden"), status=403)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        detail = exc.detail
        response.data = _body(_flatten(detail) or _("输入有误"), "invalid", {"fields": detail})
    elif isinstance(exc, drf_exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        response.data = _body(str(exc.detail), code)
    return response
