"""The OpenAPI schema says what the API accepts (issue 15, item 7).

drf-spectacular documents a CharField's `max_length` but not that a required text may not be
blank: the schema allowed `"title": ""` and `"title": " "`, which the API refuses (DRF trims
and rejects blank). `AutoSchema` adds `minLength: 1` and a pattern requiring one non-space
character to every writable CharField that does not allow blank, so a client generated from
the schema (or schemathesis) sends what the API takes.
"""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

NON_BLANK = r"\S"


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions=bypass_extensions)
        if (direction == "request" and type(field) is not serializers.ChoiceField
                and isinstance(field, serializers.CharField) and not field.allow_blank
                and schema.get("type") == "string" and "enum" not in schema and "format" not in schema):
            schema.setdefault("minLength", 1)
            if field.trim_whitespace:
                schema.setdefault("pattern", NON_BLANK)
        return schema
