"""bench measures the synthetic city and writes the JSON shape the CI and docs/performance.md
rely on (benchmarks/bench/)."""
from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from disputes.models import Case
from disputes.selectors.statistics import STATISTICS


@pytest.mark.django_db
def test_bench_writes_the_figures_as_json(tmp_path):
    # Given a small seeded city
    out = tmp_path / "bench.json"

    # When bench runs (seeding first because the database has fewer cases than asked)
    call_command("bench", cases=300, repeat=1, warmup=0, json_path=str(out), verbosity=0, seed=5)

    # Then the JSON has exactly the documented shape
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"meta", "figures"}
    assert data["meta"]["cases"] == 300
    assert data["meta"]["db"] in ("postgresql", "sqlite")
    assert {"cases", "db", "git", "machine"} <= set(data["meta"])
    assert data["meta"]["debug"] is False  # measured as production runs
    names = [f["name"] for f in data["figures"]]
    assert names, "no figure measured"
    for figure in data["figures"]:
        assert set(figure) == {"name", "unit", "p50", "p95", "n", "floor", "ratio", "queries"}
        assert figure["p50"] >= 0 and figure["p95"] >= figure["p50"] * 0.999
    # The case list and creation exist today; each measured beside its SQL floor with a query count
    for figure in data["figures"]:
        if figure["name"].startswith(("api list", "page list", "service case_register")):
            assert figure["floor"] > 0 and figure["ratio"] > 0 and figure["queries"] > 0
    # The assessment quarter beside its floor, and its pages
    figures = {f["name"]: f for f in data["figures"]}
    quarter = next(f for name, f in figures.items() if name.startswith("assessment quarter for"))
    assert quarter["floor"] > 0 and quarter["queries"] > 0
    assert {"page assessment ranking", "page assessment unit detail"} <= set(figures)
    # And the bench left the data as it found it (its writes are rolled back)
    assert Case.objects.count() == 300
    from assessment.models import AssessmentPeriod
    assert not AssessmentPeriod.objects.exists()


@pytest.mark.django_db
def test_bench_dashboard_section_times_the_screen_and_each_statistic_beside_floors(tmp_path):
    # Given a small seeded city
    out = tmp_path / "bench.json"

    # When only the dashboard section runs
    call_command("bench", cases=300, repeat=1, warmup=0, json_path=str(out), verbosity=0, seed=5,
                 only=["dashboard"])

    # Then the rollup's recount, the full county dashboard, the API and every statistic have a
    # figure and a floor, and every dashboard figure and chart bar, as the screen shows them
    # (from the fresh rollup), equals a direct SQL count of its definition
    data = json.loads(out.read_text(encoding="utf-8"))
    figures = {f["name"]: f for f in data["figures"]}
    expected = {"county dashboard full (page+figures+queues+charts)", "county dashboard figures",
                "api county dashboard", "dashboard rollup recount (whole city)",
                *(f"api statistics {name}" for name in STATISTICS)}
    assert expected <= set(figures)
    for name in expected:
        assert figures[name]["floor"] > 0 and figures[name]["queries"] > 0
    assert data["meta"]["dashboard_rollup"] is True
    assert data["meta"]["dashboard_mismatches"] == {}
    assert data["meta"]["dashboard_figures"]["resolved"] >= data["meta"]["dashboard_figures"]["resolved_on_time"]
