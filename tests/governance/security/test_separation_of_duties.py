"""三员分立 (issue 15): system, security and audit administrators; none does another's work."""
import pytest

from governance.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(tree):
    return {
        "system": UserFactory(role=Role.ADMINISTRATOR, region=tree.city, is_staff=True),
        "security": UserFactory(role=Role.SECURITY_ADMIN, region=tree.city, is_staff=True),
        "audit": UserFactory(role=Role.AUDIT_ADMIN, region=tree.city),
    }


# (what, url) → who may open it
WORK = [
    ("reference data", "/admin/governance/region/add/", {"system"}),  # the security admin only looks regions up
    ("departments", "/admin/governance/department/add/", {"system"}),
    ("calendar", "/admin/governance/calendarday/add/", {"system"}),
    ("categories", "/admin/disputes/category/", {"system"}),
    ("accounts", "/admin/governance/user/", {"security"}),
    ("new account", "/admin/governance/user/add/", {"security"}),
    ("second factors", "/admin/otp_totp/totpdevice/", {"security"}),
    ("lockouts", "/admin/axes/accessattempt/", {"security"}),
    # cases and what they say about people: no administrator (a superuser's break-glass only)
    ("case records", "/admin/disputes/case/", set()),
    ("case timeline", "/admin/disputes/caseevent/", set()),
    ("early warnings", "/admin/disputes/earlywarning/", set()),
    ("analysis reports", "/admin/disputes/analysisreport/", set()),
    ("audit log", "/audit/", {"audit"}),
    ("audit export", "/audit/export/", {"audit"}),
]


@pytest.mark.parametrize(("what", "url", "allowed"), WORK, ids=[w[0] for w in WORK])
def test_each_administrator_does_only_their_own_work(client, admins, what, url, allowed):
    for name, user in admins.items():
        client.force_login(user)
        status = client.get(url).status_code
        if name in allowed:
            assert status == 200, (name, what)
        else:
            assert status in (302, 403, 404), (name, what, status)  # the admin site: 403, or login for non-staff


def test_the_audit_administrator_changes_nothing(client, admins, tree):
    client.force_login(admins["audit"])
    assert client.get("/admin/").status_code == 302  # no admin site at all
    # the audit page and its export only read (GET); no action of any app names this role
    from governance.permissions import _ACTIONS

    assert {name for name, roles in _ACTIONS.items() if Role.AUDIT_ADMIN in roles} == {
        "governance.view_audit", "governance.export_audit"}


def test_a_security_administrator_cannot_promote_themself(client, admins):
    me = admins["security"]
    client.force_login(me)
    page = client.get(f"/admin/governance/user/{me.pk}/change/")
    form = page.context["adminform"].form
    assert "role" not in form.fields and "is_superuser" not in form.fields and "groups" not in form.fields


def test_business_roles_do_not_see_the_administrators_pages(client, tree):
    for role in (Role.LEADER, Role.DISPATCHER):
        client.force_login(UserFactory(role=role, region=tree.city))
        assert client.get("/audit/").status_code == 403


def test_no_administrator_reads_cases_their_files_or_exports(client, admins, tree):
    from rest_framework.test import APIClient

    from tests.factories import CaseFactory

    case = CaseFactory(village=tree.village_a1x)
    pages = ["/cases/", f"/cases/{case.pk}/", "/cases/export.xlsx"]
    for name, user in admins.items():
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 403, (name, url)
        assert "三员分立" in client.get(pages[1]).content.decode()
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/v1/cases/").status_code == 403, name
        assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 403, name
