from django.db import migrations

from governance.roles import grant_role_permissions

ALL = ["add", "change", "delete", "view"]
GRANTS = {
    "administrator": {"grid": ALL, "gridworkerassignment": ALL},
    "leader": {"grid": ["view"]},
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, app_label="grids", grants=GRANTS)


class Migration(migrations.Migration):
    dependencies = [("grids", "0001_initial"), ("governance", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
