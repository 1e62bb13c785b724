"""Disputes admin: reference tables are editable; cases and their timeline are view-only, and
only for a superuser (governance.admin.CaseRecordAdmin: the administrators read no case).

Not jurisdiction-scoped: the admin site is for platform administrators only. Cases change
only through disputes.services (compare-and-set + one CaseEvent per transition), so the
admin never edits a case: no add, change or delete, and the timeline is view-only too.
"""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from disputes.models import (
    Case,
    CaseEvent,
    Category,
    EscalationPolicy,
    LoopPolicy,
    MediationOrganisation,
    Mediator,
    RiskGrade,
    TimeLimitPolicy,
)
from governance.admin import CaseRecordAdmin


class TopCategoryFilter(admin.SimpleListFilter):
    title = _("上级分类")
    parameter_name = "parent"

    def lookups(self, request, model_admin):
        tops = Category.objects.filter(parent__isnull=True).order_by("sort", "code")
        return [("none", _("（一级分类）")), *((str(c.pk), c.name) for c in tops)]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(parent__isnull=True)
        if self.value():
            return queryset.filter(parent_id=self.value())
        return queryset


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "standard_code", "sort", "is_active")
    list_select_related = ("parent",)
    list_filter = (TopCategoryFilter, "is_active")
    search_fields = ("code", "name", "standard_code")
    raw_id_fields = ("parent",)


@admin.register(RiskGrade)
class RiskGradeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "rank", "color")
    search_fields = ("code", "name")


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):
    list_display = ("level", "channel", "category", "step", "days", "day_kind", "source")
    list_select_related = ("category",)
    list_filter = ("level", "step", "channel", "day_kind")
    raw_id_fields = ("category",)


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ("level", "category", "risk_grade", "yellow_ratio", "yellow_hours_before",
                    "escalate_after_hours", "direct_to_level", "is_active")
    list_select_related = ("category", "risk_grade")
    list_filter = ("level", "is_active")
    raw_id_fields = ("category",)
    filter_horizontal = ("copy_departments",)


@admin.register(LoopPolicy)
class LoopPolicyAdmin(admin.ModelAdmin):
    list_display = ("level", "category", "callback_by", "return_window_working_days", "max_extensions",
                    "urge_when", "urge_cooldown_hours")
    list_select_related = ("category",)
    list_filter = ("level", "callback_by", "urge_when")
    raw_id_fields = ("category",)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("created_at", "action", "from_state", "to_state", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(CaseRecordAdmin):
    list_display = ("number", "title", "category", "channel", "state", "warning_level",
                    "owning_level", "owning_region", "created_at")
    list_select_related = ("category", "category__parent", "owning_region")
    list_filter = ("state", "warning_level", "channel", "owning_level", "urgent")
    search_fields = ("number", "title")
    date_hierarchy = "created_at"
    inlines = (CaseEventInline,)
    # Personal data stays out of the admin: parties are encrypted and revealed only through
    # the audited party_reveal service.
    exclude = ("submit_token",)


@admin.register(CaseEvent)
class CaseEventAdmin(CaseRecordAdmin):
    list_display = ("created_at", "case", "action", "from_state", "to_state", "actor")
    list_select_related = ("case", "actor")
    list_filter = ("action",)
    search_fields = ("case__number", "action")
    raw_id_fields = ("case",)


class MediatorInline(admin.TabularInline):
    model = Mediator
    extra = 1
    fields = ("name", "title", "is_active")


@admin.register(MediationOrganisation)
class MediationOrganisationAdmin(admin.ModelAdmin):
    """The registry of mediation organisations (三调联动 / 诉调对接) and their mediators."""

    list_display = ("name", "kind", "region", "department", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "region__name")
    autocomplete_fields = ("region", "department")
    exclude = ("city", "county", "township", "village")
    inlines = [MediatorInline]


from disputes import warning_admin  # noqa: E402, F401  (研判预警: rules, warnings, reports)
