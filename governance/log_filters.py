"""A logging filter that scrubs ID numbers and mobile phone numbers from every log line.

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
