"""The API's JSON parser, with limits a hostile body cannot pass.

DRF's JSONParser reads the whole body and hands it to `json.loads`: a body nested 5,000
levels deep raises RecursionError inside the parser (a 500), and a body of any size is
read into memory (DRF's stream is not held to DATA_UPLOAD_MAX_MEMORY_SIZE). This parser:

- refuses a body over `API_JSON_MAX_BYTES` (413) before reading it;
- refuses nesting deeper than `API_JSON_MAX_DEPTH` (400), counted before `json.loads`
  recurses, so no depth reaches the interpreter's recursion limit;
- answers malformed JSON with the one error body (400).
"""
from __future__ import annotations

import codecs
import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 32
# Strings first (brackets inside them do not nest), then every bracket in order.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def json_depth(raw: bytes) -> int:
    """The deepest nesting of `raw`'s arrays and objects (strings skipped)."""
    depth = deepest = 0
    for match in _TOKENS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        max_bytes = getattr(settings, "API_JSON_MAX_BYTES", DEFAULT_MAX_BYTES)
        max_depth = getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            declared = 0
        if declared > max_bytes:
            raise PayloadTooLarge(_("请求内容过大（上限 %(n)s 字节）") % {"n": max_bytes})
        raw = stream.read(max_bytes + 1) if stream is not None else b""
        if len(raw) > max_bytes:
            raise PayloadTooLarge(_("请求内容过大（上限 %(n)s 字节）") % {"n": max_bytes})
        if json_depth(raw) > max_depth:
            raise ParseError(_("JSON 嵌套层数过多（上限 %(n)s 层）") % {"n": max_depth})
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
            return json.loads(text, parse_constant=_refuse_constant) if text.strip() else {}
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise ParseError(_("JSON 格式不正确"))


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON; Python would accept them and a Decimal field choke later.
    raise ValueError(name)
