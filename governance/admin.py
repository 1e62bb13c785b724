"""Django admin for the kernel: regions, users, departments, calendar overrides, audit.

Admin querysets are NOT jurisdiction-scoped: the admin site is for platform administrators
(staff superusers) who maintain the whole tree. Business users never get is_staff; their
screens go through governance.scoping. Append-only records (audit log, notifications) are
view-only here.
"""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from governance.admin_forms import StaffChangeForm, StaffCreationForm
from governance.errors import InvalidInput
from governance.models import AuditLog, CalendarDay, Department, Notification, NotificationDelivery, Region, Role, User
from governance.personal_data import keyed_hash, phone_validate
from governance.workdays import calendar_jobs_run

admin.site.site_header = _("综治中心平台管理")
admin.site.site_title = _("综治中心平台管理")
admin.site.index_title = _("系统管理")

PATH_FIELDS = ("city", "county", "township", "village")


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only: no add, change or delete, for append-only records."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CaseRecordAdmin(ReadOnlyAdmin):
    """The business's own records (what a case says about people): not for the administrators.

    三员分立: the system, security and audit administrators keep the platform, they read no
    case (the case pages answer them 403). The admin site follows: these models are visible
    only to a superuser, the break-glass account no daily role holds."""

    def has_view_permission(self, request, obj=None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", *PATH_FIELDS)
    list_select_related = ("parent", *PATH_FIELDS)
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = PATH_FIELDS
    ordering = ("code",)

    def get_readonly_fields(self, request, obj=None):
        # Moving an existing region would leave every descendant and every scoped row with a
        # stale path; code, level and parent are fixed once saved (create a new region instead).
        if obj is not None:
            return (*PATH_FIELDS, "code", "level", "parent")
        return PATH_FIELDS

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            obj.fill_path()
            obj.save(update_fields=list(PATH_FIELDS))


# Fields only a superuser (the bootstrap account, docs/security.md) may set: the role decides
# the groups and the admin-site access of everyone else (三员分立).
SUPERUSER_ONLY_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")
STAFF_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECURITY_ADMIN})


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """The security administrator's screen: accounts, roles, jurisdictions, passwords.

    A non-superuser can neither grant permissions directly nor change their own role (which
    would let a security administrator make themself a system or audit administrator);
    `is_staff` follows the role. Every change lands in the audit log (governance/signals.py).
    """

    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ("username", "display_name", "phone_masked", "role", "region", "department", "is_active",
                    "is_staff")
    list_select_related = ("region", "department")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    # A phone is found by its keyed hash (get_search_results), never by the plaintext.
    search_fields = ("username", "display_name", "email")
    autocomplete_fields = ("region", "department")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("岗位与管辖"), {"fields": ("display_name", "phone_masked", "new_phone", "clear_phone", "role", "region",
                                  "department")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("岗位与管辖"), {"fields": ("display_name", "new_phone", "role", "region", "department")}),
    )

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            digits = phone_validate(search_term)
        except InvalidInput:
            return results, may_have_duplicates
        return results | queryset.filter(phone_hash=keyed_hash(digits)), may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj)) + ["phone_masked"]
        if not request.user.is_superuser:
            readonly += [f for f in SUPERUSER_ONLY_FIELDS if f not in readonly]
            if obj is not None and obj.pk == request.user.pk:
                readonly.append("role")
        return readonly

    def save_model(self, request, obj, form, change) -> None:
        if not request.user.is_superuser:
            obj.is_staff = obj.role in STAFF_ROLES
        super().save_model(request, obj, form, change)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "is_active")
    list_select_related = ("region",)
    list_filter = ("kind", "is_active")
    search_fields = ("name", "region__name", "region__code")
    autocomplete_fields = ("region",)
    readonly_fields = PATH_FIELDS


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The holiday override table: administrators enter official days the calendar package lacks."""

    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("note",)
    actions = ("recompute_deadlines",)

    @admin.action(description=_("按工作日历重新计算待定期限"))
    def recompute_deadlines(self, request, queryset):
        """Deadlines computed before these days were entered (provisional ones) follow them
        now; the apps' jobs (governance.workdays.CALENDAR_JOBS) do the work, whatever rows are
        selected."""
        for message in calendar_jobs_run():
            self.message_user(request, message)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor", "target_type", "target_id", "region", "ip_address")
    list_select_related = ("actor", "region")
    list_filter = ("action", "target_type")
    search_fields = ("action", "target_id", "actor__username", "ip_address")
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "title", "read_at", "sent_at", "attempts", "retry_at")
    list_select_related = ("recipient",)
    list_filter = ("read_at", "sent_at")
    search_fields = ("title", "event_key", "recipient__username")


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(ReadOnlyAdmin):
    """What each outbound channel accepted or refused (the outbox: governance/outbox.py)."""

    list_display = ("created_at", "notification", "channel", "sent_at", "attempts", "last_error")
    list_select_related = ("notification",)
    list_filter = ("channel", "sent_at")
    search_fields = ("notification__event_key", "last_error")
