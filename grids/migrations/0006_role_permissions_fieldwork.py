from django.db import migrations

from governance.roles import grant_role_permissions

# Field work and training change only through services (pages, API): read-only in the admin.
GRANTS = {
    "administrator": {"patrol": ["view"], "screening": ["view"], "hazardinspection": ["view"], "training": ["view"]},
    "leader": {"gridworkerassignment": ["view"], "patrol": ["view"], "screening": ["view"],
               "hazardinspection": ["view"], "training": ["view"]},
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, app_label="grids", grants=GRANTS)


class Migration(migrations.Migration):
    dependencies = [("grids", "0005_grid_history_workers_fieldwork"), ("governance", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
