from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = _("综治中心内核")

    def ready(self) -> None:
        # Registers the notification tasks with Celery in every process (web and worker), so
        # governance.notifications can enqueue them by name without importing this module.
        from governance import (
            checks,  # noqa: F401  (registers the deployment checks)
            signals,  # noqa: F401  (connects the audit receivers)
            tasks,  # noqa: F401
        )
