"""Phone forms of the grid worker's field work: patrol, screening, hazard and its follow-up."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.forms import StyledForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GridChoiceForm(StyledForm):
    grid = forms.TypedChoiceField(label=_("网格"), coerce=int)

    def __init__(self, *args, grids: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = grids if len(grids) == 1 else [("", "---------"), *grids]


class PatrolForm(GridChoiceForm):
    patrolled_on = forms.DateField(label=_("巡查日期"), widget=DATE)
    route = forms.CharField(label=_("巡查地点/路线"), max_length=300)
    findings = forms.CharField(label=_("发现问题"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}), help_text=_("没有发现问题可不填"))


class MonthField(forms.DateField):
    """`<input type=month>`: YYYY-MM, the month's first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]

    def to_python(self, value) -> dt.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class ScreeningForm(GridChoiceForm):
    period_start = MonthField(label=_("排查月份"))
    disputes_found = forms.IntegerField(label=_("排查发现纠纷数"), min_value=0, max_value=9999, initial=0,
                                        help_text=_("填 0 即为零报告"))
    notes = forms.CharField(label=_("排查情况"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))


class HazardForm(GridChoiceForm):
    inspected_on = forms.DateField(label=_("排查日期"), widget=DATE)
    location = forms.CharField(label=_("隐患地点"), max_length=200)
    description = forms.CharField(label=_("隐患描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    rectify_by = forms.DateField(label=_("整改期限"), widget=DATE)


class FollowUpForm(StyledForm):
    note = forms.CharField(label=_("跟进情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    rectified = forms.BooleanField(label=_("已整改完成"), required=False)
