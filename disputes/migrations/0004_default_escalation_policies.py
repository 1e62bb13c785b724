"""Default escalation policies, one per owning level (editable by administrators):

- township, county: yellow card at 80% of the step's allowed time used; escalate one level
  up as soon as the card turns red (0 hours after the deadline);
- city: yellow at 80%; a red case stays red at the top (there is no level above) and shows
  on the leaders' lists.

Only level defaults (no category, no risk grade) are created, and only where the level has
no default yet, so re-running or an administrator's own rows are left alone.
"""
from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    ("township", Decimal("0.80"), 0),
    ("county", Decimal("0.80"), 0),
    ("city", Decimal("0.80"), 0),
]


def seed(apps, schema_editor):
    EscalationPolicy = apps.get_model("disputes", "EscalationPolicy")
    for level, ratio, hours in DEFAULTS:
        if not EscalationPolicy.objects.filter(level=level, category__isnull=True, risk_grade__isnull=True).exists():
            EscalationPolicy.objects.create(
                level=level, yellow_ratio=ratio, escalate_after_hours=hours, direct_to_level="", is_active=True
            )


def unseed(apps, schema_editor):
    EscalationPolicy = apps.get_model("disputes", "EscalationPolicy")
    for level, ratio, hours in DEFAULTS:
        EscalationPolicy.objects.filter(
            level=level, category__isnull=True, risk_grade__isnull=True, yellow_ratio=ratio,
            yellow_hours_before__isnull=True, escalate_after_hours=hours, direct_to_level="",
        ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0003_seed_reference_data"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
