from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartybuildingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partybuilding"
    verbose_name = _("网格党建")
