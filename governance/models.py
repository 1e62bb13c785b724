"""Kernel data: regions, users with role + jurisdiction, departments, audit, notifications,
and the working-day calendar overrides.

Every scoped row in every app carries its region path (city, county, township, village) as
denormalised foreign keys through `RegionPathModel`, so jurisdiction scoping is one indexed
equality on the column of the user's level (see governance/scoping.py).
"""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.fields import ClockDateTimeField


class BaseModel(models.Model):
    # Stamped from governance.clock.now(), so a frozen demo moment dates the row too.
    created_at = ClockDateTimeField(_("创建时间"), auto_now_add=True, db_index=False)
    updated_at = ClockDateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class RegionLevel(models.TextChoices):
    """The four levels, top first. The arithmetic on levels lives here (rank, one step up or
    down, the levels above) so no app computes it from LEVEL_ORDER itself; a stored string
    converts with `RegionLevel(value)`."""

    CITY = "city", _("市")
    COUNTY = "county", _("县(区)")
    TOWNSHIP = "township", _("乡镇(街道)")
    VILLAGE = "village", _("村(社区)")

    @property
    def rank(self) -> int:
        """0 for the city; larger is lower in the hierarchy."""
        return LEVEL_ORDER.index(self)

    @property
    def parent(self) -> RegionLevel | None:
        """The level one step up (township → county); None for the city."""
        return LEVEL_ORDER[self.rank - 1] if self.rank > 0 else None

    @property
    def child(self) -> RegionLevel | None:
        """The level one step down (county → township); None for the village."""
        return LEVEL_ORDER[self.rank + 1] if self.rank + 1 < len(LEVEL_ORDER) else None

    @property
    def above(self) -> tuple[RegionLevel, ...]:
        """Every level above, nearest first (township → county, city): the order in which an
        escalation looks for the first region a path actually has (levels may be skipped)."""
        return tuple(reversed(LEVEL_ORDER[: self.rank]))

    @property
    def below(self) -> tuple[RegionLevel, ...]:
        """Every level below, nearest first (county → township, village)."""
        return tuple(LEVEL_ORDER[self.rank + 1:])

    def is_above(self, other: str) -> bool:
        """True when this level is higher than `other` (a level or its stored value)."""
        return self.rank < RegionLevel(other).rank


# Ordered from the top; "up one level" is the previous entry.
LEVEL_ORDER = [RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
# Length of the national statistical division code at each level.
CODE_LENGTH = {RegionLevel.CITY: 4, RegionLevel.COUNTY: 6, RegionLevel.TOWNSHIP: 9, RegionLevel.VILLAGE: 12}


class Region(BaseModel):
    """One node of the administrative hierarchy city → county → township → village.

    The path columns point at the ancestors (and at the node itself on its own level),
    so "everything inside region R" is `<R.level> = R` for regions and scoped rows alike.
    Levels may be skipped (a city without counties such as 东莞): the skipped column is null.
    """

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    city = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=[c.value for c in RegionLevel]), name="region_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = CODE_LENGTH[RegionLevel(self.level)]
        if len(self.code) != expected or not self.code.isdigit():
            raise ValidationError({"code": _("%(level)s的区划代码应为%(n)s位数字") % {
                "level": RegionLevel(self.level).label, "n": expected}})

    def fill_path(self) -> None:
        """Copy the ancestors' path and put self on its own level's column."""
        parent = self.parent
        for level in LEVEL_ORDER:
            setattr(self, f"{level}_id", getattr(parent, f"{level}_id", None) if parent else None)
        setattr(self, f"{self.level}_id", self.pk)

    @property
    def full_name(self) -> str:
        names = [r.name for r in self.ancestors()] + [self.name]
        return "".join(names)

    def ancestors(self) -> list[Region]:
        """Ancestors from the top, using the path columns (no recursive queries)."""
        levels = [lvl for lvl in LEVEL_ORDER if lvl != self.level and getattr(self, f"{lvl}_id") not in (None, self.pk)]
        if all(Region._meta.get_field(lvl).is_cached(self) for lvl in levels):
            # Loaded with select_related (the signed-in user's region: governance.auth).
            return [getattr(self, lvl) for lvl in levels]
        ids = [getattr(self, f"{lvl}_id") for lvl in levels]
        by_id = {r.pk: r for r in Region.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]


class RegionPathModel(BaseModel):
    """Abstract base for every jurisdiction-scoped row.

    `set_region(region)` fills the four path columns from the row's finest region; the
    scoping helper then filters on exactly one of them.
    """

    city = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        abstract = True

    def set_region(self, region: Region) -> None:
        for level in LEVEL_ORDER:
            setattr(self, f"{level}_id", getattr(region, f"{level}_id"))


class Role(models.TextChoices):
    WINDOW_STAFF = "window_staff", _("受理员")
    DISPATCHER = "dispatcher", _("调度员")
    HANDLER = "handler", _("办理人")
    GRID_WORKER = "grid_worker", _("网格员")
    LEADER = "leader", _("领导")
    # 三员分立 (等保 level 3): three administrators, none able to do another's work.
    # The system administrator keeps reference data (regions, departments, the apps'
    # catalogues, calendar); the security administrator keeps accounts, roles and second factors; the
    # audit administrator reads and exports the audit log and changes nothing.
    ADMINISTRATOR = "administrator", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# The three administrator roles of 三员分立: each must sign in with a second factor.
ADMIN_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class DepartmentKind(models.TextChoices):
    JUSTICE = "justice", _("司法")
    POLICE = "police", _("公安")
    PETITION = "petition", _("信访")
    LABOUR = "labour", _("人社")
    CIVIL = "civil", _("民政")
    LAND = "land", _("自然资源")
    HOUSING = "housing", _("住建")
    MARKET = "market", _("市场监管")
    HEALTH = "health", _("卫健")
    ENVIRONMENT = "environment", _("生态环境")
    COURT = "court", _("法院")
    VILLAGE = "village", _("村(居)委会")
    CENTER = "center", _("综治中心")
    OTHER = "other", _("其他")


class Department(RegionPathModel):
    """A member unit (成员单位) at a region: 司法所 at a township, 公安局 at a county…"""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=DepartmentKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="departments")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_per_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.set_region(self.region)
        super().save(*args, **kwargs)


class User(AbstractUser):
    """A platform user: one role and one jurisdiction region.

    A user without a region cannot sign in (see governance/auth.py); superusers created from
    the command line get the top region by `createsuperuser --region`-less flows only in
    development, so the rule stays fail-closed.
    """

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.WINDOW_STAFF)
    region = models.ForeignKey(
        Region, verbose_name=_("管辖区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # The work phone, like every phone the platform keeps (governance/personal_data.py): SM4
    # ciphertext, a keyed hash to find the account by number, and the mask staff screens show.
    # Set through governance.accounts.staff_phone_set; the admin site shows the mask and takes a
    # new number.
    phone_enc = models.BinaryField(null=True, blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)
    # Stamped by set_password (below); the password expires PASSWORD_MAX_AGE_DAYS after it.
    # Empty for accounts created with a ready hash (demo seeding): date_joined stands in.
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.department_id and self.region_id and self.department.region_id != self.region_id:
            raise ValidationError({"department": _("所属单位必须位于该用户的管辖区划")})

    def set_password(self, raw_password) -> None:
        from governance import clock

        super().set_password(raw_password)
        self.password_changed_at = clock.now()


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, newest first: a new password may not be any of
    the last PASSWORD_HISTORY_COUNT (governance/passwords.py). Written only when a password
    is set (AbstractBaseUser.save → password_validation.password_changed)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = ClockDateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class AuditLog(models.Model):
    """Append-only record of sensitive actions (full views of personal data, logins, admin).

    Rows are written only through governance.services.audit_record and never updated or
    deleted by application code: save() refuses an update and delete() refuses always, and
    the database refuses too (a trigger from migration 0005: UPDATE and DELETE on
    PostgreSQL, UPDATE on SQLite). The foreign keys PROTECT: deleting a user or a region that
    the log names would be an UPDATE of the log (SET_NULL); deactivate the account instead.
    """

    created_at = ClockDateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("动作"), max_length=50)
    target_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=50, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            # The audit log page: newest first, narrowed by action (governance/audit_selectors.py).
            models.Index(fields=["-created_at", "-id"], name="audit_created_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("审计日志不可修改"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("审计日志不可删除"))


class CalendarDay(BaseModel):
    """Administrator-entered official day: overrides the calendar package for this date.

    Used for years the `chinese-calendar` package does not know yet (it raises for them),
    or to correct a local arrangement. is_workday=True marks a make-up working day (调休).
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"


class Notification(BaseModel):
    """An in-app notification for one recipient about one event.

    (recipient, event_key) is unique so a duplicated delivery writes nothing twice.
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    event_key = models.CharField(max_length=100)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # Set only after every outbound channel accepted the message (NotificationDelivery rows):
    # a row with sent_at null is in the outbox (governance/notifications.py).
    sent_at = models.DateTimeField(_("外发时间"), null=True, blank=True)
    # Failed delivery rounds; the outbox drain leaves the row until retry_at (back-off).
    # db_default: the sweep inserts rows with raw SQL (notifications._insert_unnest).
    attempts = models.PositiveIntegerField(_("外发尝试次数"), default=0, db_default=0)
    retry_at = models.DateTimeField(_("下次重试时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # The resend job's probe; small, since nearly every row is sent within seconds.
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True),
                         name="notification_unsent_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationDelivery(BaseModel):
    """One notification handed to one outbound channel: written when the channel accepted it
    (sent_at) or refused it (attempts, last_error). A notification counts as sent only when
    each configured channel has its row with sent_at; a redelivered task skips the channels
    that have one, so nothing is sent twice through the same channel."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=40)
    sent_at = models.DateTimeField(_("送达渠道时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("通知外发记录")
        verbose_name_plural = _("通知外发记录")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="notification_delivery_once_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}:{self.channel}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ExportJob(BaseModel):
    """A large Excel export written by a worker (governance/xlsx.py): its owner alone may see
    and download it; the task reports progress as it writes (docs/dashboard.md)."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="export_jobs")
    title = models.CharField(_("名称"), max_length=100)
    filename = models.CharField(_("文件名"), max_length=150)
    kind = models.CharField(_("类型"), max_length=50)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.CharField(_("错误"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        indexes = [models.Index(fields=["owner", "created_at"], name="export_owner_created")]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return min(99, int(100 * self.rows_done / self.rows_total)) if self.rows_total else 0
