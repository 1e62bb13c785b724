"""Kernel pieces every app's forms build on.

- `StyledForm`: a Form whose widgets carry the Tabler classes, so templates render any
  field generically.
- `DateTimeLocalInput` and `DATETIME_LOCAL`: the browser's date-and-time picker and the
  format it sends.
- `village_choices(scope)`: the villages (村/社区) inside a scope as select choices.
- `int_or_none`: a lenient integer parse for query strings and posted ids.

`StyledForm` is also the safety net of governance/inputs.py: a date or date-time field that
declares no bound of its own gets the ±DATE_SPAN_YEARS rule, an integer field without a
maximum gets INT32_MAX, so a field added later cannot store a value every later read fails on.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from governance.inputs import INT32_MAX, validate_birth_date, validate_occurrence, validate_span
from governance.models import RegionLevel
from governance.scoping import Scope

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


_DATE_BOUNDS = (validate_occurrence, validate_span, validate_birth_date)


def field_bounds_ensure(field: forms.Field) -> None:
    """Give an unbounded date or integer field the platform's outer bounds (governance/inputs.py)."""
    if isinstance(field, forms.DateField | forms.DateTimeField):
        if not any(v in _DATE_BOUNDS for v in field.validators):
            field.validators.append(validate_span)
    elif isinstance(field, forms.IntegerField):
        if getattr(field, "max_value", None) is None:
            field.max_value = INT32_MAX
            field.validators.append(MaxValueValidator(INT32_MAX))
        if getattr(field, "min_value", None) is None:
            field.min_value = -INT32_MAX
            field.validators.append(MinValueValidator(-INT32_MAX))


class StyledForm(forms.Form):
    """Adds the Tabler classes to every widget, so templates render fields generically, and
    the outer input bounds to every date and integer field (`field_bounds_ensure`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field_bounds_ensure(field)
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.MultipleHiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()


def village_choices(scope: Scope) -> list[tuple[Any, Any]]:
    """Villages (村/社区) inside the scope, grouped by township when there are several."""
    villages = scope.regions().filter(level=RegionLevel.VILLAGE).order_by("code").values_list(
        "pk", "name", "township__name")
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, name, township in villages:
        groups.setdefault(township or "", []).append((pk, name))
    if len(groups) == 1:
        return [("", "---------"), *next(iter(groups.values()))]
    return [("", "---------"), *groups.items()]


def int_or_none(value: Any) -> int | None:
    """`int(value)`, or None for a missing or malformed value."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
