"""Assessment figures: computing one quarter for every township (and county) of the city
beside the raw-SQL floor of its case aggregates (floors.assessment_floor), then the ranking
page and a unit's detail for a county leader. Everything it writes is rolled back."""
from __future__ import annotations

import datetime as dt

from django.test import Client

from assessment import services
from assessment.models import AssessmentPeriod, PeriodKind
from benchmarks.bench.floors import assessment_floor
from benchmarks.bench.harness import Bench, rolled_back, url_or_none
from governance import clock
from governance.models import Region, RegionLevel, Role, User
from governance.periods import Period

COMPUTE_REPEAT = 3


def assessment(bench: Bench) -> None:
    city = Region.objects.filter(level=RegionLevel.CITY).order_by("code").first()
    if city is None:
        bench.skip("assessment quarter for all townships", "no city")
        return
    ended = clock.localdate() - dt.timedelta(days=92)
    year, number = ended.year, (ended.month - 1) // 3 + 1
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP, city=city).count()
    with rolled_back():
        services.rubric_seed_default(region=city, year=year)
        services.rubric_seed_default(region=city, year=year, level=RegionLevel.COUNTY)
        services.periods_ensure(region=city, year=year, kinds=(PeriodKind.QUARTER,))
        period = AssessmentPeriod.objects.get(region=city, kind=PeriodKind.QUARTER, year=year, number=number)
        span = Period(period.start, period.end)

        def compute(_i: int) -> None:
            with rolled_back():
                services.period_compute(period_id=period.pk)

        warmup, bench.warmup = bench.warmup, min(bench.warmup, 1)
        try:
            bench.figure(f"assessment quarter for {townships} townships", compute,
                         assessment_floor(city.pk, span.starts_at, span.ends_before), repeat=COMPUTE_REPEAT)
        finally:
            bench.warmup = warmup
        services.period_compute(period_id=period.pk)
        _pages(bench, city, period)


def _pages(bench: Bench, city: Region, period: AssessmentPeriod) -> None:
    county = Region.objects.filter(level=RegionLevel.COUNTY, city=city).order_by("code").first()
    township = Region.objects.filter(level=RegionLevel.TOWNSHIP, county=county).order_by("code").first()
    ranking, detail = url_or_none("assessment:rankings"), url_or_none("assessment:unit", period_id=period.pk,
                                                                      unit_id=township.pk if township else 0)
    if county is None or township is None or ranking is None or detail is None:
        bench.skip("page assessment ranking", "no county or township")
        return
    leader = User.objects.create(username="bench_assessment_leader", role=Role.LEADER, region=county)
    client = Client()
    client.force_login(leader)
    for name, url in (("page assessment ranking", f"{ranking}?period={period.pk}"),
                      ("page assessment unit detail", detail)):
        if bench.ok(client, url, None, name):
            bench.figure(name, lambda _i, u=url: client.get(u))
    client.logout()
