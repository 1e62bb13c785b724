"""Party organisations in the grid (党建引领网格化): 社区党委/党总支/党支部 → 网格党支部 →
楼栋党小组, the grid party groups (网格党小组, 单建 in one grid or 联建 over several), their
members (phones encrypted at rest, shown masked), the resident units (驻区单位) whose heads
serve as part-time committee members (兼职委员), joint-building agreements (共建协议) and
joint meetings (党建联席会议)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import BaseModel, Region, RegionPathModel
from grids.models import Grid


class OrganisationLevel(models.TextChoices):
    COMMUNITY_COMMITTEE = "community_committee", _("社区党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GRID_BRANCH = "grid_branch", _("网格党支部")
    BUILDING_GROUP = "building_group", _("楼栋党小组")


# The levels that sit at grid level and name the grids they cover.
GRID_LEVELS = frozenset({OrganisationLevel.GRID_BRANCH, OrganisationLevel.BUILDING_GROUP})


class PartyOrganisation(RegionPathModel):
    """A party organisation attached to its region (a community for 社区党委) and, at grid
    level (网格党支部, 楼栋党小组), to the grids it covers."""

    name = models.CharField(_("组织名称"), max_length=100)
    level = models.CharField(_("组织层级"), max_length=24, choices=OrganisationLevel.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级组织"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    grids = models.ManyToManyField(Grid, verbose_name=_("覆盖网格"), blank=True, related_name="+")
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="party_org_unique_name_per_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.set_region(self.region)
        super().save(*args, **kwargs)


class PartyGroupKind(models.TextChoices):
    SINGLE = "single", _("单建")
    JOINT = "joint", _("联建")


class PartyGroup(RegionPathModel):
    """A grid party group (网格党小组). 单建: exactly one grid; 联建: one or more grids, or
    jointly with resident units, social organisations and property companies. `region` is
    the community of its grids (the township when a 联建 spans communities)."""

    name = models.CharField(_("党小组名称"), max_length=100)
    kind = models.CharField(_("组建方式"), max_length=10, choices=PartyGroupKind.choices)
    organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("所属党组织"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="groups")
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    grids = models.ManyToManyField(Grid, verbose_name=_("覆盖网格"), related_name="+")
    units = models.ManyToManyField("ResidentUnit", verbose_name=_("联建单位"), blank=True, related_name="groups")
    partners = models.CharField(_("其他联建方"), max_length=200, blank=True,
                                help_text=_("社会组织、物业公司等，用顿号分隔"))
    leader = models.ForeignKey("PartyMember", verbose_name=_("党小组长"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    established_on = models.DateField(_("成立日期"))
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("网格党小组")
        verbose_name_plural = _("网格党小组")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="party_group_unique_name_per_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.set_region(self.region)
        super().save(*args, **kwargs)


class PartyGroupChange(BaseModel):
    """One change of a group's grids or leader (history, never edited): what it became."""

    group = models.ForeignKey(PartyGroup, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    grid_names = models.JSONField(_("覆盖网格"), default=list)
    leader_name = models.CharField(_("党小组长"), max_length=50, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("党小组变更记录")
        verbose_name_plural = _("党小组变更记录")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class MemberKind(models.TextChoices):
    COMMUNITY = "community", _("社区党员")
    REPORTED = "reported", _("在职党员到社区报到")
    MOBILE = "mobile", _("流动党员")
    RETIRED = "retired", _("离退休党员")


class PartyMember(RegionPathModel):
    """A party member serving in a grid. The phone is stored encrypted (SM4) with a keyed
    hash for lookup and a mask for display (governance/personal_data.py). `region` is the
    community they serve (their grid's, else their group's or organisation's)."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    phone_enc = models.BinaryField(null=True, blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True)
    kind = models.CharField(_("党员类型"), max_length=12, choices=MemberKind.choices)
    organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("组织关系所在党组织"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="members")
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    reported_community = models.ForeignKey(Region, verbose_name=_("报到社区"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("服务社区"), on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, verbose_name=_("服务网格"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    group = models.ForeignKey(PartyGroup, verbose_name=_("所在党小组"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="members")
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    reported_on = models.DateField(_("报到日期"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["region__code", "name", "id"]
        verbose_name = _("党员")
        verbose_name_plural = _("党员")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.set_region(self.region)
        super().save(*args, **kwargs)


class ResidentUnitKind(models.TextChoices):
    ORGAN = "organ", _("机关")
    ENTERPRISE = "enterprise", _("企事业")
    NON_PUBLIC = "non_public", _("非公")
    SOCIAL = "social", _("社会组织")


class ResidentUnit(RegionPathModel):
    """A resident unit (驻区单位) in a community."""

    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类型"), max_length=12, choices=ResidentUnitKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在社区"), on_delete=models.PROTECT, related_name="+")
    head_name = models.CharField(_("负责人"), max_length=50, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("驻区单位")
        verbose_name_plural = _("驻区单位")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="resident_unit_unique_name_per_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.set_region(self.region)
        super().save(*args, **kwargs)


class PartTimeMember(RegionPathModel):
    """A resident unit's head serving as a part-time member (兼职委员) of a community party
    committee, for a term."""

    unit = models.ForeignKey(ResidentUnit, verbose_name=_("驻区单位"), on_delete=models.PROTECT,
                             related_name="part_time_members")
    organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("社区党组织"), on_delete=models.PROTECT,
                                     related_name="part_time_members")
    person_name = models.CharField(_("姓名"), max_length=50)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))

    class Meta:
        ordering = ["organisation_id", "-term_start"]
        verbose_name = _("兼职委员")
        verbose_name_plural = _("兼职委员")
        constraints = [
            models.CheckConstraint(condition=models.Q(term_end__gte=models.F("term_start")),
                                   name="part_time_member_term_ordered"),
        ]

    def __str__(self) -> str:
        return self.person_name

    def save(self, *args, **kwargs):
        self.set_region(self.organisation.region)
        super().save(*args, **kwargs)


class JointAgreement(RegionPathModel):
    """A joint-building agreement (共建协议) between a party organisation and resident units."""

    organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("社区党组织"), on_delete=models.PROTECT,
                                     related_name="agreements")
    units = models.ManyToManyField(ResidentUnit, verbose_name=_("共建单位"), related_name="agreements")
    signed_on = models.DateField(_("签订日期"))
    commitments = models.TextField(_("共建事项"))
    scan = models.FileField(_("协议扫描件"), upload_to="partybuilding/agreements/%Y/", blank=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("共建协议")
        verbose_name_plural = _("共建协议")

    def save(self, *args, **kwargs):
        self.set_region(self.organisation.region)
        super().save(*args, **kwargs)


class JointMeeting(RegionPathModel):
    """A joint meeting (党建联席会议) of a community party organisation with its units."""

    organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("社区党组织"), on_delete=models.PROTECT,
                                     related_name="joint_meetings")
    held_on = models.DateField(_("会议日期"))
    attendees = models.TextField(_("参会人员"))
    decisions = models.TextField(_("议定事项"))
    follow_up = models.TextField(_("落实情况"), blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("党建联席会议")
        verbose_name_plural = _("党建联席会议")

    def save(self, *args, **kwargs):
        self.set_region(self.organisation.region)
        super().save(*args, **kwargs)
