"""Staff phones are never in clear in the user table (issue 15): the admin site takes a number,
stores ciphertext, keyed hash and mask, finds the account by number, and the migration moved
the numbers stored before."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from governance.accounts import staff_phone_set
from governance.models import Role, User
from governance.personal_data import decrypt, keyed_hash
from tests.factories import UserFactory

PHONE = "13912345678"
BEFORE = [("governance", "0008_merge_export_jobs")]
AFTER = [("governance", "0009_user_phone_encrypted")]


@pytest.fixture
def secadmin(tree):
    return UserFactory(role=Role.SECURITY_ADMIN, region=tree.city, is_staff=True)


def _change_data(client, user) -> dict:
    form = client.get(f"/admin/governance/user/{user.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items()
            if v is not None and k not in ("groups", "user_permissions", "password", "last_login")}
    joined = user.date_joined.astimezone()
    data.update({"date_joined_0": joined.strftime("%Y-%m-%d"), "date_joined_1": joined.strftime("%H:%M:%S"),
                 "region": user.region_id, "is_active": "on"})
    return data


@pytest.mark.django_db
def test_the_admin_stores_a_new_phone_encrypted_and_shows_the_mask(client, tree, secadmin):
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    client.force_login(secadmin)
    response = client.post(f"/admin/governance/user/{clerk.pk}/change/",
                           {**_change_data(client, clerk), "new_phone": "139 1234 5678"})
    assert response.status_code == 302, response.context["adminform"].form.errors

    clerk.refresh_from_db()
    assert decrypt(clerk.phone_enc) == PHONE
    assert (clerk.phone_hash, clerk.phone_masked) == (keyed_hash(PHONE), "139****5678")
    with connection.cursor() as cursor:  # nothing in the row reads as the number
        cursor.execute("SELECT * FROM governance_user WHERE id = %s", [clerk.pk])
        assert PHONE not in repr(cursor.fetchone())
    page = client.get(f"/admin/governance/user/{clerk.pk}/change/").content.decode()
    assert "139****5678" in page and PHONE not in page
    # found by the number, through the hash
    listing = client.get("/admin/governance/user/", {"q": PHONE}).content.decode()
    assert "139****5678" in listing and clerk.username in listing

    # an empty field keeps the number; the checkbox clears it
    client.post(f"/admin/governance/user/{clerk.pk}/change/", _change_data(client, clerk))
    clerk.refresh_from_db()
    assert clerk.phone_masked == "139****5678"
    client.post(f"/admin/governance/user/{clerk.pk}/change/", {**_change_data(client, clerk), "clear_phone": "on"})
    clerk.refresh_from_db()
    assert (clerk.phone_enc, clerk.phone_hash, clerk.phone_masked) == (None, "", "")


@pytest.mark.django_db
def test_a_wrong_number_is_a_message_and_changes_nothing(client, tree, secadmin):
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    staff_phone_set(clerk, PHONE)
    clerk.save()
    client.force_login(secadmin)
    response = client.post(f"/admin/governance/user/{clerk.pk}/change/",
                           {**_change_data(client, clerk), "new_phone": "1381234"})
    assert response.status_code == 200
    assert "联系电话格式不正确" in response.content.decode()
    clerk.refresh_from_db()
    assert decrypt(clerk.phone_enc) == PHONE


@pytest.mark.django_db
def test_a_new_account_takes_its_phone_encrypted(client, tree, secadmin):
    client.force_login(secadmin)
    response = client.post("/admin/governance/user/add/", {
        "username": "new_clerk", "password1": "Zz-long-pass-2026", "password2": "Zz-long-pass-2026",
        "usable_password": "true", "display_name": "王五", "new_phone": PHONE, "role": Role.WINDOW_STAFF,
        "region": tree.town_a1.pk, "department": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert decrypt(User.objects.get(username="new_clerk").phone_enc) == PHONE


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_numbers_stored_in_clear_and_back(tree):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_user = executor.loader.project_state(BEFORE).apps.get_model("governance", "User")
    kept = old_user.objects.create(username="old_clerk", phone="+86 139-1234-5678", region_id=tree.town_a1.pk)
    odd = old_user.objects.create(username="odd_clerk", phone="12345", region_id=tree.town_a1.pk)
    none = old_user.objects.create(username="no_phone", phone="", region_id=tree.town_a1.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    migrated = {u.username: u for u in User.objects.filter(pk__in=[kept.pk, odd.pk, none.pk])}
    assert decrypt(migrated["old_clerk"].phone_enc) == PHONE
    assert migrated["old_clerk"].phone_hash == keyed_hash(PHONE)  # found by the same hash as a new number
    assert (decrypt(migrated["odd_clerk"].phone_enc), migrated["odd_clerk"].phone_masked) == ("12345", "*****")
    assert migrated["no_phone"].phone_enc is None

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    back = executor.loader.project_state(BEFORE).apps.get_model("governance", "User")
    assert back.objects.get(pk=kept.pk).phone == PHONE
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
