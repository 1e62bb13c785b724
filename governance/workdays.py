"""Working days on the official Chinese calendar.

The `chinese-calendar` package carries the State Council's holiday and make-up-day (调休)
schedule for the years it knows (1.11: 2004–2026) and raises NotImplementedError for later
years. Administrators enter official days the package lacks (or local corrections) as
`CalendarDay` rows, which always win. For a date that neither knows, weekends are rest
days and the result is marked provisional, so a deadline running into 2027 is still
computed and shown as provisional (`Deadline.provisional`); the official days, once entered,
apply to deadlines computed after that (`manage.py deadlines_recompute` moves the open
provisional ones).

Natural days follow 民法典 arts. 201 and 203: counting starts the day after `start`, and a
period whose last day is a rest day (a public holiday or a weekend that is not a 调休
working day) ends on the next working day instead.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar

from governance.models import CalendarDay

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Deadline:
    due_date: dt.date
    due_at: dt.datetime  # the last instant of due_date in Asia/Shanghai
    provisional: bool  # some day counted was guessed (package did not know its year)


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


def day_kind(day: dt.date, overrides: dict[dt.date, bool]) -> tuple[bool, bool]:
    """(is_workday, provisional) for one day."""
    if day in overrides:
        return overrides[day], False
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def add_days(start: dt.datetime | dt.date, days: int, *, working: bool = True) -> Deadline:
    """The deadline `days` (working or natural) days after `start`.

    Counting starts the day after `start` (a case received on the 28th with 1 working day
    is due on the next working day). Make-up working days count; holidays do not. A period
    of natural days that ends on a rest day ends on the next working day (民法典 art. 203:
    30 days from 2026-09-01 end on 2026-10-01, National Day, so on 2026-10-08).
    """
    if isinstance(start, dt.datetime):
        start = start.astimezone(SHANGHAI).date()
    if days < 0:
        raise ValueError("days must be >= 0")
    if not working:
        return _natural_deadline(start + dt.timedelta(days=days))
    # A generous window for the override lookup: holidays never stretch 3x.
    overrides = _overrides(start, start + dt.timedelta(days=days * 3 + 30))
    day, counted, provisional = start, 0, False
    while counted < days:
        day += dt.timedelta(days=1)
        workday, guessed = day_kind(day, overrides)
        provisional = provisional or guessed
        if workday:
            counted += 1
    return Deadline(day, end_of_day(day), provisional)


def _natural_deadline(last: dt.date) -> Deadline:
    """The last day of a natural-day period, moved past rest days (民法典 art. 203);
    provisional when the calendar of a day looked at was guessed."""
    # The longest run of rest days (Spring Festival plus a weekend) is well under 30 days.
    overrides = _overrides(last, last + dt.timedelta(days=30))
    day = last
    workday, provisional = day_kind(day, overrides)
    while not workday:
        day += dt.timedelta(days=1)
        workday, guessed = day_kind(day, overrides)
        provisional = provisional or guessed
    return Deadline(day, end_of_day(day), provisional)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    overrides = _overrides(start, end)
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if day_kind(day, overrides)[0]:
            n += 1
    return n


# --- After the calendar changes ---------------------------------------------------------------

# label → job: what an app recomputes once administrators entered official days (the
# CalendarDay admin action runs them; the kernel names no app). A job returns a message.
CALENDAR_JOBS: dict[str, Callable[[], str]] = {}


def register_calendar_job(label: str, job: Callable[[], str]) -> None:
    """An app's recomputation after CalendarDay rows changed (registered in `ready()`)."""
    CALENDAR_JOBS[label] = job


def calendar_jobs_run() -> list[str]:
    """Run every registered job; their messages, in registration order."""
    return [f"{label}：{job()}" for label, job in CALENDAR_JOBS.items()]
