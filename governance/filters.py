"""Kernel base of the apps' API list filters (`<app>/filters.py`).

`SelectorFilterSet` declares, validates and documents (OpenAPI) a list's query parameters
without filtering by itself: `selector_filters()` hands the cleaned values to the app's
selector, the one place where the scope and the filters are applied."""
from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext as _

from governance.errors import InvalidInput
from governance.inputs import SpanDateField


class SpanDateFilter(django_filters.DateFilter):
    """A date filter bounded to DATE_SPAN_YEARS around today (`?created_to=9999-12-31` is a 400)."""

    field_class = SpanDateField


class SelectorFilterSet(django_filters.FilterSet):
    def selector_filters(self) -> dict[str, Any]:
        """The non-empty filters in the selector's vocabulary; invalid input raises (400).

        As the schema says: a parameter that is sent must hold a value of its type — an empty
        `?created_to=`, `?active=maybe` or `?grid=0.5` is a 400, not a filter silently dropped
        (a NumberFilter here is always an id: whole numbers only)."""
        self._refuse_present_but_empty()
        if not self.is_valid():
            errors = self.errors.get_json_data()
            field, messages = next(iter(errors.items()))
            raise InvalidInput(f"{field}: {messages[0]['message']}", extra={"fields": {
                name: [m["message"] for m in items] for name, items in errors.items()}})
        return {key: value for key, value in self.form.cleaned_data.items() if value not in (None, "", [])}

    def _refuse_present_but_empty(self) -> None:
        if not self.is_valid():
            return  # reported below with the form's own messages
        errors = {}
        for name, flt in self.filters.items():
            if name not in self.data:
                continue
            value = self.form.cleaned_data.get(name)
            if isinstance(flt, django_filters.BooleanFilter) and self.data.get(name) not in ("true", "false"):
                errors[name] = [_("应为 true 或 false")]  # Django's select widget would read "2" as true
            elif value in (None, "", []):
                errors[name] = [_("参数不能为空或无效")]
            elif isinstance(flt, django_filters.NumberFilter) and value != int(value):
                errors[name] = [_("应为整数")]
        if errors:
            field, messages = next(iter(errors.items()))
            raise InvalidInput(f"{field}: {messages[0]}", extra={"fields": errors})
