"""Rows stored before the input bounds: the system check finds them, `data_check --repair`
sets safe values and audits it, and the lists read them again."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import checks
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from disputes.models import Case, CaseParty, PartyRole
from governance.data_checks import stored_rows_check
from governance.models import AuditLog
from tests.factories import CaseFactory, CategoryFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def bad_rows(tree):
    category = CategoryFactory()
    past = CaseFactory(village=tree.village_a1x, category=category)
    future = CaseFactory(village=tree.village_a1x, category=category)
    good = CaseFactory(village=tree.village_a1x, category=category)
    # Written as the old code let them be written: straight to the column.
    Case.objects.filter(pk=past.pk).update(occurred_at=dt.datetime(1900, 1, 1, tzinfo=SHANGHAI))
    Case.objects.filter(pk=future.pk).update(occurred_at=dt.datetime(9000, 1, 1, tzinfo=SHANGHAI))
    party = CaseParty.objects.create(case=good, role=PartyRole.APPLICANT, name="张三",
                                     birth_date=dt.date(1800, 1, 1))
    return past, future, good, party


def test_the_system_check_names_each_kind_of_bad_row(bad_rows):
    messages = stored_rows_check(databases=["default"])
    names = {m.obj for m in messages}
    assert {"disputes.case_occurred_at", "disputes.party_birth_date"} <= names
    assert all(m.level == checks.WARNING and "data_check --repair" in m.hint for m in messages)
    # not run without a database (plain `manage.py check`)
    assert stored_rows_check(databases=None) == []


def test_data_check_lists_and_exits_non_zero_then_repair_fixes_and_audits(bad_rows, capsys):
    past, future, good, party = bad_rows
    with pytest.raises(SystemExit):
        call_command("data_check")
    assert "disputes.case_occurred_at" in capsys.readouterr().out
    call_command("data_check", "--repair")
    for case in (past, future):
        case.refresh_from_db()
        assert case.occurred_at == case.created_at
    assert CaseParty.objects.get(pk=party.pk).birth_date is None
    audit = AuditLog.objects.get(action="data_repair", target_type="disputes.case_occurred_at")
    assert sorted(audit.detail["ids"]) == sorted([past.pk, future.pk])
    assert audit.detail["count"] == 2
    # and a second run finds nothing
    call_command("data_check")
    assert stored_rows_check(databases=["default"]) == []


@pytest.mark.postgres  # a BC timestamp is storable in PostgreSQL only
def test_a_bc_timestamp_is_found_and_repaired_without_being_read(tree, client):
    case = CaseFactory(village=tree.village_a1x, category=CategoryFactory())
    with connection.cursor() as cursor:  # what the intake page stored on main for 0001-01-01T00:00
        cursor.execute("UPDATE disputes_case SET occurred_at = '0001-01-01 00:00:00+08:05:43' WHERE id = %s",
                       [case.pk])
    call_command("data_check", "--repair")
    case.refresh_from_db()
    assert case.occurred_at == case.created_at
    assert case.occurred_at.year == timezone.now().year


def test_repair_of_people_beyond_the_bound_is_held_by_the_database(tree):
    from django.db import IntegrityError, transaction

    case = CaseFactory(village=tree.village_a1x, category=CategoryFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(people_involved=2**31 - 1)
