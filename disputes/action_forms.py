"""The page form of every case action, derived from the action table (disputes/actions.py).

A form parses what the detail page posts (fields prefixed with the action's name,
"dispatch-department") into the keywords of the action's service; the service decides.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps

from disputes.actions import ACTION_BY_NAME, PAGE_ACTIONS, CaseAction, Input, Kind
from governance.forms import DATETIME_LOCAL, DateTimeLocalInput, StyledForm
from governance.inputs import OccurrenceDateTimeField
from governance.scoping import Scope

# The largest id PostgreSQL's bigint holds: a larger one is refused as input, never overflows.
ID_MAX = 2**63 - 1


class ActionForm(StyledForm):
    """Base of the derived forms: REF choices come from the actor's scope, the action's
    cross-field check runs on the service's keywords, and `service_data()` hands them over."""

    action: CaseAction

    def __init__(self, *args, scope: Scope | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in self.action.inputs:
            if spec.kind in (Kind.REF, Kind.REFS) and spec.form_name in self.fields:
                field = self.fields[spec.form_name]
                if scope is not None and spec.ref_choices is not None:
                    field.queryset = spec.ref_choices(scope)
                if spec.ref_label is not None:
                    field.label_from_instance = spec.ref_label

    def clean(self):
        data = super().clean()
        if self.action.validate is not None and not self.errors:
            message = self.action.validate(self.service_data())
            if message:
                raise forms.ValidationError(message)
        return data

    def service_data(self) -> dict[str, Any]:
        """The cleaned data under the service's keywords (a REF row becomes its id)."""
        data = self.cleaned_data
        values: dict[str, Any] = {}
        for spec in self.action.inputs:
            value = data.get(spec.form_name)
            if spec.kind == Kind.REF:
                value = value.pk if value is not None else None
            elif spec.kind == Kind.REFS:
                value = [row.pk for row in value or ()]
            values[spec.name] = value
        if self.action.versioned:
            values["version"] = data.get("version")
        return values


def _bool_choices(spec: Input) -> list[tuple[str, Any]]:
    yes, no = spec.choices
    return [("1", yes), ("0", no)]


def form_field(spec: Input) -> forms.Field:
    """The page field of one input."""
    common: dict[str, Any] = {"label": spec.label, "required": spec.required}
    if spec.default is not None and spec.kind not in (Kind.BOOL, Kind.REF):
        common["initial"] = spec.default
    if spec.kind == Kind.TEXT:
        return forms.CharField(**common, widget=forms.Textarea(attrs={"rows": spec.textarea_rows}))
    if spec.kind == Kind.LINE:
        attrs = {"placeholder": spec.placeholder} if spec.placeholder else None
        return forms.CharField(**common, max_length=spec.max_length, widget=forms.TextInput(attrs=attrs))
    if spec.kind == Kind.INT:
        return forms.IntegerField(**common, min_value=spec.min_value, max_value=spec.max_value or ID_MAX,
                                  widget=forms.HiddenInput if spec.hidden else forms.NumberInput)
    if spec.kind == Kind.BOOL:
        widget = forms.HiddenInput if spec.hidden else forms.RadioSelect if spec.radio else forms.Select
        initial = None if spec.default is None else ("1" if spec.default else "0")
        return forms.TypedChoiceField(**common, coerce=lambda v: v == "1", choices=_bool_choices(spec),
                                      widget=widget, initial=initial)
    if spec.kind == Kind.CHOICE:
        return forms.ChoiceField(**common, choices=spec.choices)
    if spec.kind == Kind.REF:
        model = apps.get_model(spec.ref_model)
        return forms.ModelChoiceField(**common, queryset=model.objects.none())
    if spec.kind == Kind.REFS:
        model = apps.get_model(spec.ref_model)
        return forms.ModelMultipleChoiceField(**common, queryset=model.objects.none(),
                                              widget=forms.SelectMultiple(attrs={"size": 4}))
    if spec.kind == Kind.DATETIME:
        return OccurrenceDateTimeField(**common, widget=DateTimeLocalInput(),
                                   input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"])
    if spec.kind == Kind.FILE:
        return forms.FileField(**common, allow_empty_file=False)
    raise ValueError(f"no page field for input kind {spec.kind}")


def _form_class(action: CaseAction) -> type[ActionForm]:
    attrs: dict[str, Any] = {"action": action, "__module__": __name__}
    if action.versioned:
        # The case version the user saw; a stale version makes the service answer 409.
        attrs["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    for spec in action.inputs:
        attrs[spec.form_name] = form_field(spec)
    return type(f"{action.pascal}Form", (ActionForm,), attrs)


# action name → its form class (the actions reached from the detail page).
ACTION_FORMS: dict[str, type[ActionForm]] = {a.name: _form_class(a) for a in PAGE_ACTIONS}


def action_form(action: str, *, case, scope: Scope, data=None, files=None) -> ActionForm:
    """The form of one action, bound to POST data or prefilled for the detail page."""
    spec = ACTION_BY_NAME[action]
    initial: dict[str, Any] = {}
    if spec.versioned:
        initial["version"] = case.version
    for item in spec.inputs:
        if item.initial_from_case is not None:
            initial[item.form_name] = item.initial_from_case(case)
    kwargs: dict[str, Any] = {"initial": initial, "prefix": action, "scope": scope}
    if data is not None:
        return ACTION_FORMS[action](data, files, **kwargs)
    return ACTION_FORMS[action](**kwargs)
