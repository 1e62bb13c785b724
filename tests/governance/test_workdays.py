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


def test_natural_days_ending_on_a_public_holiday_end_on_the_next_working_day(db):
    # 民法典 art. 203: 30 days from 2026-09-01 end on 2026-10-01 (National Day, 10-01..10-07)
    # and therefore on 2026-10-08, the first working day after the holiday.
    assert add_days(dt.date(2026, 9, 1), 30, working=False).due_date == dt.date(2026, 10, 8)
    assert add_days(dt.date(2026, 9, 7), 30, working=False).due_date == dt.date(2026, 10, 8)  # ends 10-07
    # The day before the holiday is a working day: the period ends there.
    assert add_days(dt.date(2026, 8, 31), 30, working=False).due_date == dt.date(2026, 9, 30)
    # The first working day after it stays as it is.
    assert add_days(dt.date(2026, 9, 8), 30, working=False).due_date == dt.date(2026, 10, 8)
    assert add_days(dt.date(2026, 9, 1), 30, working=False).provisional is False


def test_natural_days_ending_on_a_weekend_move_but_a_make_up_saturday_does_not(db):
    # 2026-09-12 is a Saturday: the period ends on Monday 09-14.
    assert add_days(dt.date(2026, 9, 2), 10, working=False).due_date == dt.date(2026, 9, 14)
    # 2026-10-10 is a Saturday worked in exchange for the holiday (调休): it is a working day.
    assert add_days(dt.date(2026, 9, 30), 10, working=False).due_date == dt.date(2026, 10, 10)


def test_natural_days_ending_in_an_unknown_year_are_provisional_until_the_days_are_entered(db):
    # 2027 is unknown to chinesecalendar 1.11: Friday 2027-01-01 is guessed to be a working day
    first = add_days(dt.date(2026, 12, 2), 30, working=False)
    assert (first.due_date, first.provisional) == (dt.date(2027, 1, 1), True)
    # once 元旦 2027 is entered the period ends on Monday 01-04 (01-02/03 are a weekend)
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    second = add_days(dt.date(2026, 12, 2), 30, working=False)
    assert (second.due_date, second.provisional) == (dt.date(2027, 1, 4), True)
    # and when every day looked at is entered, it is no longer provisional
    CalendarDay.objects.bulk_create([CalendarDay(date=dt.date(2027, 1, d), is_workday=d == 4) for d in (2, 3, 4)])
    assert add_days(dt.date(2026, 12, 2), 30, working=False).provisional is False
