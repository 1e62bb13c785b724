"""API authentication: django-rest-knox tokens (header `Authorization: Token <key>`).

Knox stores only a hash of each token, gives every sign-in its own token and lets each
expire (REST_KNOX["TOKEN_TTL"]); governance.accounts revokes them on sign-out and on a
password change. This subclass loads the user's jurisdiction region with the token (every
API request scopes by it: one query), answers in Chinese, and leaves the sweep of a user's
other expired tokens to token issue rather than every request.
"""
from __future__ import annotations

import binascii
from hmac import compare_digest

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox import auth as knox_auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from rest_framework import exceptions

from governance import clock


class TokenAuthentication(knox_auth.TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            key = token.decode("utf-8")
            digest = hash_token(key)
        except (UnicodeDecodeError, TypeError, binascii.Error):
            raise exceptions.AuthenticationFailed(_("令牌无效")) from None
        candidates = get_token_model().objects.filter(
            token_key=key[:CONSTANTS.TOKEN_KEY_LENGTH]).select_related("user__region")
        for auth_token in candidates:
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry < clock.now():
                auth_token.delete()
                raise exceptions.AuthenticationFailed(_("令牌已过期，请重新登录"))
            if not auth_token.user.is_active:
                raise exceptions.AuthenticationFailed(_("账号已停用或已删除"))
            return (auth_token.user, auth_token)
        raise exceptions.AuthenticationFailed(_("令牌无效"))


class TokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of the token header (the name DRF's tokens had)."""

    target_class = "governance.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>`，由 POST /api/v1/auth/token/ 取得，有效期见 API_TOKEN_TTL_HOURS"}
