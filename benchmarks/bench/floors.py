"""The floors: for each figure, the same work done by the best hand-written SQL we know, on the
same data in the same run. Each function returns the floor as a callable of the run number
(figures.py times it beside the real code); sweep_floor runs once (sweep.py)."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from benchmarks.bench.harness import rolled_back, sql
from disputes.parties import protected_fields
from governance import clock
from governance.models import Region, User


def list_floor(level: str, region_id: int, state: str, *, offset: int) -> Callable[[int], object]:
    # The columns a list row shows, the same WHERE/ORDER/LIMIT/OFFSET, and the page count.
    # Uses index: case_<level>_state_due
    select = (
        "SELECT c.id, c.number, c.title, c.state, c.channel, c.due_at, c.warning_level, c.created_at, "
        "c.urgent, cat.name, o.name, t.name, v.name FROM disputes_case c "
        "JOIN disputes_category cat ON cat.id = c.category_id "
        "JOIN governance_region o ON o.id = c.owning_region_id "
        "LEFT JOIN governance_region t ON t.id = c.township_id "
        "LEFT JOIN governance_region v ON v.id = c.village_id "
        f"WHERE c.{level}_id = %s AND c.state = %s ORDER BY c.due_at ASC, c.id DESC LIMIT 20 OFFSET %s"
    )
    count = f"SELECT COUNT(*) FROM disputes_case WHERE {level}_id = %s AND state = %s"

    def floor(_i: int) -> None:
        sql(count, [region_id, state])
        sql(select, [region_id, state, offset])

    return floor


def detail_floor(ids: list[int], township_id: int) -> Callable[[int], object]:
    """The case row with its names, its parties, its timeline and its assignments."""
    select = (
        "SELECT c.*, cat.name, o.name, t.name, v.name, g.name FROM disputes_case c "
        "JOIN disputes_category cat ON cat.id = c.category_id "
        "JOIN governance_region o ON o.id = c.owning_region_id "
        "LEFT JOIN governance_region t ON t.id = c.township_id "
        "LEFT JOIN governance_region v ON v.id = c.village_id "
        "LEFT JOIN grids_grid g ON g.id = c.grid_id WHERE c.id = %s AND c.township_id = %s"
    )

    def floor(i: int) -> None:
        pk = ids[i % len(ids)]
        sql(select, [pk, township_id])
        # Uses index: disputes_caseparty_case_id, case_event_case_time
        sql("SELECT id, role, kind, name, id_number_masked, phone_masked, address FROM disputes_caseparty "
            "WHERE case_id = %s ORDER BY id", [pk])
        sql("SELECT e.id, e.created_at, e.action, e.from_state, e.to_state, e.note, u.display_name "
            "FROM disputes_caseevent e LEFT JOIN governance_user u ON u.id = e.actor_id "
            "WHERE e.case_id = %s ORDER BY e.created_at, e.id", [pk])
        sql("SELECT id, status, department_id, due_at FROM disputes_caseassignment WHERE case_id = %s "
            "ORDER BY id", [pk])

    return floor


def creation_floor(user: User, village: Region, category_id: int) -> Callable[[int], object]:
    """The number counter, the case row, two parties (one encrypted, hashed and masked) and the
    register event, rolled back like the real registration."""

    def floor(_i: int) -> None:
        now = clock.now()
        with rolled_back():
            day = clock.localdate()
            code = village.code[:9]
            sql("UPDATE disputes_casenumbercounter SET last = last + 1 WHERE township_code = %s AND day = %s",
                [code, day])
            case_id = sql(
                "INSERT INTO disputes_case (created_at, updated_at, number, title, narrative, channel, occurred_at, "
                "address, people_involved, urgent, long_standing, state, owning_level, version, step, "
                "step_started_at, due_at, due_provisional, warning_level, return_count, redo_count, city_id, "
                "county_id, township_id, village_id, owning_region_id, registered_by_id, category_id) VALUES "
                "(%s, %s, %s, %s, %s, 'visit', %s, '', 1, %s, %s, 'registered', 'township', 1, 'accept', %s, %s, "
                "%s, 'none', 0, 0, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                [now, now, f"F{time.perf_counter_ns()}"[:30], "张三与李四邻里纠纷", "双方因排水问题发生争执。",
                 now, False, False, now, now + dt.timedelta(days=3), False, village.city_id, village.county_id,
                 village.township_id, village.pk, village.township_id, user.pk, category_id],
            )[0][0]
            fields = protected_fields(id_number="610202199001011237", phone="13812345678")
            sql(
                "INSERT INTO disputes_caseparty (created_at, updated_at, role, kind, name, id_number_enc, "
                "id_number_hash, id_number_masked, phone_enc, phone_hash, phone_masked, address, case_id) VALUES "
                "(%s, %s, 'applicant', 'person', '张三', %s, %s, %s, %s, %s, %s, '', %s), "
                "(%s, %s, 'respondent', 'person', '李四', NULL, '', '', NULL, '', '', '', %s)",
                [now, now, fields["id_number_enc"], fields["id_number_hash"], fields["id_number_masked"],
                 fields["phone_enc"], fields["phone_hash"], fields["phone_masked"], case_id, now, now, case_id],
            )
            sql("INSERT INTO disputes_caseevent (created_at, action, from_state, to_state, note, data, "
                "actor_id, case_id) VALUES (%s, 'register', '', 'registered', '', %s, %s, %s)",
                [now, "{}", user.pk, case_id])

    return floor


def dashboard_floor(county: int, start: dt.datetime, open_states: list[str], day_sql: str) -> Callable[[int], object]:
    """Counts by township, state and card; new cases per day for 30 days; the warned open cases."""

    def floor(_i: int) -> None:
        # Uses index: case_county_state_due (index-only GROUP BY), case_county_created
        sql("SELECT township_id, state, warning_level, COUNT(*) FROM disputes_case WHERE county_id = %s "
            "GROUP BY township_id, state, warning_level", [county])
        sql(f"SELECT {day_sql}, COUNT(*) FROM disputes_case WHERE county_id = %s AND created_at >= %s "
            "GROUP BY 1", [county, start])
        sql("SELECT c.id, c.number, c.title, c.due_at, c.warning_level, t.name FROM disputes_case c "
            "LEFT JOIN governance_region t ON t.id = c.township_id WHERE c.county_id = %s "
            f"AND c.state IN ({', '.join(['%s'] * len(open_states))}) AND c.warning_level <> 'none' "
            "ORDER BY c.warning_level, c.due_at, c.id LIMIT 50", [county, *open_states])

    return floor


def sweep_floor(now: dt.datetime, timed: list[str]) -> None:
    """One set-based UPDATE to red and one INSERT … SELECT of their timeline events."""
    marks = ", ".join(["%s"] * len(timed))
    # Uses index: case_timed_due
    sql(
        "CREATE TEMPORARY TABLE bench_red AS SELECT id, state FROM disputes_case "
        f"WHERE due_at < %s AND state IN ({marks}) AND warning_level <> 'red'", [now, *timed])
    sql("UPDATE disputes_case SET warning_level = 'red', red_at = %s, version = version + 1, updated_at = %s "
        "WHERE id IN (SELECT id FROM bench_red)", [now, now])
    sql("INSERT INTO disputes_caseevent (created_at, action, from_state, to_state, note, data, case_id) "
        "SELECT %s, 'red', state, state, '', %s, id FROM bench_red", [now, "{}"])
    sql("DROP TABLE bench_red")


def assessment_floor(city_id: int, start: dt.datetime, end: dt.datetime) -> Callable[[int], object]:
    """The case indicators of every township of a city for one period in hand-written SQL,
    read the same way (one pass over the city's cases that a condition can count, one over the
    period's events, one over its mediations and 督办): assessment's computation also reads
    grids and party groups and writes the scores; this is the part that grows with cases."""
    own = "c.owning_level IN ('township', 'village')"

    def between(col: str) -> str:
        return f"(c.{col} >= %(start)s AND c.{col} < %(end)s)"

    def count(condition: str) -> str:
        return f"SUM(CASE WHEN {own} AND {condition} THEN 1 ELSE 0 END)"

    resolved_den = (f"({between('resolved_at')} OR (c.resolved_at >= %(end)s AND {between('resolve_due_at')}) OR "
                    f"(c.resolved_at IS NULL AND c.state = 'in_progress' AND c.step IN ('handle', 'mediate') AND "
                    f"{between('due_at')}))")
    accept_den = (f"({between('accept_decided_at')} OR {between('accept_due_at')} OR "
                  f"(c.state = 'registered' AND {between('due_at')}))")
    on_time = between("resolved_at") + " AND (c.resolve_due_at IS NULL OR c.resolved_at <= c.resolve_due_at)"
    accepted_on_time = (accept_den + " AND c.accept_decided_at IS NOT NULL AND (c.accept_due_at IS NULL OR "
                        "c.accept_decided_at <= c.accept_due_at)")
    resolved_by_end = between("accepted_at") + " AND c.resolved_at < %(end)s"
    figures = [on_time, resolved_den, between("accepted_at"), resolved_by_end, accept_den, accepted_on_time,
               between("created_at")]
    cases = (
        f"SELECT c.township_id, {', '.join(count(f) for f in figures)} FROM disputes_case c "
        "WHERE c.city_id = %(city)s AND c.township_id IS NOT NULL AND c.created_at < %(end)s AND ("
        "c.created_at >= %(start)s OR c.accepted_at >= %(start)s OR c.accept_decided_at >= %(start)s OR "
        "c.accept_due_at >= %(start)s OR c.resolved_at >= %(start)s OR c.resolve_due_at >= %(start)s OR "
        "c.state IN ('registered', 'in_progress')) GROUP BY c.township_id"
    )
    actions = ("callback", "return", "dispatch", "red")
    per_action = ", ".join(f"COUNT(DISTINCT CASE WHEN e.action = '{a}' THEN e.case_id END)" for a in actions)
    events = (
        f"SELECT c.township_id, {per_action} "
        "FROM disputes_caseevent e JOIN disputes_case c ON c.id = e.case_id "
        "WHERE e.action IN ('callback', 'return', 'dispatch', 'red') AND e.created_at >= %(start)s "
        f"AND e.created_at < %(end)s AND c.city_id = %(city)s AND {own} GROUP BY c.township_id"
    )
    mediations = (
        "SELECT c.township_id, COUNT(DISTINCT m.case_id) FROM disputes_mediation m "
        "JOIN disputes_case c ON c.id = m.case_id WHERE m.held_at >= %(start)s AND m.held_at < %(end)s "
        f"AND c.city_id = %(city)s AND {own} GROUP BY c.township_id"
    )
    supervisions = (
        "SELECT c.township_id, COUNT(DISTINCT s.case_id) FROM disputes_supervision s "
        "JOIN disputes_case c ON c.id = s.case_id WHERE s.kind = 'supervise' AND s.withdrawn_at IS NULL "
        f"AND s.created_at >= %(start)s AND s.created_at < %(end)s AND c.city_id = %(city)s AND {own} "
        "GROUP BY c.township_id"
    )
    params = {"start": start, "end": end, "city": city_id}

    def floor(_i: int) -> None:
        for query in (cases, events, mediations, supervisions):
            sql(query, params)

    return floor
