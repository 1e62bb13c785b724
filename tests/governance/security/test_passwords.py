"""Password policy (issue 15, 等保 level 3): complexity, username, history, expiry, the change page."""
import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from knox.models import AuthToken

from governance.accounts import token_issue
from governance.clock import frozen_at
from governance.models import AuditLog, PasswordHistory, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CHANGE = "/account/password/"


def errors_of(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [e.code for e in exc.error_list]
    return []


@pytest.mark.parametrize("password", ["zongzhi2026", "Short-1", "alllowercase", "ALLUPPER123", "12345678901"])
def test_weak_passwords_are_refused(password):
    # (zongzhi2026 was accepted on main: two classes only)
    assert errors_of(password)


@pytest.mark.parametrize("password", ["Zongzhi2026", "zongzhi-2026", "Demo-2026!", "Test-pass-123"])
def test_three_classes_and_eight_characters_pass(password):
    assert errors_of(password) == []


def test_the_username_may_not_be_inside_the_password(tree):
    user = UserFactory(username="hongqi_clerk", region=tree.town_a1)
    assert "password_contains_username" in errors_of("Hongqi_Clerk-9", user)


def test_none_of_the_last_five_passwords_may_come_back(tree):
    user = UserFactory(region=tree.town_a1)  # PASSWORD is the first
    for n in range(1, 5):
        user.set_password(f"Second-pass-{n}")
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    assert "password_reused" in errors_of(PASSWORD, user)
    assert "password_reused" in errors_of("Second-pass-4", user)  # the current one
    # the sixth change pushes the first out of the window
    user.set_password("Second-pass-5")
    user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    assert errors_of(PASSWORD, user) == []


def test_every_user_changes_their_password_on_their_own_page(client, tree):
    # given a signed-in handler with an API token
    user = UserFactory(role=Role.HANDLER, region=tree.town_a1)
    client.force_login(user)
    token_issue(user=user)
    assert "/account/password/" in client.get("/notifications/").content.decode()  # the user menu links it

    # when a weak password is tried, then a good one
    weak = client.post(CHANGE, {"old_password": PASSWORD, "new_password1": "zongzhi2026", "new_password2": "zongzhi2026"})
    assert weak.status_code == 200
    assert "至少三类" in weak.content.decode()
    good = client.post(CHANGE, {"old_password": PASSWORD, "new_password1": "Better-pass-77",
                                "new_password2": "Better-pass-77"})

    # then the password changed, the session stays signed in, tokens are revoked, it is audited
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Better-pass-77")
    assert client.get("/notifications/").status_code == 200
    assert not AuthToken.objects.filter(user=user).exists()
    assert AuditLog.objects.filter(action="password_change", actor=user).exists()


def test_an_expired_password_keeps_the_user_on_the_change_page(client, tree, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    then = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    with frozen_at(then):
        user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    with frozen_at(then + dt.timedelta(days=90, seconds=-1)):
        client.force_login(user)
        assert client.get("/notifications/").status_code == 200  # one second before: fine
    with frozen_at(then + dt.timedelta(days=90, seconds=1)):
        response = client.get("/notifications/")
        assert response.status_code == 302
        assert response["Location"].startswith(CHANGE)
        # the API answers 403 with the one error body
        api = client.get("/api/v1/me/")
        assert api.status_code == 403 and api.json()["code"] == "password_expired"
        # after the change the pages open again
        client.post(CHANGE, {"old_password": PASSWORD, "new_password1": "Fresh-pass-2026",
                             "new_password2": "Fresh-pass-2026"})
        assert client.get("/notifications/").status_code == 200
