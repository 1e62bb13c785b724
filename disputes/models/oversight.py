"""Oversight from above: 督办 (with its level), 催办 and 批示 on a case."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import Case
from governance.models import BaseModel


class SupervisionKind(models.TextChoices):
    SUPERVISE = "supervise", _("督办")
    URGE = "urge", _("催办")
    INSTRUCT = "instruct", _("批示")


class SupervisionLevel(models.TextChoices):
    NORMAL = "normal", _("普通")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class Supervision(BaseModel):
    """督办 / 催办 / 批示 by an upper center or a leader, or 催办 by the system (`by` empty:
    the deadline sweep, LoopPolicy.urge_when). 督办 can be withdrawn."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    kind = models.CharField(max_length=10, choices=SupervisionKind.choices)
    level = models.CharField(max_length=10, choices=SupervisionLevel.choices, blank=True)
    note = models.TextField(_("意见"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # 撤销督办: by the issuer or a leader over the issuer's center (case_supervise_withdraw).
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdraw_note = models.CharField(_("撤销理由"), max_length=200, blank=True)

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("督办催办")
        verbose_name_plural = _("督办催办")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"
