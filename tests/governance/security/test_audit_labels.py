"""Every audit code the platform writes has a label for the audit administrator, and the page,
filter and export show labels (governance/audit_labels.py)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from governance.audit_labels import audit_action_choices, audit_codes, audit_label
from governance.models import Role
from governance.services import audit_record
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[3]
APPS = ("governance", "disputes", "grids", "partybuilding", "assessment")
# Calls that pass an audit code on: (function name, position of the code when positional).
WRITERS = {"audit_record": None, "_audit": 1, "_audit_session": 0}


def written_codes() -> dict[str, str]:
    """code → file:line of every literal audit code passed to an audit writer."""
    found: dict[str, str] = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name not in WRITERS:
                    continue
                values = [k.value for k in node.keywords if k.arg == "action"]
                position = WRITERS[name]
                if position is not None and len(node.args) > position:
                    values.append(node.args[position])
                for value in values:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found[value.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_written_code_has_a_label():
    codes = written_codes()
    assert len(codes) >= 20, codes  # the scan finds the writers (a broken scan would pass vacuously)
    missing = {code: where for code, where in codes.items() if code not in audit_codes()}
    assert not missing, f"audit codes without a label (register them in the app's ready()): {missing}"


def test_case_events_and_admin_changes_are_labelled():
    from disputes.actions import EVENT_LABELS

    assert {f"case.{action}" for action in EVENT_LABELS} <= audit_codes()
    assert {"admin_add", "admin_change", "admin_delete"} <= audit_codes()
    assert audit_label("login_failed") == "登录失败"
    assert audit_label("no.such.code") == "no.such.code"


@pytest.mark.django_db
def test_the_page_shows_labels_and_filters_by_code(client, tree):
    auditor = UserFactory(role=Role.AUDIT_ADMIN, region=tree.city)
    audit_record(action="login_failed", target_type="user", region_id=tree.city.pk, ip_address="192.0.2.8")
    audit_record(action="case.accept", target_type="disputes.case", target_id=5, region_id=tree.city.pk)
    client.force_login(auditor)
    everything = client.get("/audit/").content.decode()
    assert 'title="disputes.case:5">案件 #5</td>' in everything and "案件：受理" in everything
    body = client.get("/audit/", {"action": "login_failed"}).content.decode()
    assert 'title="login_failed">登录失败</td>' in body and "192.0.2.8" in body
    choices = dict(audit_action_choices())
    assert choices["case.accept"] == "案件：受理" and f'<option value="case.accept">{choices["case.accept"]}' in body
