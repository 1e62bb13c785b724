"""Page forms: a veto proposal and a manual score (the services check everything else)."""
from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.forms import StyledForm


class VetoForm(StyledForm):
    unit_id = forms.TypedChoiceField(label=_("被否决单位"), coerce=int)
    reason = forms.CharField(label=_("否决事由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    case_ids = forms.CharField(label=_("关联案件 id"), required=False, help_text=_("多个以逗号分隔"))
    days = forms.IntegerField(label=_("期限(天)"), initial=365, min_value=1, max_value=1098)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = [(u.pk, u.name) for u in units]

    def clean_case_ids(self) -> list[int]:
        text = self.cleaned_data.get("case_ids") or ""
        parts = [p for p in re.split(r"[,，\s]+", text) if p]
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError(_("关联案件须为案件 id"))
        return [int(p) for p in parts]


class ManualScoreForm(StyledForm):
    points = forms.DecimalField(label=_("得分"), max_digits=8, decimal_places=2)
    note = forms.CharField(label=_("评分说明"), required=False, max_length=2000)
    evidence = forms.FileField(label=_("佐证材料"), required=False)
