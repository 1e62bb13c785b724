"""Sign-in: Django's auth views with the platform's rules.

- A wrong username or password shows one Chinese message and keeps the typed username.
- A user without a jurisdiction region is refused (fail closed, administrators too).
- django-axes (settings.AXES_*) locks a username, and separately a client address, out after
  repeated failures and renders registration/locked_out.html; its middleware swaps the
  response. Before that, POSTs are rate-limited per client address (settings.LOGIN_RATE).
- After a sign-in the user is told when and from where they last signed in, and how many
  failed attempts there were since (governance.accounts.last_login_notice).
"""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from governance.accounts import last_login_notice
from governance.signals import audit_login_refused, client_ip


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


def client_ip_key(group: str, request) -> str:
    return client_ip(request) or "unknown"


def login_rate(group: str, request) -> str:
    return settings.LOGIN_RATE


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if is_ratelimited(request, group="login", key=client_ip_key, rate=login_rate, method="POST", increment=True):
            # An unbound form: validating it would try the password (and count for axes).
            form = self.form_class(request, initial={"username": request.POST.get("username", "")[:150]})
            context = self.get_context_data(form=form, login_blocked=_("登录请求过于频繁，请稍后再试"))
            return render(request, self.template_name, context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        notice = last_login_notice(user=form.get_user())  # before this sign-in is recorded
        response = super().form_valid(form)
        messages.info(self.request, notice)
        return response


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
