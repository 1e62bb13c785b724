from django.db import migrations

from governance.roles import grant_role_permissions

ALL = ["add", "change", "delete", "view"]
# Cases and their timeline change only through services: the admin may look, never edit.
READ_ONLY = ["case", "caseevent", "caseparty", "caseassignment", "escalation", "supervision", "mediation"]
GRANTS = {
    "administrator": {
        "category": ALL, "riskgrade": ALL, "timelimitpolicy": ALL, "escalationpolicy": ALL,
        **{model: ["view"] for model in READ_ONLY},
    },
    "leader": {"category": ["view"], "timelimitpolicy": ["view"], "escalationpolicy": ["view"]},
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, app_label="disputes", grants=GRANTS)


class Migration(migrations.Migration):
    dependencies = [("disputes", "0004_default_escalation_policies"), ("governance", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
