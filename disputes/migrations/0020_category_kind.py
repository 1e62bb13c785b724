"""Categories get a kind: disputes need a party, incidents and hazards may have none.

The seeded categories that describe a thing rather than a quarrel between people become
incidents: 环境污染、生态破坏 (09, with its leaves), 建筑工程质量 (0402) and 其他 (19), where a
grid worker files a broken street light or a hazard. Administrators change the rest in the
admin. Plain codes here, no live code (a migration is history)."""
from django.db import migrations, models

INCIDENT_CODES = ["09", "0901", "0902", "0402", "19"]


def mark_incidents(apps, schema_editor):
    apps.get_model("disputes", "Category").objects.filter(code__in=INCIDENT_CODES).update(kind="incident")


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0019_assist_yellow_card"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="kind",
            field=models.CharField(choices=[("dispute", "矛盾纠纷"), ("incident", "事件/隐患")], default="dispute",
                                   max_length=16, verbose_name="性质"),
        ),
        migrations.RunPython(mark_incidents, migrations.RunPython.noop),
    ]
