"""The dashboard's rollup: how many cases of each finest region are in each state with each
card, counted by a worker every DASHBOARD_TALLY_SECONDS (docs/dashboard.md, "Counted by the
workers"). Written only by `disputes.services.tally.unscoped_case_tally_refresh`; read through
a scope like the cases themselves.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import CaseState, WarningLevel
from governance.models import Region, RegionPathModel


class CaseTally(RegionPathModel):
    """The number of cases whose finest region is `region` (the village, else the township,
    county or city on the case's path) that are in `state` with card `warning_level` now. The
    path columns are the region's, so `scope.filter` selects a jurisdiction's rows."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=20, choices=CaseState.choices)
    warning_level = models.CharField(_("预警"), max_length=10, choices=WarningLevel.choices)
    count = models.PositiveIntegerField(_("案件数"), default=0)

    class Meta:
        ordering = ["region", "state", "warning_level"]
        constraints = [
            models.UniqueConstraint(fields=["region", "state", "warning_level"], name="case_tally_key"),
        ]
        verbose_name = _("案件状态统计")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.region_id} {self.state} {self.warning_level}: {self.count}"


class CaseTallyRun(models.Model):
    """The rollup's one bookkeeping row (pk 1): when it was last counted, and how long that
    took. The refresh locks it, so two overlapping refreshes run one after the other."""

    counted_at = models.DateTimeField(_("统计时间"), null=True, blank=True)
    seconds = models.FloatField(_("耗时(秒)"), default=0)
    changed = models.PositiveIntegerField(_("变动行数"), default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("案件状态统计批次")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.counted_at}"
