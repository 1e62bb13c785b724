"""Party-building funds: each community's annual fund (default 15,000 yuan) and its expenses,
each approved by a second person. `committed` (pending + approved expenses) never exceeds the
amount: the services raise it by a compare-and-set update, and a check constraint backs it."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import Region, RegionPathModel

DEFAULT_ANNUAL_FUND = Decimal("15000.00")


class PartyFund(RegionPathModel):
    region = models.ForeignKey(Region, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("年度经费(元)"), max_digits=10, decimal_places=2, default=DEFAULT_ANNUAL_FUND)
    committed = models.DecimalField(_("已占用(元)"), max_digits=10, decimal_places=2, default=Decimal("0"),
                                    editable=False)

    class Meta:
        ordering = ["-year", "region__code"]
        verbose_name = _("党建经费")
        verbose_name_plural = _("党建经费")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="party_fund_one_per_community_year"),
            models.CheckConstraint(condition=models.Q(committed__gte=0, committed__lte=models.F("amount")),
                                   name="party_fund_never_overdrawn"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    @property
    def balance(self) -> Decimal:
        return self.amount - self.committed

    def save(self, *args, **kwargs):
        self.set_region(self.region)
        super().save(*args, **kwargs)


class ExpenseState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class FundExpense(RegionPathModel):
    fund = models.ForeignKey(PartyFund, verbose_name=_("经费"), on_delete=models.PROTECT, related_name="expenses")
    purpose = models.CharField(_("用途"), max_length=200)
    amount = models.DecimalField(_("金额(元)"), max_digits=10, decimal_places=2)
    spent_on = models.DateField(_("支出日期"))
    state = models.CharField(_("状态"), max_length=10, choices=ExpenseState.choices, default=ExpenseState.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        ordering = ["-spent_on", "-id"]
        verbose_name = _("经费支出")
        verbose_name_plural = _("经费支出")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_expense_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("submitted_by")), name="fund_expense_second_person"),
        ]

    def __str__(self) -> str:
        return self.purpose

    def save(self, *args, **kwargs):
        self.set_region(self.fund.region)
        super().save(*args, **kwargs)
