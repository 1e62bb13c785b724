from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessment"
    verbose_name = _("综治责任考核")
    # Mounted by the kernel (governance/routing.py): the pages at /assessment/, the API under /api/v1/.
    url_prefix = "assessment/"
    urls_module = "assessment.urls"
    api_urls_module = "assessment.api_urls"

    def ready(self) -> None:
        from assessment.permissions import VIEWERS, registered_actions
        from governance.models import Role
        from governance.navigation import NavItem, register_nav, register_role_home
        from governance.permissions import register_actions

        register_actions(registered_actions())
        register_nav(NavItem("assessment:rankings", _("考核排名"), VIEWERS, order=25),
                     # The assessing departments' people score their manual lines.
                     NavItem("assessment:scoring", _("考核评分"), frozenset({Role.HANDLER}), order=26))
        # Leaders land on the ranking (above the dashboard disputes registers at 0).
        register_role_home(Role.LEADER, "assessment:rankings", priority=10)
