"""API authentication: DRF's token scheme, loading the user's jurisdiction region with the
token and the user (every API request scopes by it), with messages in Chinese."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__region").get(key=key)  # the API shows no full name
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("令牌无效")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("账号已停用或已删除"))
        return (token.user, token)
