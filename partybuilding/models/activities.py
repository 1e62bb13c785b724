"""Party activities (三会一课 and the rest) and the 三会一课 rhythm as data: how many of a kind
a group must hold per month or quarter (RhythmRule rows, editable in the admin)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import BaseModel, Region, RegionPathModel
from partybuilding.models.organisation import PartyGroup, PartyMember, PartyOrganisation


class ActivityKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支委会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    VOLUNTEER = "volunteer", _("志愿服务")
    MEDIATION = "mediation", _("矛盾调解")
    POLICY_TALK = "policy_talk", _("政策宣讲")
    OPINION = "opinion", _("民意征集")
    ERRAND = "errand", _("服务代办")


# 三会一课: the two meetings of the members and the committee, the group meeting, the lecture.
THREE_MEETINGS_ONE_LESSON = frozenset({
    ActivityKind.GENERAL_MEETING, ActivityKind.COMMITTEE_MEETING, ActivityKind.GROUP_MEETING, ActivityKind.LECTURE,
})


class Activity(RegionPathModel):
    """One activity held by a grid party group (or by an organisation without a group)."""

    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices)
    group = models.ForeignKey(PartyGroup, verbose_name=_("党小组"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="activities")
    organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("党组织"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="activities")
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("活动日期"))
    place = models.CharField(_("活动地点"), max_length=100)
    topic = models.CharField(_("主题"), max_length=200)
    hours = models.DecimalField(_("时长(小时)"), max_digits=5, decimal_places=1)
    attendees = models.ManyToManyField(PartyMember, verbose_name=_("参加党员"), blank=True,
                                       related_name="activities")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("党建活动")
        verbose_name_plural = _("党建活动")
        indexes = [models.Index(fields=["group", "kind", "held_on"], name="party_activity_rhythm_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="party_activity_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.topic

    def save(self, *args, **kwargs):
        self.set_region(self.region)
        super().save(*args, **kwargs)


class ActivityPhoto(BaseModel):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to="partybuilding/activities/%Y/")

    class Meta:
        ordering = ["id"]
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")


class RhythmPeriod(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")


class RhythmRule(BaseModel):
    """A group must hold at least `min_count` activities of `kind` per `period` (三会一课)."""

    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices, unique=True)
    period = models.CharField(_("周期"), max_length=10, choices=RhythmPeriod.choices)
    min_count = models.PositiveSmallIntegerField(_("最少次数"), default=1)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("三会一课节奏")
        verbose_name_plural = _("三会一课节奏")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_period_display()} ≥{self.min_count}"
