"""Role permissions as Django groups created by migrations, kept in step with User.role."""
from django.contrib.auth.models import Group

from governance.models import Role
from tests.factories import UserFactory


def test_migrations_create_one_group_per_role(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_administrator_maintains_reference_data_leader_only_looks(db):
    admin = Group.objects.get(name=Role.ADMINISTRATOR)
    leader = Group.objects.get(name=Role.LEADER)
    admin_perms = set(admin.permissions.values_list("codename", flat=True))
    assert {"change_category", "change_timelimitpolicy", "change_grid", "add_calendarday"} <= admin_perms
    # 三员分立 (issue 15): accounts are the security administrator's, the log the auditor's
    assert not {"add_user", "change_user", "view_user", "view_auditlog"} & admin_perms
    # cases change only through services, never through the admin
    assert "view_case" in admin_perms and "change_case" not in admin_perms
    assert "delete_auditlog" not in admin_perms
    leader_perms = set(leader.permissions.values_list("codename", flat=True))
    assert "view_category" in leader_perms and "change_category" not in leader_perms
    assert "view_auditlog" not in leader_perms


def test_user_is_in_exactly_the_group_of_its_role(tree):
    user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    assert list(user.groups.values_list("name", flat=True)) == [Role.WINDOW_STAFF]
    # when the role changes, the group follows
    user.role = Role.ADMINISTRATOR
    user.is_staff = True
    user.save()
    user = type(user).objects.get(pk=user.pk)
    assert list(user.groups.values_list("name", flat=True)) == [Role.ADMINISTRATOR]
    assert not user.has_perm("governance.change_user")
    assert user.has_perm("disputes.change_category")
    assert not user.has_perm("disputes.change_case")
