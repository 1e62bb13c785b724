from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disputes"
    verbose_name = _("矛盾纠纷多元化解")
