from django.db import migrations

from governance.roles import grant_role_permissions

ALL = ["add", "change", "delete", "view"]
GRANTS = {
    "administrator": {
        "region": ALL, "user": ALL, "department": ALL, "calendarday": ALL,
        "auditlog": ["view"], "notification": ["view"],
    },
    "leader": {"region": ["view"], "department": ["view"], "calendarday": ["view"], "auditlog": ["view"]},
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, app_label="governance", grants=GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
