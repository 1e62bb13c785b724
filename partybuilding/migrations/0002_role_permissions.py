from django.db import migrations

from governance.roles import grant_role_permissions

ALL = ["add", "change", "delete", "view"]
# Rows that change only through the services are view-only, administrators included.
READ_ONLY = ["view"]
GRANTS = {
    "administrator": {
        "partyorganisation": ALL, "residentunit": ALL, "rhythmrule": ALL,
        "partygroup": READ_ONLY, "partygroupchange": READ_ONLY, "partymember": READ_ONLY,
        "parttimemember": READ_ONLY, "jointagreement": READ_ONLY, "jointmeeting": READ_ONLY,
        "activity": READ_ONLY, "partyfund": READ_ONLY, "fundexpense": READ_ONLY,
    },
    "leader": {"partyorganisation": ["view"], "partygroup": ["view"], "activity": ["view"], "partyfund": ["view"]},
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, app_label="partybuilding", grants=GRANTS)


class Migration(migrations.Migration):
    dependencies = [("partybuilding", "0001_initial"), ("governance", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
