"""Grids (网格) under villages/communities, and who works them."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import BaseModel, Region, RegionPathModel


class GridKind(models.TextChoices):
    URBAN = "urban", _("城镇网格")
    RURAL = "rural", _("农村网格")
    DEDICATED = "dedicated", _("专属网格")


class Grid(RegionPathModel):
    """A grid inside one village/community. Code = village code (12) + 3 digits.

    `boundary` is a GeoJSON geometry (Polygon or MultiPolygon, WGS-84 longitude/latitude);
    `centre_lng`/`centre_lat` its label point (or the only location known when no boundary
    was drawn)."""

    code = models.CharField(_("网格编码"), max_length=15, unique=True)
    name = models.CharField(_("网格名称"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("所属村(社区)"), on_delete=models.PROTECT, related_name="grids")
    households = models.PositiveIntegerField(_("户数"), default=0)
    population = models.PositiveIntegerField(_("人口"), default=0)
    kind = models.CharField(_("网格类型"), max_length=16, choices=GridKind.choices, default=GridKind.URBAN)
    boundary = models.JSONField(_("边界(GeoJSON)"), null=True, blank=True)
    centre_lng = models.DecimalField(_("中心点经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    centre_lat = models.DecimalField(_("中心点纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    # Split/merge history: a grid made by splitting or merging names the grids it came from;
    # those are deactivated on `retired_on` and keep their cases, tenures and records.
    predecessors = models.ManyToManyField(
        "self", verbose_name=_("前身网格"), symmetrical=False, related_name="successors", blank=True)
    retired_on = models.DateField(_("撤销日期"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("网格")
        verbose_name_plural = _("网格")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.set_region(self.region)
        super().save(*args, **kwargs)


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("专职")
    PART_TIME = "part_time", _("兼职")


class GridWorkerAssignment(BaseModel):
    """A grid worker's tenure on a grid (history kept: ended_on set instead of deleting).

    A tenure covers the days started_on … ended_on, both inclusive (ended_on = the last day
    in post); an open tenure has no ended_on. One worker's tenures on one grid never overlap
    (services.tenure_assign checks dated ranges; the database holds one open tenure per
    grid and worker, and ended_on ≥ started_on)."""

    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="worker_assignments")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grid_assignments")
    employment = models.CharField(_("用工形式"), max_length=16, choices=Employment.choices,
                                  default=Employment.FULL_TIME)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    end_reason = models.CharField(_("离任原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["grid__code", "-started_on"]
        verbose_name = _("网格员任职")
        verbose_name_plural = _("网格员任职")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "worker"], condition=models.Q(ended_on__isnull=True),
                name="grid_worker_one_open_tenure",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="grid_worker_tenure_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["worker", "ended_on"], name="grid_tenure_worker_open")]

    def __str__(self) -> str:
        return f"{self.grid} · {self.worker}"
