"""三员分立: the system, security and audit administrators get disjoint permissions.

- administrator (系统管理员): reference data only (regions, departments, calendar; the apps'
  migrations add categories, policies, grids…). No longer users, nor the audit log.
- security_admin (安全管理员): accounts (add, change, view; accounts are deactivated, never
  deleted, because the audit log names them), second-factor devices, login lockouts
  (django-axes records: view and delete = unlock); regions and departments to look up only.
- audit_admin (审计管理员): the audit log, read only (the audit page, not the admin site).
- leader: no longer reads the audit log (it belongs to the audit administrator).

Idempotent (tests/conftest.py re-runs it after a flush, after 0002).
"""
from django.db import migrations

REVOKE = {
    "administrator": [("governance", "user", ["add", "change", "delete", "view"]),
                      ("governance", "auditlog", ["add", "change", "delete", "view"])],
    "leader": [("governance", "auditlog", ["add", "change", "delete", "view"])],
}
GRANT = {
    "security_admin": [
        ("governance", "user", ["add", "change", "view"]),
        ("governance", "region", ["view"]),
        ("governance", "department", ["view"]),
        ("otp_totp", "totpdevice", ["add", "change", "delete", "view"]),
        ("axes", "accessattempt", ["view", "delete"]),
        ("axes", "accesslog", ["view"]),
    ],
    "audit_admin": [("governance", "auditlog", ["view"])],
}


def _permissions(apps, app_label, model, actions):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    if getattr(app_config, "models_module", None) is None:
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label=app_label,
                                     codename__in=[f"{action}_{model}" for action in actions])


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, entries in REVOKE.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, model, actions in entries:
            group.permissions.remove(*_permissions(apps, app_label, model, actions))
    for role, entries in GRANT.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, model, actions in entries:
            group.permissions.add(*_permissions(apps, app_label, model, actions))


# API tokens are django-rest-knox's now (hashed at rest, expiring); DRF's plaintext tokens,
# which never expired, must not survive the upgrade.
DROP_OLD_TOKENS = "DROP TABLE IF EXISTS authtoken_token"


def old_tokens_drop(apps, schema_editor):
    schema_editor.execute(DROP_OLD_TOKENS, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0005_security_hardening"),
        ("otp_totp", "0003_add_timestamps"),
        ("axes", "0010_accessattemptexpiration"),
        ("knox", "0009_extend_authtoken_field"),
    ]
    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(old_tokens_drop, migrations.RunPython.noop),
    ]
