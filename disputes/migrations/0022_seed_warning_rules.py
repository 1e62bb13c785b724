"""The default early-warning rules (研判预警), one per kind: starting points from DOMAIN.md's
signals seen in practice, edited by administrators afterwards. Plain values here, no live
code (a migration is history); `seed` is idempotent (tests re-run it after a flush)."""
from decimal import Decimal

from django.db import migrations

# (name, kind, numbers, description)
DEFAULT_RULES = [
    ("同村同类纠纷7日内3件及以上", "cluster", {"min_cases": 3, "window_days": 7},
     "同一村(社区)7日内登记同一类别纠纷3件及以上"),
    ("涉及5人及以上的群体性纠纷", "group", {"min_people": 5}, "涉及人数5人及以上"),
    ("同一当事人30日内3件及以上", "repeat_party", {"min_cases": 3, "window_days": 30},
     "同一证件号码的当事人30日内涉及3件及以上案件"),
    ("涉及金额10万元及以上", "amount", {"min_amount": Decimal("100000.00")}, "涉及金额10万元及以上"),
    ("风险等级为橙色及以上", "risk_grade", {"min_risk_rank": 3}, "风险等级严重程度3(橙色)及以上"),
    ("存在民转刑风险", "criminal_risk", {}, "受理时标注存在民转刑风险"),
]


def seed(apps, schema_editor):
    WarningRule = apps.get_model("disputes", "WarningRule")
    for name, kind, numbers, description in DEFAULT_RULES:
        if not WarningRule.objects.filter(kind=kind).exists():
            WarningRule.objects.create(name=name, kind=kind, description=description, is_active=True, **numbers)


def unseed(apps, schema_editor):
    WarningRule = apps.get_model("disputes", "WarningRule")
    WarningRule.objects.filter(name__in=[rule[0] for rule in DEFAULT_RULES], warnings__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0021_warnings"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
