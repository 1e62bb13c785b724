"""Second factor (issue 15): TOTP enrolment with a locally rendered QR code, the verify step
after the password, required for the three administrators and for roles named in settings."""
import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.models import AuditLog, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.OTP_ENFORCED = True


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    # The code of the current step (or a later one: django-otp refuses a code twice).
    return f"{totp(device.bin_key, device.step, device.t0 - steps_ahead * device.step, device.digits):06d}"


def sign_in(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client.get("/")


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_an_administrator_enrols_on_first_sign_in_then_verifies_every_time(client, tree, role):
    admin = UserFactory(role=role, region=tree.city, is_staff=role != Role.AUDIT_ADMIN)
    # first sign-in: every page leads to the enrolment page, the API refuses
    home = sign_in(client, admin)
    assert home.status_code == 302 and home["Location"].startswith("/account/otp/setup/")
    assert client.get("/admin/").status_code == 302
    me = client.get("/api/v1/me/")
    assert me.status_code == 403 and me.json()["code"] == "otp_required"
    # the QR code is drawn in the page as SVG (no image service), the secret beside it
    setup = client.get("/account/otp/setup/")
    body = setup.content.decode()
    assert setup.status_code == 200 and "<svg" in body and 'data-testid="otp-secret"' in body
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    # a wrong code is refused, the right one binds the phone
    assert "不正确" in client.post("/account/otp/setup/", {"token": "000000"}).content.decode()
    done = client.post("/account/otp/setup/", {"token": code(device)})
    assert done.status_code == 302
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).count() == 1
    assert client.get("/api/v1/me/").status_code == 200
    client.post("/logout/")

    # next sign-in: the verify step
    home = sign_in(client, admin)
    assert home["Location"].startswith("/account/otp/verify/")
    assert "不正确" in client.post("/account/otp/verify/", {"token": "123456"}).content.decode()
    assert AuditLog.objects.filter(action="otp_failed", actor=admin).exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # (the wrong code above throttles the next try briefly)
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post("/account/otp/verify/", {"token": code(device, steps_ahead=1), "next": "/notifications/"})
    assert ok.status_code == 302 and ok["Location"] == "/notifications/"
    assert client.get("/notifications/").status_code == 200
    assert AuditLog.objects.filter(action="otp_verified", actor=admin).exists()


def test_ordinary_roles_sign_in_with_a_password_unless_a_setting_names_them(client, tree, settings):
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    assert not sign_in(client, clerk)["Location"].startswith("/account/otp/")
    client.post("/logout/")
    settings.OTP_REQUIRED_ROLES = [Role.WINDOW_STAFF]
    assert sign_in(client, clerk)["Location"].startswith("/account/otp/setup/")


def test_the_token_endpoint_asks_administrators_for_the_code(client, tree):
    admin = UserFactory(role=Role.SECURITY_ADMIN, region=tree.city, is_staff=True)
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    url = "/api/v1/auth/token/"
    without = client.post(url, {"username": admin.username, "password": PASSWORD}, content_type="application/json")
    assert without.status_code == 403 and without.json()["code"] == "otp_required"
    wrong = client.post(url, {"username": admin.username, "password": PASSWORD, "otp": "000000"},
                        content_type="application/json")
    assert wrong.status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post(url, {"username": admin.username, "password": PASSWORD, "otp": code(device)},
                        content_type="application/json")
    assert right.status_code == 200 and set(right.json()) == {"token"}
