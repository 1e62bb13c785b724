"""Audit (issue 15): what is written, the append-only table, the audit administrator's page
and export, and its jurisdiction."""
import io
import logging
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from openpyxl import load_workbook

from governance.models import AuditLog, Role
from governance.services import audit_record
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/audit/"
EXPORT = "/audit/export/"


@pytest.fixture
def auditor(tree):
    return UserFactory(role=Role.AUDIT_ADMIN, region=tree.city)


def test_refusals_are_audited_on_pages_and_api(client, tree):
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    client.force_login(clerk)
    assert client.get(PAGE).status_code == 403
    assert client.get("/api/v1/me/").status_code == 200
    refused = AuditLog.objects.filter(action="permission_denied", actor=clerk)
    assert refused.count() == 1 and refused.get().detail["path"] == PAGE


def _handlers_reached(name: str) -> list[logging.Handler]:
    """The handlers settings.LOGGING gives a record of logger `name` (pytest's own left out)."""
    logger, found = logging.getLogger(name), []
    while logger is not None:
        found += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        logger = logger.parent if logger.propagate else None
    return found


def test_a_refusal_logs_one_line_without_a_traceback_and_keeps_its_audit_row(client, tree):
    # Every 403 printed its whole traceback twice (Django's console handler and ours).
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    client.force_login(clerk)
    handlers = _handlers_reached("django.request")
    streams = [io.StringIO() for _ in handlers]
    old = [h.setStream(s) for h, s in zip(handlers, streams, strict=True)]
    try:
        assert client.get(PAGE).status_code == 403
    finally:
        for handler, stream in zip(handlers, old, strict=True):
            handler.setStream(stream)
    written = "".join(s.getvalue() for s in streams)
    lines = [line for line in written.splitlines() if PAGE in line]
    assert len(lines) == 1, written
    assert "WARNING django.request Forbidden (Permission denied): /audit/" in lines[0]
    assert lines[0].endswith(f"/audit/ (当前角色无权执行此操作; user {clerk.pk})")
    assert "Traceback" not in written
    assert AuditLog.objects.filter(action="permission_denied", actor=clerk, target_id=PAGE).count() == 1


def test_admin_site_changes_are_audited(client, tree):
    secadmin = UserFactory(role=Role.SECURITY_ADMIN, region=tree.city, is_staff=True)
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    client.force_login(secadmin)
    page = client.get(f"/admin/governance/user/{clerk.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("groups", "user_permissions",
                                                                               "password", "last_login")}
    data.update({"is_active": "", "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
                 "region": tree.town_a1.pk, "role": Role.WINDOW_STAFF})
    response = client.post(f"/admin/governance/user/{clerk.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    row = AuditLog.objects.get(action="admin_change", target_id=str(clerk.pk))
    assert row.actor == secadmin and row.target_type == "governance.user"


def test_the_audit_log_refuses_update_and_delete_in_the_model(tree):
    row = audit_record(action="login", target_type="user")
    row.action = "changed"
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()


def test_the_database_refuses_to_update_the_audit_log(tree):
    row = audit_record(action="login", target_type="user")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).update(action="forged")
    assert AuditLog.objects.get(pk=row.pk).action == "login"


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_even_in_raw_sql(tree):
    row = audit_record(action="login", target_type="user")
    for sql in ("UPDATE governance_auditlog SET action = 'forged' WHERE id = %s",
                "DELETE FROM governance_auditlog WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert AuditLog.objects.filter(pk=row.pk, action="login").exists()


def test_deleting_an_audited_user_is_refused(tree):
    user = UserFactory(region=tree.town_a1)
    audit_record(actor=user, action="login")
    with pytest.raises(ProtectedError):
        user.delete()
    assert AuditLog.objects.filter(actor=user).exists()


def test_the_auditor_searches_the_log_and_exports_it(client, tree, auditor):
    clerk = UserFactory(role=Role.WINDOW_STAFF, username="hongqi_clerk", region=tree.town_a1)
    client.post("/login/", {"username": "hongqi_clerk", "password": "wrong"}, REMOTE_ADDR="198.51.100.9")
    client.post("/login/", {"username": "hongqi_clerk", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1")
    client.post("/logout/")
    client.force_login(auditor)

    page = client.get(PAGE, {"username": "hongqi_clerk"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "login_failed" in body and "198.51.100.9" in body and "192.0.2.1" in body
    only_failed = client.get(PAGE, {"action": "login_failed"}).content.decode()
    assert "198.51.100.9" in only_failed and "192.0.2.1" not in only_failed
    assert client.get(PAGE, {"date_from": "0001-01-01"}).status_code == 200  # bad dates: a message, no 500
    assert client.get(PAGE, {"ip_address": "not-an-ip"}).status_code == 200

    export = client.get(EXPORT, {"username": "hongqi_clerk"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "动作", "动作代码", "操作人")
    assert {(r[1], r[2]) for r in rows[1:]} >= {("登录", "login"), ("登录失败", "login_failed")}
    # the export is audited, and the page changed nothing
    assert AuditLog.objects.filter(action="audit_export", actor=auditor).get().detail["rows"] == len(rows) - 1
    assert clerk.is_active


def test_a_county_auditor_sees_only_rows_of_the_county(client, tree):
    county_auditor = UserFactory(role=Role.AUDIT_ADMIN, region=tree.county_b)
    audit_record(action="party.reveal", target_type="case", target_id=1, region_id=tree.town_a1.pk)
    audit_record(action="party.reveal", target_type="case", target_id=2, region_id=tree.town_b1.pk)
    audit_record(action="login_failed", target_type="user", detail={"username": "x"})  # no region
    client.force_login(county_auditor)
    body = client.get(PAGE, {"action": "party.reveal"}).content.decode()
    assert "case:2" in body and "case:1" not in body
    assert 'title="login_failed"' not in client.get(PAGE).content.decode()
    rows = list(load_workbook(io.BytesIO(client.get(EXPORT).content)).active.iter_rows(values_only=True))[1:]
    assert {(r[4], r[5]) for r in rows if r[2] == "party.reveal"} == {("case", "2")}


def test_the_page_costs_the_same_queries_for_one_row_or_many(client, tree, auditor, django_assert_max_num_queries):
    client.force_login(auditor)
    client.get(PAGE)
    for n in range(30):
        audit_record(actor=auditor, action="login", region_id=tree.city.pk, ip_address=f"192.0.2.{n}")
    with django_assert_max_num_queries(12):
        assert client.get(PAGE).status_code == 200


def test_the_region_column_stays_on_one_line_with_the_full_name_in_its_title(client, tree, auditor):
    # A new user found the 区划 column wrapping a name over two or three lines.
    audit_record(action="party.reveal", target_type="case", target_id=1, region_id=tree.town_a1.pk)
    client.force_login(auditor)
    body = client.get(PAGE, {"action": "party.reveal"}).content.decode()
    cell = re.search(r'<td class="([^"]*)" title="([^"]*)" data-testid="audit-region">([^<]*)</td>', body)
    assert cell is not None, body
    assert {"text-nowrap", "text-truncate", "app-cell-clip"} <= set(cell.group(1).split())
    assert cell.group(2) == cell.group(3) == tree.town_a1.name
