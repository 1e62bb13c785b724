"""三调联动 and 诉调对接: the registry of mediation organisations (人民调解委员会, 行业性专业性调解
组织, 个人调解工作室, the departments that mediate administratively, the courts that take
诉前调解 and 司法确认), their mediators, and the referrals of a case between them."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import Case, Mediation
from governance.models import Department, Region, RegionPathModel


class OrganisationKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples", _("人民调解委员会")
    PROFESSIONAL = "professional", _("行业性专业性调解组织")
    STUDIO = "studio", _("个人调解工作室")
    ADMINISTRATIVE = "administrative", _("行政调解(主管部门)")
    COURT = "court", _("人民法院")


class MediationOrganisation(RegionPathModel):
    """A body that mediates or confirms: registered once per region (a village's or
    township's 人民调解委员会, a county court), scoped like every regional row."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    # Administrative mediation is done by a competent department (行政调解).
    department = models.ForeignKey(Department, verbose_name=_("主管部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("调解组织")
        verbose_name_plural = _("调解组织")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="mediation_org_unique_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.set_region(self.region)
        super().save(*args, **kwargs)


class Mediator(models.Model):
    """A mediator of a registered organisation (人民调解员, 专职/兼职)."""

    organisation = models.ForeignKey(MediationOrganisation, on_delete=models.CASCADE, related_name="mediators")
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    is_active = models.BooleanField(_("在任"), default=True)

    class Meta:
        ordering = ["organisation_id", "name"]
        verbose_name = _("调解员")
        verbose_name_plural = _("调解员")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.name}"


class ReferralKind(models.TextChoices):
    """Where a case is referred (三调联动 / 诉调对接), and the organisation kinds that take it."""

    PEOPLES = "peoples", _("转人民调解")
    ADMINISTRATIVE = "administrative", _("转行政调解")
    PRE_LITIGATION = "pre_litigation", _("诉前调解(委派)")
    JUDICIAL_CONFIRMATION = "judicial_confirmation", _("申请司法确认")


REFERRAL_TAKERS = {
    ReferralKind.PEOPLES: {OrganisationKind.PEOPLES_COMMITTEE, OrganisationKind.PROFESSIONAL, OrganisationKind.STUDIO},
    ReferralKind.ADMINISTRATIVE: {OrganisationKind.ADMINISTRATIVE},
    ReferralKind.PRE_LITIGATION: {OrganisationKind.COURT},
    ReferralKind.JUDICIAL_CONFIRMATION: {OrganisationKind.COURT},
}


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    CONFIRMED = "confirmed", _("已确认有效")
    NOT_CONFIRMED = "not_confirmed", _("不予确认")
    RESOLVED = "resolved", _("调解成功")
    FAILED = "failed", _("调解不成")
    RETURNED = "returned", _("退回")


class Referral(models.Model):
    """One referral of a case to a registered organisation, with its own time limit, and what
    came back. At most one open referral per case (the database holds it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("类型"), max_length=30, choices=ReferralKind.choices)
    organisation = models.ForeignKey(MediationOrganisation, verbose_name=_("接收组织"), on_delete=models.PROTECT,
                                     related_name="referrals")
    # 司法确认: the agreement the court is asked to confirm.
    mediation = models.ForeignKey(Mediation, verbose_name=_("调解协议"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="referrals")
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.OPEN)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    result = models.TextField(_("结果说明"), blank=True)
    created_at = models.DateTimeField(_("转出时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["case_id", "id"]
        verbose_name = _("转调/诉调对接")
        verbose_name_plural = _("转调/诉调对接")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="open"), name="case_one_open_referral"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.organisation_id} ({self.kind})"
