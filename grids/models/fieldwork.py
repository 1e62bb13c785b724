"""A grid worker's field work on a grid: patrols (巡查日志), periodic dispute screening
(矛盾纠纷排查, a zero report included) and hazard inspections (隐患排查) with their
rectification deadline and follow-up. Each row carries its grid's region path."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models import RegionPathModel
from grids.models.grids import Grid


class GridRecord(RegionPathModel):
    """A record about one grid, by the person who filed it; scoped by the grid's path."""

    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.set_region(self.grid.region)
        super().save(*args, **kwargs)


class Patrol(GridRecord):
    """巡查日志: one patrol of a grid on one day, where it went and what it found."""

    patrolled_on = models.DateField(_("巡查日期"))
    route = models.CharField(_("巡查地点/路线"), max_length=300)
    findings = models.TextField(_("发现问题"), blank=True)

    class Meta:
        ordering = ["-patrolled_on", "-id"]
        verbose_name = _("巡查日志")
        verbose_name_plural = _("巡查日志")
        indexes = [models.Index(fields=["grid", "-patrolled_on"], name="grid_patrol_grid_day")]

    def __str__(self) -> str:
        return f"{self.grid} · {self.patrolled_on}"


class Screening(GridRecord):
    """矛盾纠纷排查 of one grid for one month (`period_start` = its first day). A month with
    nothing found is a zero report (零报告): a record too. `filed_on` is the day it was
    filed (set by the service from the clock): on time when it is not after the month's end."""

    period_start = models.DateField(_("排查月份"))
    filed_on = models.DateField(_("填报日期"))
    disputes_found = models.PositiveIntegerField(_("排查发现纠纷数"), default=0)
    zero_report = models.BooleanField(_("零报告"), default=False)
    notes = models.TextField(_("排查情况"), blank=True)

    class Meta:
        ordering = ["-period_start", "grid_id"]
        verbose_name = _("矛盾纠纷排查")
        verbose_name_plural = _("矛盾纠纷排查")
        constraints = [
            models.UniqueConstraint(fields=["grid", "period_start"], name="grid_screening_one_per_period"),
            models.CheckConstraint(
                condition=Q(zero_report=True, disputes_found=0) | Q(zero_report=False, disputes_found__gt=0),
                name="grid_screening_zero_report_means_none_found",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid} · {self.period_start:%Y-%m}"


class HazardInspection(GridRecord):
    """隐患排查: a hazard found in a grid, the deadline to rectify it and the follow-up."""

    inspected_on = models.DateField(_("排查日期"))
    location = models.CharField(_("隐患地点"), max_length=200)
    description = models.TextField(_("隐患描述"))
    rectify_by = models.DateField(_("整改期限"))
    follow_up = models.TextField(_("跟进情况"), blank=True)
    followed_up_on = models.DateField(_("跟进日期"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["rectified_on", "rectify_by", "-id"]
        verbose_name = _("隐患排查")
        verbose_name_plural = _("隐患排查")
        constraints = [
            models.CheckConstraint(condition=Q(rectify_by__gte=models.F("inspected_on")),
                                   name="grid_hazard_deadline_after_inspection"),
        ]
        indexes = [models.Index(fields=["grid", "rectified_on"], name="grid_hazard_grid_open")]

    def __str__(self) -> str:
        return f"{self.grid} · {self.location}"
