"""Role → Django group and model permissions (for the admin site), declared once.

Business actions (who may dispatch, sign, reveal…) are decided by the per-app action maps
(governance.permissions, filled from each app's permissions.py). Django's model permissions
matter only in the admin: administrators maintain reference data there; leaders may look.
Each app's data migration calls `grant_role_permissions` for its own models, so the kernel
never names a feature app's models. `user_sync_role_group` keeps a user's single role group in step
with `User.role` (called from a post_save receiver in governance/signals.py).
"""
from __future__ import annotations

from governance.models import Role

# Group names are the role keys, so code and admin agree without a lookup table.
ROLE_GROUPS = [role.value for role in Role]


def grant_role_permissions(apps, *, app_label: str, grants: dict[str, dict[str, list[str]]]) -> None:
    """Create the role groups (idempotent) and give them `grants[role][model] = [actions]`.

    Runs inside data migrations: permissions are created first, because Django only makes
    them in post_migrate, after every migration has run.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    # AppConfigStub (migration state) lacks models_module, which create_permissions checks.
    if getattr(app_config, "models_module", None) is None:
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLE_GROUPS:
        group, _ = Group.objects.get_or_create(name=role)
        for model, actions in grants.get(role, {}).items():
            codenames = [f"{action}_{model}" for action in actions]
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


def user_sync_role_group(user) -> None:
    """Put the user in exactly their role's group (other role groups removed)."""
    from django.contrib.auth.models import Group

    role_groups = Group.objects.filter(name__in=ROLE_GROUPS)
    current = {g.name: g for g in user.groups.filter(name__in=ROLE_GROUPS)}
    if set(current) == {user.role}:
        return
    user.groups.remove(*[g for name, g in current.items() if name != user.role])
    group = role_groups.filter(name=user.role).first()
    if group is not None:
        user.groups.add(group)
