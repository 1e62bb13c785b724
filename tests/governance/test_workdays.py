import datetime as dt

from governance.models import CalendarDay
from governance.workdays import add_days


def test_known_check_fifteen_working_days_after_national_day_eve(db):
    # 2026-09-28 + 15 working days skips the National Day holiday (10-01..10-07)
    # and counts the make-up Saturday 10-10.
    deadline = add_days(dt.date(2026, 9, 28), 15)
    assert deadline.due_date == dt.date(2026, 10, 23)
    assert deadline.provisional is False


def test_deadline_into_unknown_year_is_provisional_then_recomputed(db):
    # given December 2026 + 15 working days runs into 2027 (unknown to the package)
    first = add_days(dt.date(2026, 12, 18), 15)
    assert first.provisional is True
    assert first.due_date == dt.date(2027, 1, 8)  # weekends only: 01-01 (Fri) counted
    # when an administrator enters New Year's Day 2027 as a holiday
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    # then the deadline moves by one working day
    assert add_days(dt.date(2026, 12, 18), 15).due_date == dt.date(2027, 1, 11)


def test_natural_days(db):
    assert add_days(dt.date(2026, 9, 28), 15, working=False).due_date == dt.date(2026, 10, 13)
