"""Sessions and sign-in (issue 15): idle sign-out with frozen time, last-login notice, the
client address behind the trusted proxy, lockout by address, rate limits."""
import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from governance.accounts import token_issue
from governance.client_ip import client_ip
from governance.clock import frozen_at
from governance.models import AuditLog, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
PAGE = "/notifications/"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_session_idle_for_thirty_minutes_is_signed_out(client, tree, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    with frozen_at(T0):
        client.force_login(user)
        token_issue(user=user)
    # active at 29 minutes: still signed in, and the clock starts again
    with frozen_at(T0 + dt.timedelta(minutes=29)):
        assert client.get(PAGE).status_code == 200
    with frozen_at(T0 + dt.timedelta(minutes=29 + 30, seconds=-1)):
        assert client.get(PAGE).status_code == 200
    # idle for 30 minutes and a second: signed out for real
    with frozen_at(T0 + dt.timedelta(minutes=29 + 30 + 30, seconds=1)):
        response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action="session_timeout", actor=user).exists()
    assert not user.auth_token_set.exists()  # its API tokens went with it
    follow = client.get(response["Location"])
    assert any("自动退出" in str(m) for m in get_messages(follow.wsgi_request)) or "自动退出" in follow.content.decode()


def test_a_signed_in_page_does_not_write_the_session_every_request(client, tree):
    user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    client.force_login(user)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as ctx:
        client.get(PAGE)
    assert not any("UPDATE \"django_session\"" in q["sql"] for q in ctx.captured_queries)


def test_after_sign_in_the_user_sees_when_and_where_they_last_signed_in(client, tree):
    user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    first = client.post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.10")
    assert "首次登录" in " ".join(str(m) for m in get_messages(first.wsgi_request))
    client.logout()
    client.post(LOGIN, {"username": user.username, "password": "wrong"}, REMOTE_ADDR="198.51.100.3")
    second = client.post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.11")
    notice = " ".join(str(m) for m in get_messages(second.wsgi_request))
    assert "上次登录" in notice and "192.0.2.10" in notice
    assert "1 次失败的登录尝试" in notice


@override_settings(TRUSTED_PROXY=["10.0.0.0/24"])
def test_the_client_address_comes_from_the_trusted_proxy_only():
    rf = RequestFactory()
    # behind the proxy: the hop nginx appended, whatever the client wrote before it
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "203.0.113.9"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    # a client talking to the app directly cannot choose its address
    assert client_ip(rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "198.51.100.7"
    # a proxy that sent nothing usable: its own address
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="garbage")) == "10.0.0.2"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


@override_settings(TRUSTED_PROXY=["10.0.0.2"], AXES_FAILURE_LIMIT=3)
def test_lockout_and_audit_use_the_real_client_behind_the_proxy(client, tree):
    # given an attacker and an honest clerk behind the same proxy
    victim = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    via_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # when the attacker guesses three passwords of three different users
    for n in range(3):
        client.post(LOGIN, {"username": f"nobody{n}", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.66",
                    **via_proxy)
    # then the attacker's address is locked out, even with a right password
    locked = client.post(LOGIN, {"username": victim.username, "password": PASSWORD},
                         HTTP_X_FORWARDED_FOR="203.0.113.66", **via_proxy)
    assert locked.status_code == 429
    assert AuditLog.objects.filter(action="lockout", ip_address="203.0.113.66").exists()
    # and the clerk at another address signs in through the same proxy
    ok = client.post(LOGIN, {"username": clerk.username, "password": PASSWORD},
                     HTTP_X_FORWARDED_FOR="192.0.2.44", **via_proxy)
    assert ok.status_code == 302
    assert AuditLog.objects.filter(action="login", actor=clerk).get().ip_address == "192.0.2.44"
    assert set(AuditLog.objects.filter(action="login_failed").values_list("ip_address", flat=True)) == {"203.0.113.66"}


def test_sign_in_posts_are_rate_limited_per_address(client, tree, settings):
    settings.LOGIN_RATE = "3/m"
    user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    for _ in range(3):
        client.post(LOGIN, {"username": user.username, "password": "bad"}, REMOTE_ADDR="192.0.2.99")
    limited = client.post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.99")
    assert limited.status_code == 429
    assert "过于频繁" in limited.content.decode()
    # another address is not affected
    assert client.post(LOGIN, {"username": user.username, "password": PASSWORD},
                       REMOTE_ADDR="192.0.2.98").status_code == 302
