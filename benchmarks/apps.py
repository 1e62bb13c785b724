from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarksConfig(AppConfig):
    """Operator tooling (`seed_scale`, `bench`): above every app, imported by none."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "benchmarks"
    verbose_name = _("基准测试")
