"""The star-grading criteria (评星晋级) as data, 100 points for each kind of organisation;
editable in the admin. Also grants the admin permissions of the two new models."""
from django.db import migrations

from governance.roles import grant_role_permissions

CRITERIA = {
    "party_organisation": [("组织建设", 20), ("党员教育管理", 20), ("三会一课落实", 20), ("服务群众", 20),
                           ("引领网格治理", 20)],
    "social_organisation": [("规范运作", 25), ("党建工作", 25), ("服务成效", 25), ("社会评价", 25)],
}
GRANTS = {"administrator": {"starcriterion": ["add", "change", "delete", "view"], "starrating": ["view"]},
          "leader": {"starrating": ["view"]}}


def seed(apps, schema_editor):
    StarCriterion = apps.get_model("partybuilding", "StarCriterion")
    for applies_to, rows in CRITERIA.items():
        for position, (name, points) in enumerate(rows, start=1):
            StarCriterion.objects.get_or_create(applies_to=applies_to, name=name,
                                                defaults={"max_points": points, "position": position})
    grant_role_permissions(apps, app_label="partybuilding", grants=GRANTS)


class Migration(migrations.Migration):
    dependencies = [("partybuilding", "0004_star_grading"), ("governance", "0002_role_groups")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
