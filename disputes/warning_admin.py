"""Admin of 研判预警 (imported by disputes/admin.py): administrators edit the rules (data, not
code; `WarningRule.clean` checks each kind's numbers); warnings and reports are view-only —
they change only through disputes/services."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from disputes.models import AnalysisReport, EarlyWarning, WarningRule
from governance.admin import CaseRecordAdmin


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "is_active", "min_cases", "window_days", "min_people", "min_amount",
                    "min_risk_rank", "category")
    list_filter = ("kind", "is_active")
    list_editable = ("is_active",)
    search_fields = ("name",)
    autocomplete_fields = ("category",)
    fieldsets = (
        (None, {"fields": ("name", "kind", "is_active", "description")}),
        (_("阈值（按预警类型填写）"), {"fields": ("min_cases", "window_days", "category", "min_people", "min_amount",
                                      "min_risk_rank")}),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        # A rule that raised warnings stays (they point at it): switch it off instead.
        return super().has_delete_permission(request, obj) and (obj is None or not obj.warnings.exists())


@admin.register(EarlyWarning)
class EarlyWarningAdmin(CaseRecordAdmin):
    list_display = ("created_at", "kind", "label", "case_count", "state", "county", "township")
    list_filter = ("kind", "state")
    exclude = ("key", "subject")


@admin.register(AnalysisReport)
class AnalysisReportAdmin(CaseRecordAdmin):
    list_display = ("month", "region", "state", "version", "generated_at")
    list_filter = ("state",)
