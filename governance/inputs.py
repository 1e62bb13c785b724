"""Input that cannot hurt: the bounds and the normalisation every app's input goes through.

A value a user can type must be one every later read can handle. `0001-01-01T00:00` in
Asia/Shanghai is a BC moment in UTC that Python cannot read back (every list holding the row
then fails), 2**31 overflows PostgreSQL's integer, a name with a bidi override reverses what
the next reader sees. So:

- an occurrence (发生时间, 调解时间, 巡查日期 …) lies between the founding of the People's
  Republic (1949-10-01) and now (`OCCURRENCE_SLACK` allows a clock a few minutes ahead);
- any other date (a filter bound, a deadline, a term) lies within `DATE_SPAN_YEARS` of today;
- a count has a maximum (`COUNT_MAX`, and `INT32_MAX` for any integer stored in an integer column);
- names lose zero-width and bidi-control characters (`text_clean`).

Form fields (`OccurrenceDateTimeField`, `OccurrenceDateField`, `SpanDateField`), serializer
fields (`OccurrenceDateTimeSerializerField`, `SpanDateSerializerField`) and the plain checks
(`occurrence_error`, `span_error`) carry the same rule and the same Chinese messages, so the
page, the API and the services cannot drift. `StyledForm` adds the span rule and
`INT32_MAX` to every date and integer field that declares no bound of its own
(governance/forms.py), as a safety net for fields added later.
"""
from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from governance import clock

EARLIEST_OCCURRENCE = dt.date(1949, 10, 1)
OCCURRENCE_SLACK = dt.timedelta(minutes=5)
DATE_SPAN_YEARS = 100
INT32_MAX = 2**31 - 1
# People involved in one matter: the largest 群体性 events counted in the tens of thousands.
COUNT_MAX = 100_000
# Parties (当事人) on one case: a collective dispute lists representatives, not every person.
PARTIES_MAX = 50

# Zero-width characters and bidirectional controls (LRE … RLO, LRI … PDI, LRM/RLM, ALM),
# the BOM and the word joiner: invisible, and able to make one name look like another.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff\u00ad]")


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            try:
                return value.astimezone(_zone()).date()
            except OverflowError:  # year 1 or 9999 shifted past the calendar's edge
                return value.date()
        return value.date()
    return value


def occurrence_error(value: dt.date | dt.datetime) -> str | None:
    """Why `value` cannot be when something happened, or None."""
    if _as_date(value) < EARLIEST_OCCURRENCE:
        return _("时间不能早于1949年10月1日")
    if isinstance(value, dt.datetime):
        moment = value if timezone.is_aware(value) else value.replace(tzinfo=_zone())
        if _as_date(value) > clock.localdate() + dt.timedelta(days=1) or moment > clock.now() + OCCURRENCE_SLACK:
            return _("时间不能晚于当前时间")
    elif value > clock.localdate():
        return _("日期不能晚于今天")
    return None


def span_bounds() -> tuple[dt.date, dt.date]:
    today = clock.localdate()
    return (today.replace(year=today.year - DATE_SPAN_YEARS, day=min(today.day, 28)),
            today.replace(year=today.year + DATE_SPAN_YEARS, day=min(today.day, 28)))


def span_error(value: dt.date | dt.datetime) -> str | None:
    """Why `value` is too far from today for any date the platform keeps, or None."""
    earliest, latest = span_bounds()
    if not earliest <= _as_date(value) <= latest:
        return _("日期须在今天前后%(years)s年之内") % {"years": DATE_SPAN_YEARS}
    return None


def text_clean(value: str | None) -> str:
    """`value` stripped, without zero-width or bidi-control characters (names, titles)."""
    return _INVISIBLE.sub("", value or "").strip()


# --- validators (forms and models) ----------------------------------------------------------------


def validate_occurrence(value: dt.date | dt.datetime) -> None:
    message = occurrence_error(value)
    if message:
        raise ValidationError(message, code="out_of_range")


def birth_date_error(value: dt.date) -> str | None:
    """A birth date: from 1900 (the oldest residents) to today."""
    if _as_date(value) < dt.date(1900, 1, 1) or _as_date(value) > clock.localdate():
        return _("出生日期不合理")
    return None


def validate_birth_date(value: dt.date) -> None:
    message = birth_date_error(value)
    if message:
        raise ValidationError(message, code="out_of_range")


def validate_span(value: dt.date | dt.datetime) -> None:
    message = span_error(value)
    if message:
        raise ValidationError(message, code="out_of_range")


# --- form fields --------------------------------------------------------------------------------


class OccurrenceDateTimeField(forms.DateTimeField):
    """When something happened: 1949-10-01 … now."""

    default_validators = [validate_occurrence]


class OccurrenceDateField(forms.DateField):
    default_validators = [validate_occurrence]


class SpanDateField(forms.DateField):
    """A date within DATE_SPAN_YEARS of today (filters, deadlines, terms)."""

    default_validators = [validate_span]


class SpanDateTimeField(forms.DateTimeField):
    default_validators = [validate_span]


class CleanCharField(forms.CharField):
    """A name: stripped of zero-width and bidi-control characters."""

    def to_python(self, value):
        return text_clean(super().to_python(value))


# --- serializer fields ----------------------------------------------------------------------------


class _BoundedSerializerField:
    """Parse, then check the bound; a value at the calendar's edge that DRF's own time-zone
    handling cannot shift (OverflowError) is out of range as well."""

    default_error_messages = {"out_of_range": "{message}"}
    bound: staticmethod

    def to_internal_value(self, value):
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            self.fail("out_of_range", message=_("日期超出允许范围"))
        message = self.bound(parsed)
        if message:
            self.fail("out_of_range", message=message)
        return parsed


class OccurrenceDateTimeSerializerField(_BoundedSerializerField, serializers.DateTimeField):
    """When something happened, in the API: 1949-10-01 … now."""

    bound = staticmethod(occurrence_error)


class SpanDateSerializerField(_BoundedSerializerField, serializers.DateField):
    bound = staticmethod(span_error)


class BirthDateSerializerField(_BoundedSerializerField, serializers.DateField):
    bound = staticmethod(birth_date_error)


class SpanDateTimeSerializerField(_BoundedSerializerField, serializers.DateTimeField):
    bound = staticmethod(span_error)


class CleanCharSerializerField(serializers.CharField):
    """A name in the API: stripped of zero-width and bidi-control characters."""

    def to_internal_value(self, data):
        return text_clean(super().to_internal_value(data))
