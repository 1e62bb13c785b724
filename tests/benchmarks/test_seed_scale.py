"""seed_scale makes a realistic, deterministic synthetic city (benchmarks/scale/)."""
from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Count

from disputes.models import Case, CaseAssignment, CaseEvent, CaseNumberCounter, CaseParty, CaseState, WarningLevel
from governance.models import Region, RegionLevel, Role, User
from grids.models import Grid

SMALL = {"townships": 3, "villages_per_township": 2, "grids_per_village": 2, "verbosity": 0}


def _seed(cases: int = 300, *, seed: int = 5, city_code: str = "9901") -> list[Case]:
    call_command("seed_scale", cases=cases, seed=seed, city_code=city_code, **SMALL)
    return list(Case.objects.filter(city__code=city_code).order_by("id"))


@pytest.mark.django_db
def test_seed_scale_builds_the_city_and_cases_with_realistic_mixes():
    # Given an empty database, when 300 cases are seeded in a 3-township city
    cases = _seed()

    # Then the region tree, grids and users exist under the synthetic prefix
    city = Region.objects.get(code="9901")
    assert city.level == RegionLevel.CITY
    levels = Counter(Region.objects.filter(city=city).values_list("level", flat=True))
    assert levels == {"city": 1, "county": 3, "township": 3, "village": 6}
    assert Grid.objects.filter(city=city).count() == 12
    assert not Grid.objects.filter(city=city, boundary__isnull=True).exists()
    assert Grid.objects.filter(city=city, centre_lng__gt=108.8, centre_lat__gt=34.9).count() == 12
    roles = set(User.objects.filter(region__city=city).values_list("role", flat=True))
    assert roles == {r.value for r in Role}

    # And every case has its path columns, a unique number, parties and 2–6 timeline events
    assert len(cases) == 300
    assert len({c.number for c in cases}) == 300
    villages = {r.pk: r for r in Region.objects.filter(level=RegionLevel.VILLAGE, city=city)}
    for case in cases:
        village = villages[case.village_id]
        assert (case.city_id, case.county_id, case.township_id) == (village.city_id, village.county_id,
                                                                    village.township_id)
        assert case.number.startswith(village.code[:9])
    parties = dict(CaseParty.objects.values_list("case_id").annotate(n=Count("id")))
    assert all(1 <= parties.get(c.pk, 0) <= 3 for c in cases)
    events = Counter(dict(CaseEvent.objects.values_list("case_id").annotate(n=Count("id"))).values())
    assert sum(events.values()) == 300 and min(events) >= 2 and max(events) <= 6

    # And the mixes look like real data: mostly closed, some red and yellow cards, open cases timed
    states = Counter(c.state for c in cases)
    assert states.most_common(1)[0][0] == CaseState.CLOSED
    warnings = Counter(c.warning_level for c in cases)
    assert 0.03 <= warnings[WarningLevel.RED] / 300 <= 0.15
    assert 0.01 <= warnings[WarningLevel.YELLOW] / 300 <= 0.10
    assert all(c.due_at is not None for c in cases if c.state in ("accepted", "dispatched", "in_progress"))
    assert all(c.due_at is None for c in cases if c.state in ("closed", "rejected"))
    assert len(Counter(c.channel for c in cases)) >= 5
    # An open dispatch carries the case's handling deadline, as case_dispatch writes it
    open_dispatches = CaseAssignment.objects.filter(status__in=("pending", "signed")).select_related("case")
    assert open_dispatches.exists()
    assert all(a.due_at == a.case.due_at for a in open_dispatches)

    # And the service's number counter continues after the seeded numbers
    top = max(cases, key=lambda c: c.number)
    day = top.created_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    counter = CaseNumberCounter.objects.get(township_code=top.number[:9], day=day)
    assert counter.last >= int(top.number[-4:])

    # And party identities carry encrypted, hashed and masked values (never the plain ID)
    person = CaseParty.objects.filter(kind="person").first()
    assert person.id_number_enc and len(person.id_number_hash) == 64 and "*" in person.id_number_masked


@pytest.mark.django_db
def test_seed_scale_is_deterministic_for_a_seed():
    # Given the same seed in two synthetic cities (same shape, different prefixes)
    first = _seed(120, seed=11, city_code="9901")
    second = _seed(120, seed=11, city_code="9902")
    other = _seed(120, seed=12, city_code="9903")

    # Then the case numbers (after the city prefix) and the states are the same; another seed differs
    def fingerprint(cases):
        return [(c.number[4:], c.state, c.warning_level, c.channel) for c in cases]

    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(first) != fingerprint(other)


@pytest.mark.django_db
def test_seed_scale_adds_to_an_existing_city_without_number_clashes():
    # Given a seeded city, when more cases are added to it
    _seed(100)
    cases = _seed(100, seed=6)

    # Then the city is reused and all 200 numbers are unique
    assert Region.objects.filter(code="9901").count() == 1
    assert len(cases) == 200 and len({c.number for c in cases}) == 200
