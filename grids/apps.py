from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grids"
    verbose_name = _("网格化服务管理")
    # Mounted by the kernel (governance/routing.py).
    url_prefix = "grids/"
    urls_module = "grids.urls"
    api_urls_module = "grids.api_urls"

    def ready(self) -> None:
        from governance.audit_labels import audit_labels_register
        from governance.models import Role
        from governance.navigation import BUSINESS_ROLES, NavItem, register_nav, register_role_home
        from governance.permissions import register_actions
        from grids.permissions import MANAGERS, registered_actions

        register_actions(registered_actions())
        audit_labels_register({
            "grid.create": _("新建网格"), "grid.update": _("修改网格"), "grid.merge": _("合并网格"),
            "grid.split": _("拆分网格"), "grid.tenure_assign": _("网格员上岗"), "grid.tenure_end": _("网格员离岗"),
        })
        register_nav(
            NavItem("grids:mine", _("我的网格"), frozenset({Role.GRID_WORKER}), order=10),
            NavItem("grids:fieldwork", _("巡查排查"), frozenset({Role.GRID_WORKER}), order=11),
            NavItem("grids:manage_list", _("网格管理"), MANAGERS | {Role.LEADER}, order=60),
            NavItem("grids:map", _("网格地图"), BUSINESS_ROLES - {Role.GRID_WORKER}, order=61),
        )
        register_role_home(Role.GRID_WORKER, "grids:mine")

        # Point in grid: this process's own grid writes are used by its next lookup.
        from django.db.models.signals import post_delete, post_save

        from grids.geometry import index_invalidate
        from grids.models import Grid

        post_save.connect(index_invalidate, sender=Grid, dispatch_uid="grids.geometry.index_invalidate.save")
        post_delete.connect(index_invalidate, sender=Grid, dispatch_uid="grids.geometry.index_invalidate.delete")
