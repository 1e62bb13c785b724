"""API sign-in: token endpoint (with django-axes lockout), token and session auth, /me."""
import pytest
from django.test import override_settings
from knox.models import AuthToken as Token
from rest_framework.test import APIClient

from governance.accounts import token_issue
from governance.models import AuditLog, Role
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "code", "extra"}
    assert body["code"] == code
    # Chinese message for the user, never an English framework default.
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body["message"]
    return body


@pytest.fixture
def api():
    return APIClient()


def test_token_is_issued_for_right_credentials_and_authenticates_me(tree, api):
    # given a township window clerk
    user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    # when they exchange username and password for a token
    response = api.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    # then they get the user's token, and it signs them in on the API (no session involved)
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    # (stored as a hash only: the row keeps the key's first characters to find it by)
    stored = Token.objects.get(user=user)
    assert key.startswith(stored.token_key) and key not in (stored.digest, stored.token_key)
    me = APIClient().get(ME_URL, HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    # and the sign-in is audited like a page login
    assert AuditLog.objects.filter(action="login", actor=user).count() == 1


def test_every_sign_in_gets_a_token_of_its_own(tree, api):
    # (issue 15: the same token on every sign-in meant one leak was every client's)
    user = UserFactory(region=tree.town_a1)
    first = api.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json").json()
    second = api.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json").json()
    assert first["token"] != second["token"]
    for key in (first["token"], second["token"]):
        assert APIClient().get(ME_URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_wrong_password_is_400_with_chinese_message(tree, api):
    user = UserFactory(region=tree.town_a1)
    response = api.post(TOKEN_URL, {"username": user.username, "password": "wrong"}, format="json")
    body = assert_error(response, 400, "invalid_credentials")
    assert body["message"] == "用户名或密码错误"
    assert not Token.objects.filter(user=user).exists()
    assert AuditLog.objects.filter(action="login_failed", detail__username=user.username).count() == 1


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(db, api):
    response = api.post(TOKEN_URL, {"username": "nobody", "password": "x"}, format="json")
    assert assert_error(response, 400, "invalid_credentials")["message"] == "用户名或密码错误"


def test_missing_fields_are_400_with_field_errors(db, api):
    response = api.post(TOKEN_URL, {"username": "someone"}, format="json")
    body = assert_error(response, 400, "invalid")
    assert "password" in body["extra"]["fields"]


@override_settings(AXES_FAILURE_LIMIT=3)
def test_axes_locks_out_after_repeated_failures_even_with_the_right_password(tree, api):
    # given a user whose password was guessed wrong up to the limit
    user = UserFactory(region=tree.town_a1)
    for _ in range(2):
        assert_error(api.post(TOKEN_URL, {"username": user.username, "password": "bad"}, format="json"),
                     400, "invalid_credentials")
    # the failure that reaches the limit already answers "locked"
    assert_error(api.post(TOKEN_URL, {"username": user.username, "password": "bad"}, format="json"),
                 429, "locked_out")
    # when the right password is sent now
    response = api.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    # then axes refuses it and no token is issued
    assert_error(response, 429, "locked_out")
    assert not Token.objects.filter(user=user).exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_successful_sign_in_resets_the_failure_count(tree, api):
    user = UserFactory(region=tree.town_a1)
    for _ in range(2):
        api.post(TOKEN_URL, {"username": user.username, "password": "bad"}, format="json")
    assert api.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json").status_code == 200
    for _ in range(2):
        api.post(TOKEN_URL, {"username": user.username, "password": "bad"}, format="json")
    assert api.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json").status_code == 200


def test_user_without_region_gets_no_token(db, api):
    user = UserFactory(region=None)
    response = api.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    assert_error(response, 403, "no_jurisdiction")
    assert not Token.objects.filter(user=user).exists()
    assert AuditLog.objects.filter(action="login_refused", actor=user).exists()


def test_inactive_user_gets_no_token(tree, api):
    user = UserFactory(region=tree.town_a1, is_active=False)
    response = api.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    assert_error(response, 400, "invalid_credentials")


def test_me_with_session_auth_returns_role_region_department_and_scope(tree, api):
    # given a handler of a county department signed in through the login page (session)
    department = DepartmentFactory(region=tree.county_a, name="王益区司法局")
    user = UserFactory(role=Role.HANDLER, region=tree.county_a, department=department, display_name="张三")
    api.force_login(user)
    # when they ask who they are
    body = api.get(ME_URL).json()
    # then role, region, department and scope are the user's
    assert body["role"] == "handler"
    assert body["role_label"] == "办理人"
    assert body["display_name"] == "张三"
    assert body["region"] == {"id": tree.county_a.pk, "code": "610202", "name": "王益区", "level": "county",
                              "level_label": "县(区)"}
    assert body["department"] == {"id": department.pk, "name": "王益区司法局"}
    assert body["scope"] == {"level": "county", "region_id": tree.county_a.pk, "department_id": department.pk}


def test_me_requires_authentication(db, api):
    response = api.get(ME_URL)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"message", "code", "extra"}
    assert body["code"] == "not_authenticated"


def test_me_refuses_a_user_without_jurisdiction(db, api):
    api.force_login(UserFactory(region=None))
    assert_error(api.get(ME_URL), 403, "no_jurisdiction")


def test_bad_token_is_rejected(db, api):
    response = api.get(ME_URL, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response.json()["message"] == "令牌无效"


def test_token_of_a_deactivated_user_is_rejected(tree, api):
    user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    key = token_issue(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = api.get(ME_URL, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert response.json()["message"] == "账号已停用或已删除"
