"""Star grading (评星晋级) of party organisations and social organisations, as data: criteria
with their points, and one rating per organisation and year, kept as history. The ladder
(梯形进阶) is dynamic: a rating's stars follow the score, but rise at most one star above the
previous year's."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import BaseModel, Region, RegionPathModel
from partybuilding.models.organisation import PartyOrganisation, ResidentUnit


class GradedKind(models.TextChoices):
    PARTY_ORGANISATION = "party_organisation", _("党组织")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")


class StarCriterion(BaseModel):
    name = models.CharField(_("评星标准"), max_length=100)
    applies_to = models.CharField(_("适用对象"), max_length=20, choices=GradedKind.choices)
    max_points = models.PositiveSmallIntegerField(_("分值"))
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["applies_to", "position", "id"]
        verbose_name = _("评星标准")
        verbose_name_plural = _("评星标准")
        constraints = [
            models.UniqueConstraint(fields=["applies_to", "name"], name="star_criterion_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class StarRating(RegionPathModel):
    """One year's rating of a party organisation or a social organisation (a resident unit of
    kind 社会组织): the points per criterion, their total, and the stars awarded."""

    organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("党组织"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="star_ratings")
    unit = models.ForeignKey(ResidentUnit, verbose_name=_("社会组织"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="star_ratings")
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    scores = models.JSONField(_("各项得分"), default=dict)
    total = models.PositiveSmallIntegerField(_("总分"))
    stars = models.PositiveSmallIntegerField(_("星级"))
    previous_stars = models.PositiveSmallIntegerField(_("上次星级"), null=True, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("评星定级")
        verbose_name_plural = _("评星定级")
        constraints = [
            models.CheckConstraint(condition=models.Q(organisation__isnull=True) ^ models.Q(unit__isnull=True),
                                   name="star_rating_one_subject"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="star_rating_stars_1_to_5"),
            models.UniqueConstraint(fields=["organisation", "year"], name="star_rating_once_a_year_org"),
            models.UniqueConstraint(fields=["unit", "year"], name="star_rating_once_a_year_unit"),
        ]

    @property
    def star_marks(self) -> str:
        return "★" * self.stars

    def save(self, *args, **kwargs):
        self.set_region(self.region)
        super().save(*args, **kwargs)
