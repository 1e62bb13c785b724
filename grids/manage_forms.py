"""Forms of the grid management pages: they parse; the services decide (their InvalidInput
fields are put back next to the form's fields by `run_service`)."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.errors import ApplicationError, InvalidInput
from governance.forms import StyledForm, village_choices
from governance.scoping import Scope
from grids.models import Employment, GridKind
from grids.services import GridInput

# Service field names → form field names, where they differ.
FIELD_ALIASES = {"region": "village", "centre": "centre_lng", "note": "note"}


def run_service(form: forms.Form, call: Callable[[], Any]) -> Any:
    """`call()` the service; its errors become the form's errors (None is returned then)."""
    try:
        return call()
    except InvalidInput as exc:
        placed = False
        for name, message in (exc.extra.get("fields") or {}).items():
            name = FIELD_ALIASES.get(name, name)
            if name in form.fields:
                form.add_error(name, str(message))
                placed = True
        if not placed:
            form.add_error(None, exc.message)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
    return None


class GridForm(StyledForm):
    code = forms.CharField(label=_("网格编码"), max_length=15, help_text=_("村(社区)编码 + 3 位数字"))
    name = forms.CharField(label=_("网格名称"), max_length=100)
    village = forms.TypedChoiceField(label=_("所属村(社区)"), coerce=int)
    kind = forms.ChoiceField(label=_("网格类型"), choices=GridKind.choices)
    households = forms.IntegerField(label=_("户数"), min_value=0, initial=0)
    population = forms.IntegerField(label=_("人口"), min_value=0, initial=0)
    centre_lng = forms.DecimalField(label=_("中心点经度"), required=False, max_digits=9, decimal_places=6)
    centre_lat = forms.DecimalField(label=_("中心点纬度"), required=False, max_digits=9, decimal_places=6)
    boundary = forms.CharField(label=_("边界(GeoJSON)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("可选:GeoJSON Polygon 或 MultiPolygon,经纬度(WGS-84)"))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = village_choices(scope)

    def clean_boundary(self) -> dict | None:
        text = self.cleaned_data["boundary"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("边界不是有效的 GeoJSON 文本")) from None

    def grid_input(self) -> GridInput:
        data = self.cleaned_data
        return GridInput(code=data["code"], name=data["name"], region_id=data["village"], kind=data["kind"],
                         households=data["households"], population=data["population"], boundary=data["boundary"],
                         centre_lng=data["centre_lng"], centre_lat=data["centre_lat"])

    @staticmethod
    def initial_for(grid) -> dict:
        return {"code": grid.code, "name": grid.name, "village": grid.region_id, "kind": grid.kind,
                "households": grid.households, "population": grid.population, "centre_lng": grid.centre_lng,
                "centre_lat": grid.centre_lat, "boundary": json.dumps(grid.boundary) if grid.boundary else ""}


class GridPartForm(StyledForm):
    """One new grid of a split or merge, in the old grid's village."""

    code = forms.CharField(label=_("网格编码"), max_length=15)
    name = forms.CharField(label=_("网格名称"), max_length=100)
    kind = forms.ChoiceField(label=_("网格类型"), choices=GridKind.choices)
    households = forms.IntegerField(label=_("户数"), min_value=0, initial=0)
    population = forms.IntegerField(label=_("人口"), min_value=0, initial=0)

    def grid_input(self, village_id: int) -> GridInput:
        data = self.cleaned_data
        return GridInput(code=data["code"], name=data["name"], region_id=village_id, kind=data["kind"],
                         households=data["households"], population=data["population"])


class MergeForm(StyledForm):
    others = forms.TypedMultipleChoiceField(label=_("与以下网格合并"), coerce=int,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, others: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["others"].choices = others


class TenureForm(StyledForm):
    worker = forms.TypedChoiceField(label=_("网格员"), coerce=int)
    employment = forms.ChoiceField(label=_("用工形式"), choices=Employment.choices)
    started_on = forms.DateField(label=_("任职日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, workers: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "---------"), *workers]


class TenureEndForm(StyledForm):
    ended_on = forms.DateField(label=_("离任日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               help_text=_("最后在岗的一天"))
    reason = forms.CharField(label=_("离任原因"), max_length=200, required=False)


class TrainingForm(StyledForm):
    held_on = forms.DateField(label=_("培训日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    topic = forms.CharField(label=_("培训内容"), max_length=200)
    hours = forms.DecimalField(label=_("学时"), max_digits=4, decimal_places=1, min_value=0)
