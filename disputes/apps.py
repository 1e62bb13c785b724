from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disputes"
    verbose_name = _("矛盾纠纷多元化解")

    def ready(self) -> None:
        from disputes.permissions import registered_actions
        from governance.permissions import register_actions

        register_actions(registered_actions())

        # The grid worker's screen (grids app) lists cases through this source.
        from disputes.selectors import case_list
        from grids.selectors import register_grid_case_source

        register_grid_case_source(
            lambda *, scope, grid_ids: case_list(scope=scope).filter(grid_id__in=grid_ids).select_related("grid")
        )
