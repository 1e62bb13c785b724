"""Kernel base of the apps' API list filters (`<app>/filters.py`).

`SelectorFilterSet` declares, validates and documents (OpenAPI) a list's query parameters
without filtering by itself: `selector_filters()` hands the cleaned values to the app's
selector, the one place where the scope and the filters are applied."""
from __future__ import annotations

from typing import Any

import django_filters

from governance.errors import InvalidInput
from governance.inputs import SpanDateField


class SpanDateFilter(django_filters.DateFilter):
    """A date filter bounded to DATE_SPAN_YEARS around today (`?created_to=9999-12-31` is a 400)."""

    field_class = SpanDateField


class SelectorFilterSet(django_filters.FilterSet):
    def selector_filters(self) -> dict[str, Any]:
        """The non-empty filters in the selector's vocabulary; invalid input raises (400)."""
        if not self.is_valid():
            errors = self.errors.get_json_data()
            field, messages = next(iter(errors.items()))
            raise InvalidInput(f"{field}: {messages[0]['message']}", extra={"fields": {
                name: [m["message"] for m in items] for name, items in errors.items()}})
        return {key: value for key, value in self.form.cleaned_data.items() if value not in (None, "", [])}
