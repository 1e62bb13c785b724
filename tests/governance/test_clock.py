"""governance.clock: the kernel clock, frozen per thread or task with frozen_at."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.utils import timezone

from governance import clock
from governance.models import Region, RegionLevel

LAST_MONTH = dt.datetime(2026, 11, 2, 1, 30, tzinfo=dt.UTC)
LAST_WEEK = dt.datetime(2026, 11, 25, 16, 30, tzinfo=dt.UTC)


def test_now_outside_frozen_at_is_real_time():
    before = timezone.now()
    moment = clock.now()
    after = timezone.now()
    assert before <= moment <= after
    assert timezone.is_aware(moment)


def test_frozen_at_nests_and_resets():
    # Given a frozen moment, when another one is frozen inside it
    with clock.frozen_at(LAST_MONTH) as outer:
        assert outer == LAST_MONTH
        assert clock.now() == LAST_MONTH
        with clock.frozen_at(LAST_WEEK):
            # Then the inner moment holds inside the inner block
            assert clock.now() == LAST_WEEK
        # And the outer one again after it
        assert clock.now() == LAST_MONTH
    # And real time after both
    assert abs(clock.now() - timezone.now()) < dt.timedelta(seconds=5)


def test_frozen_at_resets_after_an_exception():
    # Given a block that raises inside two frozen moments
    with pytest.raises(RuntimeError), clock.frozen_at(LAST_MONTH):
        try:
            with clock.frozen_at(LAST_WEEK):
                raise RuntimeError("step failed")
        finally:
            # Then the inner moment is gone as the exception leaves its block
            assert clock.now() == LAST_MONTH

    # And nothing stays frozen after the outer block
    assert abs(clock.now() - timezone.now()) < dt.timedelta(seconds=5)


def test_a_frozen_moment_belongs_to_its_thread():
    # Given a moment frozen in this thread, when another thread reads the clock
    seen: list[dt.datetime] = []
    with clock.frozen_at(LAST_MONTH):
        worker = threading.Thread(target=lambda: seen.append(clock.now()))
        worker.start()
        worker.join()
        assert clock.now() == LAST_MONTH

    # Then it sees real time
    assert abs(seen[0] - timezone.now()) < dt.timedelta(seconds=5)


def test_frozen_at_refuses_a_naive_moment():
    with pytest.raises(ValueError), clock.frozen_at(dt.datetime(2026, 11, 2, 9, 30)):
        pass
    assert abs(clock.now() - timezone.now()) < dt.timedelta(seconds=5)


def test_localdate_is_the_frozen_day_in_the_site_time_zone():
    # 2026-11-25 16:30 UTC is already the 26th in Asia/Shanghai
    with clock.frozen_at(LAST_WEEK):
        assert clock.localdate() == dt.date(2026, 11, 26)
    assert clock.localdate() == timezone.localdate()


@pytest.mark.django_db
def test_base_model_timestamps_read_the_clock():
    # Given a region created at a frozen moment
    with clock.frozen_at(LAST_MONTH):
        region = Region.objects.create(code="9801", name="样例市", level=RegionLevel.CITY)
    region.refresh_from_db()
    assert region.created_at == LAST_MONTH and region.updated_at == LAST_MONTH

    # When it is saved again later: updated_at moves (auto_now), created_at stays (auto_now_add)
    with clock.frozen_at(LAST_WEEK):
        region.name = "样例市二"
        region.save()
    region.refresh_from_db()
    assert (region.created_at, region.updated_at) == (LAST_MONTH, LAST_WEEK)

    # And outside frozen_at the stamp is real time
    before = timezone.now()
    region.save()
    assert region.updated_at >= before and region.created_at == LAST_MONTH
