"""Logging filters: `PersonalDataFilter` scrubs ID numbers and mobile phone numbers from every
log line; `RefusalFilter` makes a refusal (403) one line.

The first line of defence is that personal data never reaches a URL or a log call (hints
go by POST, parties are logged by id). This is the second: installed on every handler in
settings.LOGGING (and gunicorn's, deploy/gunicorn.conf.py), it rewrites the formatted
message and any traceback before a handler writes them.

- ID numbers: 18 characters shaped like a resident ID (region, birth date 18xx–20xx, sequence,
  check digit or X) and 15-digit first-generation numbers, not inside a longer run of digits;
- mobile phones: 11 digits starting 13–19, not inside a longer run of digits (an optional
  +86 / 86 prefix goes with them).

They become `[证件号]` / `[手机号]`. A case number (township code + date + sequence: 21
digits) is longer than both, so it survives.
"""
from __future__ import annotations

import logging
import re

_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"|[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9A-Za-z+])(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")


def scrub(text: str) -> str:
    """`text` with every ID number and mobile phone number replaced by a placeholder."""
    return _PHONE.sub("[手机号]", _ID_NUMBER.sub("[证件号]", text))


class PersonalDataFilter(logging.Filter):
    """Scrubs the record in place (message, arguments, traceback); never drops it."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string: leave it to the handler's own error path
            return True
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class RefusalFilter(logging.Filter):
    """On the `django.request` logger: a refusal (403) is one WARNING line — the path, the
    refusal's own message and the user's id — without a traceback. The traceback only said
    that a view raised PermissionDenied; who was refused what is in the audit log
    (`governance.services.audit_refusal`). Other records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Once per record: dictConfig adds a logger's filters again without removing the old
        # ones, and `runserver` configures logging twice.
        if getattr(record, "status_code", None) != 403 or getattr(record, "refusal_shortened", False):
            return True
        record.refusal_shortened = True
        reason = str(record.exc_info[1]) if record.exc_info and record.exc_info[1] is not None else ""
        record.exc_info = None
        record.exc_text = None
        request = getattr(record, "request", None)
        user_id = getattr(getattr(request, "user", None), "pk", None)
        # One line: the message is ours, but a line break in it must not start a forged entry.
        parts = [" ".join(reason.split())[:200]] if reason else []
        if user_id is not None:
            parts.append(f"user {user_id}")
        if parts:
            record.msg = f"{record.msg} (%s)"
            record.args = (*(record.args or ()), "; ".join(parts))
        return True
