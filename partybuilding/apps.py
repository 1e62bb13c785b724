from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartybuildingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partybuilding"
    verbose_name = _("网格党建")
    # Mounted by the kernel (governance/routing.py).
    url_prefix = "party/"
    urls_module = "partybuilding.urls"
    api_urls_module = "partybuilding.api_urls"

    def ready(self) -> None:
        from governance.audit_labels import audit_labels_register
        from governance.navigation import NavItem, register_nav
        from governance.permissions import register_actions
        from grids.contract import register_grid_party_reader
        from partybuilding.permissions import VIEWERS, registered_actions
        from partybuilding.selectors import grid_party_groups

        register_actions(registered_actions())
        audit_labels_register({"party_group.create": _("成立网格党小组")})
        register_grid_party_reader(grid_party_groups)
        register_nav(NavItem("partybuilding:groups", _("网格党建"), VIEWERS, order=65))
