"""What residents leave on a case online: the submission record (PIPL consent, the tracking
hash) and their satisfaction rating."""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import Case
from governance.models import BaseModel


class PublicSubmission(BaseModel):
    """A case a resident submitted online (网上, /public/report/), without an account.

    Holds the consent to the processing of personal information they gave (PIPL art. 14: the
    version of the notice they read, and when), and the keyed hash that lets them look the case
    up by its number and the last four digits of their phone (/public/track/) — never the digits
    themselves. One per case.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="public_submission")
    consent_version = models.CharField(_("告知书版本"), max_length=20)
    consented_at = models.DateTimeField(_("同意时间"))
    tracking_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["case_id"]
        verbose_name = _("网上提交")
        verbose_name_plural = _("网上提交")

    def __str__(self) -> str:
        return str(self.case_id)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class PublicRating(BaseModel):
    """The resident's own satisfaction rating of an online case after it was resolved, given on
    the tracking page; at most one per case (the one-to-one key holds it). The center's
    callback (回访) is separate and still decides whether the case closes."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="public_rating")
    level = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices)
    comment = models.TextField(_("评价意见"), blank=True)

    class Meta:
        ordering = ["case_id"]
        verbose_name = _("群众评价")
        verbose_name_plural = _("群众评价")
        constraints = [
            models.CheckConstraint(condition=Q(level__in=[s.value for s in Satisfaction]), name="public_rating_level_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_level_display()}"
