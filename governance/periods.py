"""Assessment periods: a half-open range of calendar days in the platform's time zone.

Every `unscoped_<metric>_by_region(*, level, region_ids, period)` aggregate of the read
contract between apps takes one, so "this month" means the same instants everywhere:
from 00:00 Asia/Shanghai on `start` to 00:00 on the day after `end`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.errors import InvalidInput
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


# The periods a dashboard or statistics page offers (?period=), "custom" with ?start=&end=.
PERIOD_CHOICES = (("week", gettext_lazy("本周")), ("month", gettext_lazy("本月")), ("quarter", gettext_lazy("本季度")),
                  ("year", gettext_lazy("本年")), ("custom", gettext_lazy("自定义")))
DEFAULT_PERIOD = "month"
CUSTOM_MAX_DAYS = 366 * 3


def period_named(name: str | None, *, today: dt.date, start: object = None, end: object = None) -> Period:
    """The named period containing `today` (week from Monday, month, quarter, year; each up
    to and including today's end), or a custom range of dates. Bad input → InvalidInput with
    a Chinese message (a page shows it, the API answers 400)."""
    name = name or DEFAULT_PERIOD
    if name == "week":
        return Period(today - dt.timedelta(days=today.weekday()), today)
    if name == "month":
        return Period(today.replace(day=1), today)
    if name == "quarter":
        return Period(dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
    if name == "year":
        return Period(dt.date(today.year, 1, 1), today)
    if name != "custom":
        raise InvalidInput(_("统计周期无效"), extra={"fields": {"period": _("统计周期无效")}})

    def day(value: object, field: str) -> dt.date:
        parsed = value if isinstance(value, dt.date) else None
        if parsed is None:
            try:
                parsed = parse_date(str(value or ""))
            except ValueError:
                parsed = None
        if parsed is None:
            raise InvalidInput(_("请填写正确的起止日期"), extra={"fields": {field: _("日期格式不正确")}})
        return parsed

    first, last = day(start, "start"), day(end, "end")
    if last < first:
        raise InvalidInput(_("结束日期不能早于开始日期"), extra={"fields": {"end": _("结束日期不能早于开始日期")}})
    if (last - first).days > CUSTOM_MAX_DAYS:
        raise InvalidInput(_("统计周期不能超过三年"), extra={"fields": {"end": _("统计周期不能超过三年")}})
    return Period(first, last)
