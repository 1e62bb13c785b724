"""Django admin for administrators: rubrics and their lines (formulas validated on save by
the same service), periods, scores read-only (the snapshot changes only by services)."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from assessment.formulas import formula_validate
from assessment.models import (
    Adjustment,
    AssessmentPeriod,
    ResponsibilityLetter,
    Rubric,
    RubricItem,
    UnitScore,
    Veto,
)
from assessment.services.rubrics import rubric_check
from governance.errors import InvalidInput


class RubricItemForm(forms.ModelForm):
    class Meta:
        model = RubricItem
        fields = ["code", "name", "parent", "kind", "metric", "max_points", "weight", "formula", "cap", "department",
                  "sort"]

    def clean_formula(self) -> str:
        try:
            return formula_validate(self.cleaned_data.get("formula", ""))
        except InvalidInput as error:
            raise ValidationError(error.message) from None


class RubricItemFormSet(BaseInlineFormSet):
    """The lines must still add up after the change (the same check as the services)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        items = [form.instance for form in self.forms
                 if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        try:
            rubric_check(self.instance, items)
        except InvalidInput as error:
            raise ValidationError(error.message) from None


class RubricItemInline(admin.TabularInline):
    model = RubricItem
    form = RubricItemForm
    formset = RubricItemFormSet
    extra = 0
    verbose_name_plural = _("考核指标")


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "level", "year", "total_points", "volume_tiering"]
    list_filter = ["level", "year"]
    inlines = [RubricItemInline]


@admin.register(AssessmentPeriod)
class AssessmentPeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "region", "kind", "start", "end", "state", "computed_at"]
    list_filter = ["kind", "state", "year"]
    readonly_fields = ["state", "computed_at", "published_at", "published_by", "progress"]


@admin.register(UnitScore)
class UnitScoreAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "total", "rank", "grade", "vetoed"]
    list_filter = ["level", "grade", "vetoed"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Veto)
class VetoAdmin(admin.ModelAdmin):
    list_display = ["unit", "state", "starts_on", "ends_on"]
    readonly_fields = ["state", "decided_by", "decided_at", "proposed_by"]


admin.site.register(ResponsibilityLetter)
admin.site.register(Adjustment)
