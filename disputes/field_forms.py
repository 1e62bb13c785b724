"""The grid worker's field report form (phone first): it parses input into
`FieldReportInput`, nothing more; the service checks grids, photos and the location."""
from __future__ import annotations

import uuid
from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.forms import MultipleFileField, MultipleFileInput, category_choices
from disputes.services.field import DESCRIPTION_MAX, FieldReportInput
from governance.forms import StyledForm
from grids.contract import WorkerGrid


class FieldReportForm(StyledForm):
    # A plain integer: the service checks it is a grid the worker holds, with its own message.
    grid = forms.IntegerField(label=_("网格"), required=False, widget=forms.Select)
    category = forms.TypedChoiceField(label=_("事件类别"), coerce=int)
    description = forms.CharField(
        label=_("发生了什么"), max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("如：幸福路12号路灯不亮，夜间行人有安全隐患")}))
    photos = MultipleFileField(label=_("拍照"), required=False, widget=MultipleFileInput(
        attrs={"accept": "image/*", "capture": "environment"}))
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    party_name = forms.CharField(label=_("当事人姓名"), max_length=100, required=False)
    party_phone = forms.CharField(label=_("当事人电话"), max_length=20, required=False,
                                  widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    patrol = forms.CharField(required=False, widget=forms.HiddenInput)
    submit_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    # Service field names → form field names (errors shown next to the field).
    SERVICE_FIELDS = {"grid_id": "grid", "category_id": "category", "location": "__all__"}

    def __init__(self, *args, grids: Sequence[WorkerGrid], **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("submit_token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.worker_grids = list(grids)
        choices = [(g.grid_id, f"{g.name}（{g.village_name}）") for g in self.worker_grids]
        self.fields["grid"].widget.choices = choices if len(choices) == 1 else [("", _("按定位确定或请选择")), *choices]
        if len(choices) == 1:
            self.initial.setdefault("grid", choices[0][0])
        self.fields["category"].choices = category_choices()
        self.fields["description"].widget.attrs["maxlength"] = DESCRIPTION_MAX

    def report_input(self) -> FieldReportInput:
        data = self.cleaned_data
        return FieldReportInput(
            category_id=data["category"], description=data["description"], grid_id=data["grid"],
            latitude=data["latitude"], longitude=data["longitude"], party_name=data["party_name"],
            party_phone=data["party_phone"], patrol_id=data["patrol"] or None,
        )

    def add_service_errors(self, fields: dict) -> None:
        for key, message in fields.items():
            name = self.SERVICE_FIELDS.get(key, key)
            self.add_error(name if name in self.fields else None, str(message))
