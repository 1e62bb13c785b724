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


class LetterForm(StyledForm):
    unit_id = forms.TypedChoiceField(label=_("责任单位"), coerce=int)
    party_head = forms.CharField(label=_("党委(党组)负责人"), max_length=50)
    government_head = forms.CharField(label=_("行政负责人"), max_length=50)
    issuer = forms.CharField(label=_("发放单位负责人"), max_length=50)
    target_total = forms.DecimalField(label=_("目标总分"), required=False, max_digits=7, decimal_places=2)
    targets = forms.CharField(label=_("指标目标"), required=False, help_text=_("如 B2=95, F1=90"))
    signed_on = forms.DateField(label=_("签订日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    scan = forms.FileField(label=_("签字扫描件"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = [(u.pk, u.name) for u in units]

    def clean_targets(self) -> dict[str, str]:
        pairs = {}
        for part in re.split(r"[,，;；\s]+", self.cleaned_data.get("targets") or ""):
            if not part:
                continue
            code, sep, value = part.partition("=")
            if not sep or not code.strip() or not value.strip():
                raise forms.ValidationError(_("指标目标格式为“编号=目标值”"))
            pairs[code.strip()] = value.strip()
        return pairs


class ReviewForm(StyledForm):
    period_id = forms.TypedChoiceField(label=_("考核期"), coerce=int)
    text = forms.CharField(label=_("履责点评"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_id"].choices = [(p.pk, p.label) for p in periods]
