"""Training records of grid workers (网格员培训): date, topic, hours."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models import RegionPathModel


class Training(RegionPathModel):
    """One training a grid worker attended; scoped by the worker's region."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("网格员"), on_delete=models.PROTECT,
                               related_name="grid_trainings")
    held_on = models.DateField(_("培训日期"))
    topic = models.CharField(_("培训内容"), max_length=200)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("网格员培训")
        verbose_name_plural = _("网格员培训")
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="grid_training_hours_positive")]

    def __str__(self) -> str:
        return f"{self.worker} · {self.topic}"
