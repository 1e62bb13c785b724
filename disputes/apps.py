from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disputes"
    verbose_name = _("矛盾纠纷多元化解")
    # Mounted by the kernel (governance/routing.py): the pages at /cases/, the residents' pages
    # (no sign-in) at /public/, the API under /api/v1/.
    url_prefix = "cases/"
    urls_module = "disputes.urls"
    # 研判预警 and 研判报告 at /analysis/ (disputes/warning_urls.py).
    url_mounts = (("public/", "disputes.public_urls"), ("analysis/", "disputes.warning_urls"))
    api_urls_module = "disputes.api_urls"

    def ready(self) -> None:
        from disputes.permissions import registered_actions
        from governance.permissions import register_actions

        register_actions(registered_actions())
        self._register_navigation()

        # The audit administrator reads our audit codes as labels.
        from disputes.services.audit_trail import audit_labels
        from governance.audit_labels import audit_labels_register

        audit_labels_register(audit_labels())

        # The grid worker's screen (grids, below us) lists cases through our published reader.
        from disputes.contract import grid_case_counts, grid_cases
        from grids.contract import register_grid_case_counter, register_grid_case_reader

        register_grid_case_reader(grid_cases)
        register_grid_case_counter(grid_case_counts)

        # Provisional deadlines follow official days entered later (CalendarDay admin action).
        from disputes.deadlines import provisional_recompute_message
        from governance.workdays import register_calendar_job

        register_calendar_job(str(_("案件期限")), provisional_recompute_message)

        # Rows stored before the input bounds: found by a system check, repaired by data_check.
        from disputes.services.data_checks import register as register_data_checks

        register_data_checks()
        # Registers the tasks in every process (web too): services enqueue 研判预警 and 研判报告
        # work by task name after commit (disputes.services.warnings, disputes.services.reports).
        from disputes import tasks  # noqa: F401

    @staticmethod
    def _register_navigation() -> None:
        from governance.models import Role
        from governance.navigation import BUSINESS_ROLES, NavItem, register_nav, register_role_home

        register_nav(
            NavItem("disputes:inbox", _("待办"), frozenset({Role.WINDOW_STAFF, Role.HANDLER, Role.DISPATCHER}),
                    order=20),
            NavItem("disputes:dashboard", _("调度大屏"), frozenset({Role.DISPATCHER, Role.LEADER}), order=30),
            # 研判预警; its page links 研判报告 (one item for both keeps the bar short).
            NavItem("analysis:warnings", _("研判预警"), frozenset({Role.WINDOW_STAFF, Role.DISPATCHER, Role.LEADER}),
                    order=32),
            NavItem("disputes:statistics", _("统计分析"), frozenset({Role.DISPATCHER, Role.LEADER}), order=35),
            NavItem("disputes:intake", _("受理登记"), frozenset({Role.WINDOW_STAFF}), order=40),
            NavItem("disputes:field_reports", _("我的上报"), frozenset({Role.GRID_WORKER}), order=15),
            NavItem("disputes:list", _("案件查询"), BUSINESS_ROLES, order=50),
        )
        register_role_home(Role.WINDOW_STAFF, "disputes:inbox")
        register_role_home(Role.HANDLER, "disputes:inbox")
        register_role_home(Role.DISPATCHER, "disputes:dashboard")
        # Leaders watch the dashboard until a rankings page registers itself higher.
        register_role_home(Role.LEADER, "disputes:dashboard")
