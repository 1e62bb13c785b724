"""Assessment periods: a half-open range of calendar days in the platform's time zone.

Every `unscoped_<metric>_by_region(*, level, region_ids, period)` aggregate of the read
contract between apps takes one, so "this month" means the same instants everywhere:
from 00:00 Asia/Shanghai on `start` to 00:00 on the day after `end`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from governance.workdays import SHANGHAI


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        return cls(first, following - dt.timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=SHANGHAI)

    @property
    def ends_before(self) -> dt.datetime:
        """The first instant after the period."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
