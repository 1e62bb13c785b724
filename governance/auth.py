"""Sign-in: Django's auth views with the platform's rules.

- A wrong username or password shows one Chinese message and keeps the typed username.
- A user without a jurisdiction region is refused (fail closed, administrators too).
- django-axes (settings.AXES_*) locks a username+IP out after repeated failures and renders
  registration/locked_out.html; its middleware swaps the response, so the view needs nothing.
"""
from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from governance.signals import audit_login_refused


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "class": "form-control"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )

    error_messages = {
        "invalid_login": _("用户名或密码错误"),
        "inactive": _("该账号已停用，请联系系统管理员"),
        "no_region": _("该账号未设置管辖区划，请联系系统管理员"),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if user.region_id is None:
            audit_login_refused(user=user, request=self.request, reason="no_region")
            raise forms.ValidationError(self.error_messages["no_region"], code="no_region")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST-only (Django 5): the layout's logout button is a form."""


# The region and its ancestors on the path columns: the layout shows the full name
# (铜川市王益区红旗街街道) on every page.
USER_RELATED = ("region", "region__city", "region__county", "region__township")


class UserBackend(ModelBackend):
    """Django's model backend, loading the user's jurisdiction region (and its ancestors, for
    its full name) with the user: every signed-in request needs them (scoping, the layout),
    so it is one query instead of three."""

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related(*USER_RELATED).get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
