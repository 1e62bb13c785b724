"""三会一课 rhythm as data: a grid party group holds a 党小组会 every month and a 党课 every
quarter (editable in the admin)."""
from django.db import migrations

RULES = [("group_meeting", "month", 1), ("lecture", "quarter", 1)]


def seed(apps, schema_editor):
    RhythmRule = apps.get_model("partybuilding", "RhythmRule")
    for kind, period, min_count in RULES:
        RhythmRule.objects.get_or_create(kind=kind, defaults={"period": period, "min_count": min_count})


class Migration(migrations.Migration):
    dependencies = [("partybuilding", "0002_role_permissions")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
