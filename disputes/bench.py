"""The hot paths measured beside their raw-SQL floors (`manage.py bench`).

Each figure runs the real code (a page or API request through django.test.Client, a
service call, the sweep) after a warm-up, `repeat` times, and reports p50/p95 in ms, the
number of SQL queries of one run, and the **floor**: the same work done by the best
hand-written SQL we know, on the same data in the same run (p50 of as many runs). ratio =
p50 / floor p50 says how much the framework, the templates and our own code add on top of
what the database must do anyway. See docs/performance.md.

Every write is rolled back (an outer atomic block marked for rollback), so the command is
repeatable and leaves the data as it found it. A figure whose page, endpoint or function
does not exist yet is skipped with a line saying so.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from disputes.models import TIMED_STATES, Case, CaseEvent, CaseState, Category, Escalation
from disputes.scale import USERNAME_PREFIX, _id_number, _phone, tables_analyze
from governance.models import Notification, Region, RegionLevel, Role, User

SWEEP_CASES = 100_000
DEEP_PAGE = 50
LIST_FILTER = {"state": "in_progress", "ordering": "due_at"}


@dataclass
class Figure:
    name: str
    unit: str
    p50: float
    p95: float
    n: int
    floor: float | None = None
    ratio: float | None = None
    queries: int | None = None


@dataclass
class BenchReport:
    meta: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"meta": self.meta, "figures": [asdict(f) for f in self.figures]}


class Rollback(Exception):
    """Raised inside an atomic block to undo a measurement's writes."""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _timed(fn: Callable[[int], object], runs: int) -> list[float]:
    out = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


def _git_sha() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=settings.BASE_DIR).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _machine() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        db_version = cursor.fetchone()[0]
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "db_version": db_version.split(" on ")[0], "load_avg_1m": round(os.getloadavg()[0], 2)}


def _rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Actors:
    county_dispatcher: User
    township_clerk: User
    county: Region
    township: Region


def bench_actors() -> Actors:
    """A county dispatcher and a township clerk of the synthetic city (else any such users)."""
    def pick(role: str, level: str) -> User:
        qs = User.objects.filter(role=role, region__level=level, is_active=True).select_related("region")
        synthetic = qs.filter(username__startswith=USERNAME_PREFIX).order_by("username").first()
        user = synthetic or qs.order_by("pk").first()
        if user is None:
            raise RuntimeError(f"no active {role} user at {level} level: run seed_scale first")
        return user

    dispatcher = pick(Role.DISPATCHER, RegionLevel.COUNTY)
    # The clerk of the busiest township in the dispatcher's county, so both see the same cases.
    busiest = (Case.objects.filter(county_id=dispatcher.region_id).values("township_id")
               .annotate(n=Count("id")).order_by("-n").values_list("township_id", flat=True).first())
    clerk = (User.objects.filter(role=Role.WINDOW_STAFF, region_id=busiest, is_active=True)
             .select_related("region").order_by("username").first()) if busiest else None
    clerk = clerk or pick(Role.WINDOW_STAFF, RegionLevel.TOWNSHIP)
    return Actors(dispatcher, clerk, dispatcher.region, clerk.region)


class Bench:
    def __init__(self, *, repeat: int, warmup: int, log: Callable[[str], None]) -> None:
        self.repeat, self.warmup, self.log = repeat, warmup, log
        self.report = BenchReport(meta={
            "cases": Case.objects.count(), "db": connection.vendor, "git": _git_sha(), "machine": _machine(),
        })

    # --- helpers -----------------------------------------------------------------------------------

    def skip(self, name: str, why: str = "not built yet") -> None:
        self.report.skipped.append(f"{name} ({why})")
        self.log(f"skipped: {name} ({why})")

    def figure(self, name: str, run: Callable[[int], object], floor: Callable[[int], object] | None = None,
               *, count_queries: bool = True, repeat: int | None = None) -> Figure:
        repeat = repeat or self.repeat
        for i in range(self.warmup):
            run(i)
            if floor:
                floor(i)
        queries = None
        if count_queries:
            with CaptureQueriesContext(connection) as ctx:
                run(0)
            queries = len(ctx.captured_queries)
        times = _timed(run, repeat)
        floor_times = _timed(floor, repeat) if floor else None
        p50 = statistics.median(times)
        fig = Figure(name=name, unit="ms", p50=round(p50, 2), p95=round(_percentile(times, 0.95), 2), n=repeat,
                     queries=queries)
        if floor_times:
            fig.floor = round(statistics.median(floor_times), 2)
            fig.ratio = round(p50 / fig.floor, 1) if fig.floor else None
        self.report.figures.append(fig)
        self.log(f"  {name}: p50 {fig.p50} ms, p95 {fig.p95} ms, floor {fig.floor}, queries {queries}")
        return fig

    def add(self, fig: Figure) -> None:
        self.report.figures.append(fig)
        self.log(f"  {fig.name}: {fig.p50} {fig.unit}")

    @staticmethod
    def sql(query: str, params: list | tuple = ()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    # --- lists ---------------------------------------------------------------------------------------

    def lists(self, actors: Actors) -> None:
        page_url = _url("disputes:list")
        api_url = _url("disputes_api:case-list") or _url("api-case-list")
        for who, user, level in (("county dispatcher", actors.county_dispatcher, "county"),
                                 ("township clerk", actors.township_clerk, "township")):
            region_id = user.region_id
            count = self.sql(f"SELECT COUNT(*) FROM disputes_case WHERE {level}_id = %s AND state = %s",
                             [region_id, LIST_FILTER["state"]])[0][0]
            last_page = max(1, math.ceil(count / 20))
            pages = sorted({1, min(DEEP_PAGE, last_page)})
            client = Client()
            client.force_login(user)
            for page in pages:
                floor = self._list_floor(level, region_id, offset=(page - 1) * 20)
                for surface, url in (("page", page_url), ("api", api_url)):
                    name = f"{surface} list {who} p{page}"
                    if url is None:
                        self.skip(name)
                        continue
                    params = {**LIST_FILTER, "page": page}
                    if not self._ok(client, url, params, name):
                        continue
                    self.figure(name, lambda _i, c=client, u=url, p=params: c.get(u, p), floor)
            client.logout()

    def _list_floor(self, level: str, region_id: int, *, offset: int) -> Callable[[int], object]:
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
            self.sql(count, [region_id, LIST_FILTER["state"]])
            self.sql(select, [region_id, LIST_FILTER["state"], offset])

        return floor

    def _ok(self, client: Client, url: str, params: dict | None, name: str) -> bool:
        response = client.get(url, params or {})
        if response.status_code != 200:
            self.skip(name, f"HTTP {response.status_code}")
            return False
        return True

    # --- detail --------------------------------------------------------------------------------------

    def detail(self, actors: Actors) -> None:
        ids = list(Case.objects.filter(township_id=actors.township.pk, state=CaseState.IN_PROGRESS)
                   .order_by("-id").values_list("pk", flat=True)[:20])
        if not ids:
            self.skip("case detail", "no in-progress case in the township")
            return
        client = Client()
        client.force_login(actors.township_clerk)
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
            self.sql(select, [pk, actors.township.pk])
            # Uses index: disputes_caseparty_case_id, case_event_case_time
            self.sql("SELECT id, role, kind, name, id_number_masked, phone_masked, address FROM disputes_caseparty "
                     "WHERE case_id = %s ORDER BY id", [pk])
            self.sql("SELECT e.id, e.created_at, e.action, e.from_state, e.to_state, e.note, u.display_name "
                     "FROM disputes_caseevent e LEFT JOIN governance_user u ON u.id = e.actor_id "
                     "WHERE e.case_id = %s ORDER BY e.created_at, e.id", [pk])
            self.sql("SELECT id, status, department_id, due_at FROM disputes_caseassignment WHERE case_id = %s "
                     "ORDER BY id", [pk])

        for surface, name_ in (("page", "disputes:detail"), ("api", "disputes_api:case-detail")):
            name = f"{surface} case detail"
            kwarg = "case_id" if surface == "page" else "id"
            urls = [_url(name_, **{kwarg: pk}) for pk in ids]
            if urls[0] is None:
                self.skip(name)
                continue
            if not self._ok(client, urls[0], None, name):
                continue
            self.figure(name, lambda i, u=urls, c=client: c.get(u[i % len(u)]), floor)
        client.logout()

    # --- creation ------------------------------------------------------------------------------------

    def creation(self, actors: Actors) -> None:
        village = Region.objects.filter(township_id=actors.township.pk, level=RegionLevel.VILLAGE).order_by("code").first()
        category = Category.objects.filter(is_active=True, parent__isnull=False).order_by("code").first()
        if village is None or category is None:
            self.skip("case creation", "no village or category")
            return
        rng = random.Random(7)
        identity = {"id_number": _id_number(rng), "phone": _phone(rng)}
        now = timezone.now()
        user = actors.township_clerk
        payload = {
            "title": "张三与李四邻里纠纷", "narrative": "双方因排水问题发生争执。", "category_id": category.pk,
            "channel": "visit", "occurred_at": (now - dt.timedelta(hours=3)).isoformat(), "village_id": village.pk,
            "parties": [{"role": "applicant", "kind": "person", "name": "张三", **identity},
                        {"role": "respondent", "kind": "person", "name": "李四"}],
        }
        floor = self._creation_floor(user, village, category.pk)
        try:
            from disputes import services
        except ImportError:
            services = None
        if services is None or not hasattr(services, "case_register"):
            self.skip("service case_register")
        else:
            def register(_i: int) -> None:
                with _rolled_back():
                    services.case_register(
                        actor=user,
                        data=services.CaseInput(
                            title=payload["title"], narrative=payload["narrative"], category_id=category.pk,
                            channel="visit", occurred_at=now - dt.timedelta(hours=3), village_id=village.pk),
                        parties=[services.PartyInput(**p) for p in payload["parties"]],
                    )
            self.figure("service case_register", register, floor)
        url = _url("disputes_api:case-list")
        if url is None:
            self.skip("api case create")
            return
        client = Client()
        client.force_login(user)

        def post(_i: int) -> None:
            with _rolled_back():
                response = client.post(url, payload, content_type="application/json")
                if response.status_code != 201:
                    raise RuntimeError(f"POST {url} → {response.status_code}: {response.content[:300]!r}")

        try:
            post(0)
        except RuntimeError as exc:
            self.skip("api case create", str(exc))
        else:
            self.figure("api case create", post, floor)
        client.logout()

    def _creation_floor(self, user: User, village: Region, category_id: int) -> Callable[[int], object]:
        from disputes import parties as party_data

        def floor(_i: int) -> None:
            now = timezone.now()
            with _rolled_back():
                day = timezone.localdate()
                code = village.code[:9]
                self.sql("UPDATE disputes_casenumbercounter SET last = last + 1 WHERE township_code = %s AND day = %s",
                         [code, day])
                case_id = self.sql(
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
                fields = party_data.protected_fields(id_number="610202199001011237", phone="13812345678")
                self.sql(
                    "INSERT INTO disputes_caseparty (created_at, updated_at, role, kind, name, id_number_enc, "
                    "id_number_hash, id_number_masked, phone_enc, phone_hash, phone_masked, address, case_id) VALUES "
                    "(%s, %s, 'applicant', 'person', '张三', %s, %s, %s, %s, %s, %s, '', %s), "
                    "(%s, %s, 'respondent', 'person', '李四', NULL, '', '', NULL, '', '', '', %s)",
                    [now, now, fields["id_number_enc"], fields["id_number_hash"], fields["id_number_masked"],
                     fields["phone_enc"], fields["phone_hash"], fields["phone_masked"], case_id, now, now, case_id],
                )
                self.sql("INSERT INTO disputes_caseevent (created_at, action, from_state, to_state, note, data, "
                         "actor_id, case_id) VALUES (%s, 'register', '', 'registered', '', %s, %s, %s)",
                         [now, "{}", user.pk, case_id])

        return floor

    # --- dashboard -----------------------------------------------------------------------------------

    def dashboard(self, actors: Actors) -> None:
        client = Client()
        client.force_login(actors.county_dispatcher)
        county = actors.county.pk
        today = timezone.localdate()
        start = dt.datetime.combine(today - dt.timedelta(days=29), dt.time.min,
                                    tzinfo=timezone.get_current_timezone())
        open_states = [s.value for s in CaseState if s not in (CaseState.CLOSED, CaseState.REJECTED)]
        day_sql = ("(created_at AT TIME ZONE 'Asia/Shanghai')::date" if connection.vendor == "postgresql"
                   else "date(created_at, '+8 hours')")

        def floor(_i: int) -> None:
            # Uses index: case_county_state_due (index-only GROUP BY), case_county_created
            self.sql("SELECT township_id, state, warning_level, COUNT(*) FROM disputes_case WHERE county_id = %s "
                     "GROUP BY township_id, state, warning_level", [county])
            self.sql(f"SELECT {day_sql}, COUNT(*) FROM disputes_case WHERE county_id = %s AND created_at >= %s "
                     "GROUP BY 1", [county, start])
            self.sql("SELECT c.id, c.number, c.title, c.due_at, c.warning_level, t.name FROM disputes_case c "
                     "LEFT JOIN governance_region t ON t.id = c.township_id WHERE c.county_id = %s "
                     f"AND c.state IN ({', '.join(['%s'] * len(open_states))}) AND c.warning_level <> 'none' "
                     "ORDER BY c.warning_level, c.due_at, c.id LIMIT 50", [county, *open_states])

        for name, url_name in (("page county dashboard", "disputes:dashboard"),
                               ("api county dashboard data", "disputes:dashboard_data")):
            url = _url(url_name)
            if url is None:
                self.skip(name)
                continue
            if not self._ok(client, url, None, name):
                continue
            self.figure(name, lambda _i, c=client, u=url: c.get(u), floor)
        client.logout()

    # --- the overdue sweep ---------------------------------------------------------------------------

    def sweep(self) -> None:
        # bench_run turns DEBUG off for every section: with DEBUG on, Django would format and
        # keep the SQL of every query (bulk INSERTs of tens of thousands of rows), which
        # costs time and hundreds of MB that are the debug log's, not the sweep's.
        connection.queries_log.clear()
        self._sweep()

    def _sweep(self) -> None:
        try:
            from disputes import sweep as escalation
        except ImportError:
            escalation = None
        sweep_all = getattr(escalation, "deadline_sweep_all", None) if escalation else None
        if sweep_all is None:
            self.skip("overdue sweep")
            return
        now = timezone.now()
        timed = [str(s) for s in TIMED_STATES]
        marks = ", ".join(["%s"] * len(timed))
        # Open cases on time (no card), newest deadlines last: the ones made overdue below.
        # Uses index: case_timed_due
        ids = [r[0] for r in self.sql(
            f"SELECT id FROM disputes_case WHERE state IN ({marks}) AND warning_level = 'none' AND due_at > %s "
            f"ORDER BY due_at LIMIT {SWEEP_CASES}", [*timed, now])]
        if not ids:
            self.skip("overdue sweep", "no open case on time")
            return
        n = len(ids)
        label = f"overdue sweep {n:,} newly overdue"
        overdue_at = now - dt.timedelta(minutes=1)

        def make_overdue() -> None:
            for start in range(0, n, 10_000):
                chunk = ids[start:start + 10_000]
                self.sql(f"UPDATE disputes_case SET due_at = %s WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                         [overdue_at, *chunk])

        # The catch-up before: cases already past due in the seed data but not yet carded by a
        # sweep are not "newly overdue"; sweep them first, inside the same rolled-back block.
        # Nothing due on the committed data: a sweep as of a moment before anything in it
        # falls due (no catch-up first, so no dead index entries of this transaction).
        # Uses index: case_sweep_yellow, case_sweep_red, case_sweep_escalate
        earliest = self.sql(
            f"SELECT LEAST((SELECT MIN(yellow_at) FROM disputes_case WHERE state IN ({marks}) AND warning_level = "
            f"'none'), (SELECT MIN(due_at) FROM disputes_case WHERE state IN ({marks}) AND warning_level IN "
            f"('none', 'yellow')), (SELECT MIN(escalate_at) FROM disputes_case WHERE state IN ({marks}) AND "
            "warning_level = 'red'))", [*timed, *timed, *timed])[0][0] if connection.vendor == "postgresql" and (
            "yellow_at" in {f.name for f in Case._meta.fields}) else None  # LEAST: PostgreSQL only
        quiet_wall = None
        if earliest is not None:
            with _rolled_back():
                sweep_all(now=earliest - dt.timedelta(seconds=1))  # warm-up
                started = time.perf_counter()
                quiet = sweep_all(now=earliest - dt.timedelta(seconds=1))
                quiet_wall = (time.perf_counter() - started) * 1000
            assert quiet.red + quiet.yellow + quiet.escalated == 0
        rss_before = _rss_mb()
        with _rolled_back():
            sweep_all(now=now)
            make_overdue()
            started = time.perf_counter()
            result = sweep_all(now=now)
            wall = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            empty = sweep_all(now=now)
            empty_wall = (time.perf_counter() - started) * 1000
        rss_after = _rss_mb()
        changed = result.red + result.yellow + result.escalated
        with _rolled_back():
            make_overdue()
            started = time.perf_counter()
            self._sweep_floor(now, timed)
            floor = (time.perf_counter() - started) * 1000
        self.report.figures.append(Figure(name=label, unit="ms", p50=round(wall, 1), p95=round(wall, 1), n=1,
                                          floor=round(floor, 1), ratio=round(wall / floor, 1) if floor else None))
        self.report.figures.append(Figure(name=f"{label}: throughput", unit="cases/s",
                                          p50=round(n / (wall / 1000)), p95=round(n / (wall / 1000)), n=1))
        self.report.figures.append(Figure(name=f"{label}: peak RSS", unit="MB", p50=round(rss_after, 1),
                                          p95=round(rss_after, 1), n=1))
        self.report.figures.append(Figure(name="overdue sweep, nothing due", unit="ms", p50=round(empty_wall, 1),
                                          p95=round(empty_wall, 1), n=1))
        if quiet_wall is not None:
            self.report.figures.append(Figure(name="overdue sweep, nothing due (committed data)", unit="ms",
                                              p50=round(quiet_wall, 1), p95=round(quiet_wall, 1), n=1))
        self.log(f"  {label}: {wall:.0f} ms ({changed} changes: red {result.red}, yellow {result.yellow}, "
                 f"escalated {result.escalated}); floor {floor:.0f} ms; peak RSS {rss_before:.0f} → {rss_after:.0f} MB; "
                 f"empty sweep {empty_wall:.0f} ms ({empty.red + empty.yellow + empty.escalated} changes) right after "
                 f"it in the same transaction; nothing due on the committed data: {quiet_wall} ms")

    def _sweep_floor(self, now: dt.datetime, timed: list[str]) -> None:
        """One set-based UPDATE to red and one INSERT … SELECT of their timeline events."""
        marks = ", ".join(["%s"] * len(timed))
        # Uses index: case_timed_due
        self.sql(
            "CREATE TEMPORARY TABLE bench_red AS SELECT id, state FROM disputes_case "
            f"WHERE due_at < %s AND state IN ({marks}) AND warning_level <> 'red'", [now, *timed])
        self.sql("UPDATE disputes_case SET warning_level = 'red', red_at = %s, version = version + 1, updated_at = %s "
                 "WHERE id IN (SELECT id FROM bench_red)", [now, now])
        self.sql("INSERT INTO disputes_caseevent (created_at, action, from_state, to_state, note, data, case_id) "
                 "SELECT %s, 'red', state, state, '', %s, id FROM bench_red", [now, "{}"])
        self.sql("DROP TABLE bench_red")

    def assessment(self) -> None:
        # disputes must not import assessment (dependency direction); the assessment app will
        # register its own figure when its computation exists.
        self.skip("assessment quarter for all townships", "assessment computation not built yet")


class _rolled_back:
    """An atomic block that always rolls back (savepoint when nested)."""

    def __enter__(self) -> None:
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def __exit__(self, exc_type, exc, tb) -> bool:
        transaction.set_rollback(True)
        self.atomic.__exit__(exc_type, exc, tb)
        return False


def _url(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


# Section → the words `--only` matches (a substring of any of them selects the section).
SECTIONS = {
    "lists": "lists list page api",
    "detail": "detail page api",
    "creation": "creation create case_register api",
    "dashboard": "dashboard page api",
    "sweep": "sweep overdue",
    "assessment": "assessment",
}


def bench_run(*, repeat: int = 30, warmup: int = 3, log: Callable[[str], None] = print,
              sweep: bool = True, only: Sequence[str] = ()) -> BenchReport:
    """Run every section, or with `only` those whose name or keywords contain one of its substrings."""
    def wanted(section: str) -> bool:
        return not only or any(o.lower() in word for o in only for word in (section, *SECTIONS[section].split()))

    # As production runs: DEBUG off (no SQL log, no debug cursor wrappers). The test
    # client's host must be allowed; django-axes logs every force_login at INFO, which
    # would bury the table.
    axes_log = logging.getLogger("axes")
    axes_level = axes_log.level
    axes_log.setLevel(logging.WARNING)
    try:
        with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            return _bench_run(repeat=repeat, warmup=warmup, log=log, sweep=sweep, wanted=wanted)
    finally:
        axes_log.setLevel(axes_level)


def _bench_run(*, repeat: int, warmup: int, log: Callable[[str], None], sweep: bool,
               wanted: Callable[[str], bool]) -> BenchReport:
    bench = Bench(repeat=repeat, warmup=warmup, log=log)
    bench.report.meta["debug"] = settings.DEBUG
    # Rolled-back writes (this command's own sweep, a load test's, a developer's) leave dead
    # row versions that every index scan then visits until VACUUM removes them. Production
    # runs autovacuum; a benchmark server may not (this project's does not), so the tables
    # the figures read are vacuumed first and after the sweep: the figures are the steady
    # state, not the state after the last rolled-back experiment.
    _vacuum(log)
    actors = bench_actors()
    log(f"{bench.report.meta['cases']:,} cases on {connection.vendor}; county dispatcher {actors.county_dispatcher} "
        f"({actors.county}), township clerk {actors.township_clerk} ({actors.township})")
    for section in ("lists", "detail", "creation", "dashboard"):
        if wanted(section):
            getattr(bench, section)(actors)
    if wanted("sweep"):
        if sweep:
            bench.sweep()
            _vacuum(log)
        else:
            bench.skip("overdue sweep", "--no-sweep")
    if wanted("assessment"):
        bench.assessment()
    return bench.report


def _vacuum(log: Callable[[str], None]) -> None:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    started = time.perf_counter()
    tables_analyze([Case, CaseEvent, Escalation, Notification])
    log(f"VACUUM ANALYZE of the case tables: {time.perf_counter() - started:.1f} s")


def report_table(report: BenchReport) -> str:
    head = f"{'figure':<52} {'unit':>7} {'p50':>10} {'p95':>10} {'n':>4} {'floor':>9} {'ratio':>6} {'queries':>7}"
    lines = [head, "-" * len(head)]

    def fmt(v: float | int | None) -> str:
        return "" if v is None else f"{v:,}" if isinstance(v, int) else f"{v:,.1f}"

    for f in report.figures:
        lines.append(f"{f.name:<52} {f.unit:>7} {fmt(f.p50):>10} {fmt(f.p95):>10} {f.n:>4} {fmt(f.floor):>9} "
                     f"{fmt(f.ratio):>6} {fmt(f.queries):>7}")
    lines += [f"skipped: {s}" for s in report.skipped]
    return "\n".join(lines)


def report_write(report: BenchReport, path: str | Path) -> None:
    import json

    Path(path).write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

