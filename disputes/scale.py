"""Synthetic city-scale data for benchmarks (`manage.py seed_scale`).

Builds a prefecture-level city under a synthetic division-code prefix (default 9901, which
no real city uses, so it never collides with an imported real tree such as 铜川 6102):
counties → townships → villages → grids, member departments, users for every role, and
then N cases with parties, dispatches (assignments), escalations and timeline events, with
the mixes of real data (DOMAIN.md): categories (family/neighbour ≈ 1/3, damages ≈ 22%,
contracts ≈ 15%), channels, states by age, ~8% red (overdue) and ~5% yellow cases, some
escalated to the county.

Speed: rows are generated as plain tuples in column order and written in chunks of whole
cases (a case with its parties, assignments, escalations and events commit together), by
PostgreSQL `COPY … FROM STDIN` (text format) or, on SQLite, by `executemany` INSERTs. Ids
are allocated in ranges above the current maximum and the sequences are moved past them at
the end, so the command must not run while the application writes to the same database.

Deterministic: everything is drawn from one `random.Random(seed)`; times are anchored at the
start of the anchor day (default: today in Asia/Shanghai), so the same seed on the same day
(or with the same `anchor`) gives the same cities, case numbers and mixes.

Party personal data: encrypting one value costs tens of microseconds in Python, which is
minutes at 2,000,000 parties. A pool of `PARTY_POOL_SIZE` identities is encrypted, hashed
and masked once through disputes/parties.py and reused round-robin, which also makes
"the same person again and again" (repeat parties) appear in the data as it does in reality.
"""
from __future__ import annotations

import bisect
import datetime as dt
import io
import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from disputes.deadlines import PolicyBook
from disputes.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseNumberCounter,
    CaseParty,
    Category,
    Escalation,
    EscalationPolicy,
    RiskGrade,
    TimeLimitPolicy,
)
from disputes.parties import encrypt, keyed_hash, mask_id_number, mask_phone
from governance.models import Department, DepartmentKind, Region, RegionLevel, Role, User
from grids.models import Grid, GridWorkerAssignment

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
PARTY_POOL_SIZE = 5000
# Named sizes for `seed_scale --size` / `bench --size`: CI runs "small", the documented run "city".
SIZES = {"small": 20_000, "city": 1_000_000}
BENCH_PASSWORD = "Bench-pass-123"
USERNAME_PREFIX = "s"  # usernames: s<city code>_<role>_<region code>[_n]

# --- Mixes (DOMAIN.md "Observed mixes"; numbers are data for synthetic cases only) -------------
CHANNEL_MIX = [("visit", 35), ("grid", 25), ("phone", 14), ("hotline", 12), ("online", 8),
               ("department", 3), ("superior", 3)]
# Weights of leaf categories by keyword in their name; unmatched leaves share the rest.
CATEGORY_KEYWORD_WEIGHTS = [("婚姻", 17), ("邻里", 16), ("损害", 22), ("合同", 15), ("劳动", 7),
                            ("宅基地", 5), ("山林", 3), ("物业", 4), ("消费", 2), ("交通", 3), ("医疗", 2),
                            ("噪声", 2)]
# State mixes by the case's age (days since registration) for cases that are not red/yellow.
STATE_MIX_BY_AGE = [
    (14, [("registered", 10), ("accepted", 10), ("dispatched", 14), ("in_progress", 34), ("resolved", 12),
          ("closed", 14), ("rejected", 6)]),
    (60, [("registered", 1), ("accepted", 3), ("dispatched", 5), ("in_progress", 20), ("resolved", 10),
          ("closed", 55), ("rejected", 6)]),
    (10_000, [("accepted", 1), ("dispatched", 1), ("in_progress", 4), ("resolved", 2), ("closed", 86),
              ("rejected", 6)]),
]
RED_SHARE = 0.08
YELLOW_SHARE = 0.05
RED_STATE_MIX = [("registered", 5), ("accepted", 15), ("dispatched", 20), ("in_progress", 60)]
RED_ESCALATED_SHARE = 0.4  # red township cases already moved up to the county
COUNTY_OWNED_SHARE = 0.08  # cases owned by the county center from the start (上级交办, large groups)
TIMED = ("registered", "accepted", "dispatched", "in_progress")
STEP_OF_STATE = {"registered": "accept", "accepted": "accept", "dispatched": "sign", "in_progress": "handle",
                 "resolved": "callback", "closed": "callback", "rejected": "accept"}
# Natural-day approximations of the default working-day limits (x 7/5); synthetic data only.
STEP_DAYS = {"accept": 3, "sign": 3, "handle": 21, "callback": 7}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华文辉玉兰海燕志强金凤红梅德明淑珍"
COMPANIES = ["建筑工程有限公司", "物业服务有限公司", "商贸有限公司", "农业专业合作社", "运输有限公司", "餐饮管理有限公司"]
ROADS = ["人民路", "建设路", "解放路", "新华街", "和平巷", "光明路", "朝阳街", "团结路"]
NARRATIVES = [
    "双方因{topic}问题发生争执，经多次协商未果，申请人请求综治中心协调处理。",
    "{topic}引发矛盾，当事人情绪较大，网格员现场劝解后上报。",
    "当事人反映{topic}问题长期未解决，要求有关部门依法处理。",
    "因{topic}产生纠纷，涉及多户群众，存在矛盾激化风险。",
]

DEFAULT_CATEGORIES = {
    "婚姻家庭邻里等民间纠纷": ["婚姻家庭", "邻里纠纷", "房屋和宅基地", "损害赔偿"],
    "经济活动": ["合同履行", "消费", "交通事故"],
    "劳资": ["劳动报酬"],
    "土地矿产山林水利界线权属": ["山林土地"],
    "建筑工程质量、物业管理": ["物业服务"],
    "医患": ["医疗纠纷"],
    "环境污染、生态破坏": ["环境噪声"],
    "其他": ["其他纠纷"],
}
DEFAULT_RISK_GRADES = [("red", "红色", "red", 4), ("orange", "橙色", "orange", 3), ("yellow", "黄色", "yellow", 2),
                       ("blue", "蓝色", "blue", 1)]
RISK_MIX = [(None, 30), ("blue", 40), ("yellow", 20), ("orange", 8), ("red", 2)]
TOWNSHIP_DEPARTMENTS = [("司法所", DepartmentKind.JUSTICE), ("派出所", DepartmentKind.POLICE),
                        ("综治中心", DepartmentKind.CENTER)]
COUNTY_DEPARTMENTS = [("司法局", DepartmentKind.JUSTICE), ("公安局", DepartmentKind.POLICE),
                      ("信访局", DepartmentKind.PETITION), ("人社局", DepartmentKind.LABOUR),
                      ("住建局", DepartmentKind.HOUSING), ("自然资源局", DepartmentKind.LAND)]


@dataclass(frozen=True)
class ScaleSpec:
    cases: int
    counties: int = 10
    townships: int = 150
    villages_per_township: int = 20
    grids_per_village: int = 5
    seed: int = 1
    city_code: str = "9901"
    anchor: dt.date | None = None  # the "today" the year of cases ends at
    chunk: int | None = None  # cases per write transaction (default 50,000 PG / 5,000 SQLite)


@dataclass
class ScaleResult:
    cases: int = 0
    parties: int = 0
    events: int = 0
    assignments: int = 0
    escalations: int = 0
    city_created: bool = False
    seconds: float = 0.0


# --- Writing rows fast -------------------------------------------------------------------------


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_text(value) -> str:
    """One value in PostgreSQL COPY text format (tab-separated, \\N for NULL)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _pg_str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, dict | list):
        return _pg_json(value)
    return str(value)


def _pg_str(value: str | None) -> str:
    if value is None:
        return "\\N"
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _pg_datetime(value: dt.datetime | None) -> str:
    return "\\N" if value is None else value.isoformat()


def _pg_json(value) -> str:
    if value is None:
        return "\\N"
    return "{}" if value == {} else _pg_str(json.dumps(value, ensure_ascii=False))


def _pg_number(value) -> str:
    return "\\N" if value is None else str(value)


def _pg_bool(value) -> str:
    return "\\N" if value is None else "t" if value else "f"


_PG_CONVERTERS: dict[str, Callable[[object], str]] = {
    "CharField": _pg_str, "TextField": _pg_str, "DateTimeField": _pg_datetime, "JSONField": _pg_json,
    "BigAutoField": _pg_number, "AutoField": _pg_number, "ForeignKey": _pg_number, "IntegerField": _pg_number,
    "BigIntegerField": _pg_number, "PositiveIntegerField": _pg_number, "PositiveSmallIntegerField": _pg_number,
    "SmallIntegerField": _pg_number, "DecimalField": _pg_number, "BooleanField": _pg_bool,
}


def _pg_converter(f: models.Field) -> Callable[[object], str]:
    """The fastest correct text converter for one column (the generic one as fallback)."""
    return _PG_CONVERTERS.get(f.get_internal_type(), _pg_text)


class TableWriter:
    """Buffers rows (tuples in `columns` order) for one model and writes them in bulk."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.columns = list(columns)
        by_column = {f.column: f for f in model._meta.concrete_fields}
        self.fields = [by_column[c] for c in self.columns]
        missing = [f.column for f in model._meta.concrete_fields if f.column not in self.columns and not f.null]
        if missing:
            raise ValueError(f"{self.table}: generator does not fill NOT NULL columns {missing}")
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        if not self.rows:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if _is_postgres():
                convs = [_pg_converter(f) for f in self.fields]
                buf = io.StringIO()
                buf.writelines("\t".join([c(v) for c, v in zip(convs, row, strict=True)]) + "\n" for row in self.rows)
                buf.seek(0)
                cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(self.table)} ({cols}) FROM STDIN", buf)
            else:
                # SQLite (small N): the fields' own adapters give the stored representation.
                fields = self.fields
                prepared = [
                    tuple(f.get_db_prep_value(v, connection, prepared=False) for f, v in zip(fields, row, strict=True))
                    for row in self.rows
                ]
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {connection.ops.quote_name(self.table)} ({cols}) VALUES ({marks})",
                                   prepared)
        self.written += len(self.rows)
        self.rows = []


class IdRange:
    """Ids above the table's current maximum, handed out in order (sequences fixed at the end)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.next = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def sequences_reset(models_: Iterable[type[models.Model]]) -> None:
    """Move each table's id sequence past the explicitly inserted ids (PostgreSQL only)."""
    if not _is_postgres():
        return
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))",
                [table],
            )


@contextmanager
def bulk_load_prepared(models_: Sequence[type[models.Model]]) -> Iterator[None]:
    """Drop the foreign keys and non-unique indexes of the tables being loaded; restore after.

    PostgreSQL checks each foreign key with one query per inserted row, and maintaining ~40
    B-tree indexes row by row thrashes a small buffer cache. Re-adding a constraint checks
    the whole table with one anti-join and rebuilding an index is one sorted build, both far
    faster for millions of rows. The generated rows only reference ids that exist. Unique
    indexes stay (case number, one open assignment: invariants). SQLite: nothing to do.
    """
    if not _is_postgres():
        yield
        return
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT ci.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class ci ON ci.oid = i.indexrelid "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY ci.relname",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem TO '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
            for table, name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")


def tables_analyze(models_: Iterable[type[models.Model]]) -> None:
    """Planner statistics; on PostgreSQL outside a transaction also VACUUM, which sets the
    visibility map (index-only scans) and hint bits once instead of during the first reads."""
    vacuum = _is_postgres() and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"{'VACUUM ' if vacuum else ''}ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _row(model: type[models.Model], values: dict) -> tuple:
    """A full row for `model` from `values` (keyed by column), defaults for the rest."""
    out = []
    for f in model._meta.concrete_fields:
        if f.column in values:
            out.append(values[f.column])
        elif f.has_default():
            out.append(f.get_default())
        elif f.null:
            out.append(None)
        else:
            out.append("")
    return tuple(out)


def _pick(rng: random.Random, cumulative: list[float], items: Sequence):
    return items[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def _cumulative(weights: Iterable[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


class Mix:
    """A weighted choice, drawn from the generator's one Random."""

    def __init__(self, pairs: Sequence[tuple[object, float]]) -> None:
        self.items = [p[0] for p in pairs]
        self.cum = _cumulative(p[1] for p in pairs)

    def draw(self, rng: random.Random):
        return _pick(rng, self.cum, self.items)


# --- The city ----------------------------------------------------------------------------------


@dataclass
class Township:
    region: Region
    county: Region
    clerk_id: int
    departments: list[int]  # township department ids cases are dispatched to
    handler_of: dict[int, int]  # department id → handler user id
    grids: list[tuple[int, int]] = field(default_factory=list)  # (grid id, village id)
    grid_worker_of: dict[int, int] = field(default_factory=dict)  # village id → grid worker id


@dataclass
class County:
    region: Region
    dispatcher_id: int
    clerk_id: int
    leader_id: int
    departments: list[int]
    handler_of: dict[int, int]


@dataclass
class City:
    region: Region
    townships: list[Township]
    counties: dict[int, County]
    dispatcher_id: int
    leader_id: int


def _username(city_code: str, role: str, code: str, n: int = 0) -> str:
    return f"{USERNAME_PREFIX}{city_code}_{role}_{code}" + (f"_{n}" if n else "")


def city_build(spec: ScaleSpec, rng: random.Random, now: dt.datetime, progress: Callable[[str], None]) -> None:
    """Create regions, grids, departments, users and grid tenures under spec.city_code."""
    regions = TableWriter(Region, _columns(Region))
    grids = TableWriter(Grid, _columns(Grid))
    departments = TableWriter(Department, _columns(Department))
    users = TableWriter(User, _columns(User))
    tenures = TableWriter(GridWorkerAssignment, _columns(GridWorkerAssignment))
    region_ids, grid_ids, dept_ids = IdRange(Region), IdRange(Grid), IdRange(Department)
    user_ids, tenure_ids = IdRange(User), IdRange(GridWorkerAssignment)
    password = make_password(BENCH_PASSWORD)
    stamp = {"created_at": now, "updated_at": now}

    def region_add(code: str, name: str, level: str, parent: dict | None) -> dict:
        rid = region_ids.take()
        path = {lvl: (parent or {}).get(lvl) for lvl in ("city", "county", "township", "village")}
        path[level] = rid
        regions.add(_row(Region, {"id": rid, "code": code, "name": name, "level": level,
                                  "parent_id": parent["id"] if parent else None,
                                  **{f"{k}_id": v for k, v in path.items()}, **stamp}))
        return {"id": rid, **path}

    def department_add(region: dict, name: str, kind: str) -> int:
        did = dept_ids.take()
        departments.add(_row(Department, {"id": did, "name": name, "kind": kind, "is_active": True,
                                          "region_id": region["id"], **{f"{k}_id": region[k] for k in (
                                              "city", "county", "township", "village")}, **stamp}))
        return did

    def user_add(role: str, region: dict, code: str, department_id: int | None = None, n: int = 0) -> int:
        uid = user_ids.take()
        username = _username(spec.city_code, role, code, n)
        users.add(_row(User, {"id": uid, "password": password, "is_superuser": False, "username": username,
                              "is_staff": False, "is_active": True, "date_joined": now, "role": role,
                              "display_name": _person_name(rng), "region_id": region["id"],
                              "department_id": department_id}))
        return uid

    city = region_add(spec.city_code, f"样例市{spec.city_code}", RegionLevel.CITY, None)
    user_add(Role.DISPATCHER, city, spec.city_code)
    user_add(Role.LEADER, city, spec.city_code)
    user_add(Role.ADMINISTRATOR, city, spec.city_code)
    n_counties = max(1, min(spec.counties, spec.townships))
    per_county = [spec.townships // n_counties + (1 if i < spec.townships % n_counties else 0) for i in range(n_counties)]
    for ci in range(n_counties):
        ccode = f"{spec.city_code}{ci + 1:02d}"
        county = region_add(ccode, f"样例{ci + 1}区", RegionLevel.COUNTY, city)
        for role in (Role.DISPATCHER, Role.WINDOW_STAFF, Role.LEADER):
            user_add(role, county, ccode)
        for name, kind in COUNTY_DEPARTMENTS:
            did = department_add(county, f"样例{ci + 1}区{name}", kind)
            user_add(Role.HANDLER, county, f"{ccode}_{kind}", did)
        for ti in range(per_county[ci]):
            tcode = f"{ccode}{ti + 1:03d}"
            kind_name = "街道" if ti % 3 == 0 else "镇"
            township = region_add(tcode, f"样例{ci + 1}区第{ti + 1}{kind_name}", RegionLevel.TOWNSHIP, county)
            user_add(Role.WINDOW_STAFF, township, tcode)
            user_add(Role.WINDOW_STAFF, township, tcode, n=2)
            user_add(Role.DISPATCHER, township, tcode)
            user_add(Role.LEADER, township, tcode)
            for name, kind in TOWNSHIP_DEPARTMENTS:
                did = department_add(township, name, kind)
                if kind != DepartmentKind.CENTER:
                    user_add(Role.HANDLER, township, f"{tcode}_{kind}", did)
            for vi in range(spec.villages_per_township):
                vcode = f"{tcode}{vi + 1:03d}"
                village = region_add(vcode, f"第{vi + 1}{'社区' if ti % 3 == 0 else '村'}", RegionLevel.VILLAGE, township)
                worker = user_add(Role.GRID_WORKER, village, vcode)
                for gi in range(spec.grids_per_village):
                    gid = grid_ids.take()
                    households = rng.randint(150, 450)
                    grids.add(_row(Grid, {"id": gid, "code": f"{vcode}{gi + 1:03d}", "name": f"第{gi + 1}网格",
                                          "region_id": village["id"], "households": households,
                                          "population": households * rng.randint(2, 4), "is_active": True,
                                          **{f"{k}_id": village[k] for k in ("city", "county", "township", "village")},
                                          **stamp}))
                    tenures.add(_row(GridWorkerAssignment, {"id": tenure_ids.take(), "grid_id": gid,
                                                            "worker_id": worker, "started_on": now.date(),
                                                            "ended_on": None, **stamp}))
        progress(f"county {ci + 1}/{n_counties}")
    for writer in (regions, departments, users, grids, tenures):
        writer.flush()
    sequences_reset([Region, Department, User, Grid, GridWorkerAssignment])


def city_load(city_code: str) -> City:
    """Read back the synthetic city's structure (the ids the case generator needs)."""
    city_region = Region.objects.get(code=city_code)
    regions = {r.pk: r for r in Region.objects.filter(city_id=city_region.pk, level__in=["county", "township"])}
    users = list(User.objects.filter(username__startswith=f"{USERNAME_PREFIX}{city_code}_")
                 .values_list("pk", "username", "role", "region_id", "department_id"))
    by_name = {u[1]: u for u in users}
    departments = list(Department.objects.filter(city_id=city_region.pk).values_list("pk", "region_id", "kind"))
    handler_of = {u[4]: u[0] for u in users if u[2] == Role.HANDLER and u[4]}
    grid_worker_of = {u[3]: u[0] for u in users if u[2] == Role.GRID_WORKER}
    counties: dict[int, County] = {}
    for region in sorted((r for r in regions.values() if r.level == RegionLevel.COUNTY), key=lambda r: r.code):
        depts = [d[0] for d in departments if d[1] == region.pk and d[0] in handler_of]
        counties[region.pk] = County(
            region=region,
            dispatcher_id=by_name[_username(city_code, Role.DISPATCHER, region.code)][0],
            clerk_id=by_name[_username(city_code, Role.WINDOW_STAFF, region.code)][0],
            leader_id=by_name[_username(city_code, Role.LEADER, region.code)][0],
            departments=depts, handler_of={d: handler_of[d] for d in depts},
        )
    townships: dict[int, Township] = {}
    for region in sorted((r for r in regions.values() if r.level == RegionLevel.TOWNSHIP), key=lambda r: r.code):
        depts = [d[0] for d in departments if d[1] == region.pk and d[0] in handler_of]
        townships[region.pk] = Township(
            region=region, county=regions[region.county_id],
            clerk_id=by_name[_username(city_code, Role.WINDOW_STAFF, region.code)][0],
            departments=depts, handler_of={d: handler_of[d] for d in depts},
        )
    for gid, vid, tid in Grid.objects.filter(city_id=city_region.pk).order_by("code").values_list(
            "pk", "village_id", "township_id"):
        town = townships[tid]
        town.grids.append((gid, vid))
        if vid in grid_worker_of:
            town.grid_worker_of[vid] = grid_worker_of[vid]
    return City(
        region=city_region, townships=list(townships.values()), counties=counties,
        dispatcher_id=by_name[_username(city_code, Role.DISPATCHER, city_code)][0],
        leader_id=by_name[_username(city_code, Role.LEADER, city_code)][0],
    )


def reference_data_ensure() -> None:
    """Categories, risk grades and default policies, when the data migration has not made them."""
    if not Category.objects.filter(parent__isnull=False).exists():
        for i, (top, leaves) in enumerate(DEFAULT_CATEGORIES.items()):
            parent, _ = Category.objects.get_or_create(code=f"S{i + 1:02d}", defaults={"name": top, "sort": i})
            for j, leaf in enumerate(leaves):
                Category.objects.get_or_create(code=f"S{i + 1:02d}{j + 1:02d}",
                                               defaults={"name": leaf, "parent": parent, "sort": j})
    if not RiskGrade.objects.exists():
        for code, name, color, rank in DEFAULT_RISK_GRADES:
            RiskGrade.objects.create(code=code, name=name, color=color, rank=rank)
    if not TimeLimitPolicy.objects.exists():
        for level in (RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY):
            for step, days in (("accept", 2), ("sign", 2), ("handle", 15), ("callback", 5)):
                TimeLimitPolicy.objects.create(level=level, step=step, days=days, source="seed_scale 默认")
    if not EscalationPolicy.objects.exists():
        for level in (RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY):
            EscalationPolicy.objects.create(level=level, yellow_ratio=Decimal("0.80"), escalate_after_hours=24)


# --- Parties -----------------------------------------------------------------------------------


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(rng: random.Random) -> str:
    """A checksum-valid 18-digit resident ID (GB 11643) under a real Shaanxi area code."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 55))
    body = f"610202{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check


MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                   "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "186", "187", "188", "189",
                   "198", "199")


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}"


@dataclass(frozen=True)
class Identity:
    name: str
    kind: str
    id_enc: bytes | None
    id_hash: str
    id_masked: str
    phone_enc: bytes | None
    phone_hash: str
    phone_masked: str
    address: str


def party_pool(rng: random.Random, size: int = PARTY_POOL_SIZE) -> list[Identity]:
    pool = []
    for i in range(size):
        phone = _phone(rng)
        address = f"{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        if i % 10 == 9:  # one in ten parties is an organisation (no ID number)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(COMPANIES)
            pool.append(Identity(name, "organisation", None, "", "", encrypt(phone), keyed_hash(phone),
                                 mask_phone(phone), address))
            continue
        id_number = _id_number(rng)
        pool.append(Identity(_person_name(rng), "person", encrypt(id_number), keyed_hash(id_number),
                             mask_id_number(id_number), encrypt(phone), keyed_hash(phone), mask_phone(phone), address))
    return pool


# --- Cases -------------------------------------------------------------------------------------


def _categories() -> list[tuple[int, str, str]]:
    """Leaf categories (id, name, parent name) with a parent, else every active category."""
    leaves = list(Category.objects.filter(is_active=True, children__isnull=True)
                  .select_related("parent").order_by("code"))
    return [(c.pk, c.name, c.parent.name if c.parent_id else c.name) for c in leaves]


def _category_mix(categories: list[tuple[int, str, str]]) -> Mix:
    pairs: list[tuple[object, float]] = []
    matched_weight = 0.0
    unmatched = []
    for cat in categories:
        weight = next((w for kw, w in CATEGORY_KEYWORD_WEIGHTS if kw in cat[1]), None)
        if weight is None:
            unmatched.append(cat)
        else:
            # Several leaves may share a keyword; they share its weight.
            share = sum(1 for c in categories if kw_of(c[1]) == kw_of(cat[1]))
            pairs.append((cat, weight / share))
            matched_weight += weight / share
    rest = max(5.0, 100.0 - matched_weight)
    pairs += [(cat, rest / len(unmatched)) for cat in unmatched]
    return Mix(pairs)


def kw_of(name: str) -> str | None:
    return next((kw for kw, _ in CATEGORY_KEYWORD_WEIGHTS if kw in name), None)


def _days_weights(anchor: dt.date) -> list[tuple[dt.date, float]]:
    """The 365 days before the anchor, weekdays three times as busy as weekends, growing."""
    days = []
    for i in range(365, 0, -1):
        day = anchor - dt.timedelta(days=i)
        weight = (1.0 if day.weekday() < 5 else 0.35) * (0.85 + 0.3 * (365 - i) / 365)
        days.append((day, weight))
    return days


def _daily_counts(n: int, days: list[tuple[dt.date, float]]) -> list[int]:
    """Split n cases over days by weight, exactly n in total (largest remainder)."""
    total = sum(w for _, w in days)
    raw = [n * w / total for _, w in days]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


# Column orders of the generated tuples (other columns of these tables must be nullable).
CASE_COLUMNS = [
    "id", "created_at", "updated_at", "number", "title", "narrative", "channel", "occurred_at", "address", "latitude",
    "longitude", "people_involved", "amount_involved", "urgent", "long_standing", "state", "owning_level", "version",
    "step", "step_started_at", "due_at", "due_provisional", "warning_level", "red_at", "return_count", "redo_count",
    "accepted_at", "resolved_at", "closed_at", "submit_token", "city_id", "county_id", "duplicate_of_id", "grid_id",
    "owning_region_id", "registered_by_id", "township_id", "village_id", "category_id", "risk_grade_id",
    "yellow_at", "escalate_at",
]
PARTY_COLUMNS = ["id", "created_at", "updated_at", "role", "kind", "name", "id_number_enc", "id_number_hash",
                 "id_number_masked", "phone_enc", "phone_hash", "phone_masked", "address", "case_id"]
EVENT_COLUMNS = ["id", "created_at", "action", "from_state", "to_state", "note", "data", "actor_id", "case_id"]
ASSIGNMENT_COLUMNS = ["id", "created_at", "updated_at", "status", "due_at", "instructions", "signed_at", "closed_at",
                      "return_reason", "assigned_by_id", "case_id", "department_id", "region_id", "signed_by_id"]
ESCALATION_COLUMNS = ["id", "created_at", "updated_at", "from_level", "to_level", "reason", "note", "actor_id",
                      "case_id", "to_region_id"]


class CaseGenerator:
    """Generates cases day by day (ids and numbers in time order, as in real data)."""

    def __init__(self, spec: ScaleSpec, city: City, rng: random.Random, now: dt.datetime) -> None:
        self.spec, self.city, self.rng, self.now = spec, city, rng, now
        # Every random branch reads this clock (midnight of the anchor day), never the wall
        # clock, so a seed gives the same data all day; deadlines are placed around `now`.
        self.anchor = spec.anchor or now.astimezone(SHANGHAI).date()
        self.clock = dt.datetime.combine(self.anchor, dt.time(0, 0), tzinfo=SHANGHAI).astimezone(UTC)
        self.categories = _categories()
        self.category_mix = _category_mix(self.categories)
        self.channel_mix = Mix(CHANNEL_MIX)
        self.state_mixes = [(limit, Mix(pairs)) for limit, pairs in STATE_MIX_BY_AGE]
        self.red_state_mix = Mix(RED_STATE_MIX)
        grades = {g.code: g.pk for g in RiskGrade.objects.all()}
        self.policies = PolicyBook.load()
        self.risk_mix = Mix([(grades.get(code) if code else None, w) for code, w in RISK_MIX
                             if code is None or code in grades] or [(None, 1)])
        self.pool = party_pool(rng, min(PARTY_POOL_SIZE, max(100, spec.cases * 2)))
        self.pool_next = 0
        self.township_mix = Mix([(t, 0.6 + rng.random()) for t in city.townships])
        self.ids = {m: IdRange(m) for m in (Case, CaseParty, CaseEvent, CaseAssignment, Escalation)}
        codes = [t.region.code for t in city.townships]
        self.counters: dict[tuple[str, dt.date], int] = {
            (c.township_code, c.day): c.last for c in CaseNumberCounter.objects.filter(township_code__in=codes)
        }
        self.writers = {
            Case: TableWriter(Case, CASE_COLUMNS), CaseParty: TableWriter(CaseParty, PARTY_COLUMNS),
            CaseEvent: TableWriter(CaseEvent, EVENT_COLUMNS),
            CaseAssignment: TableWriter(CaseAssignment, ASSIGNMENT_COLUMNS),
            Escalation: TableWriter(Escalation, ESCALATION_COLUMNS),
        }
        self.col = {name: i for i, name in enumerate(CASE_COLUMNS)}

    # Timestamps of one day, sorted (busy 8:30–18:00, a tail in the evening).
    def _times(self, day: dt.date, k: int) -> list[dt.datetime]:
        rng = self.rng
        base = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI)
        secs = sorted(int(rng.uniform(8.5, 18) * 3600) if rng.random() < 0.85 else rng.randint(6 * 3600, 22 * 3600)
                      for _ in range(k))
        return [(base + dt.timedelta(seconds=s)).astimezone(UTC) for s in secs]

    def cases_by_day(self) -> Iterator[tuple[dt.date, dt.datetime]]:
        days = _days_weights(self.anchor)
        for (day, _), k in zip(days, _daily_counts(self.spec.cases, days), strict=True):
            for t in self._times(day, k):
                yield day, t

    def generate(self, on_chunk: Callable[[int], None]) -> ScaleResult:
        chunk = self.spec.chunk or (50_000 if _is_postgres() else 5_000)
        result = ScaleResult()
        pending = 0
        for day, created in self.cases_by_day():
            self._case(day, created)
            pending += 1
            if pending == chunk:
                self._flush()
                on_chunk(pending)
                pending = 0
        if pending:
            self._flush()
            on_chunk(pending)
        result.cases = self.writers[Case].written
        result.parties = self.writers[CaseParty].written
        result.events = self.writers[CaseEvent].written
        result.assignments = self.writers[CaseAssignment].written
        result.escalations = self.writers[Escalation].written
        self._counters_save()
        sequences_reset(self.writers)
        return result

    def _flush(self) -> None:
        with transaction.atomic():
            for model in (Case, CaseParty, CaseAssignment, Escalation, CaseEvent):
                self.writers[model].flush()

    def _counters_save(self) -> None:
        codes = {code for code, _ in self.counters}
        with transaction.atomic():
            CaseNumberCounter.objects.filter(township_code__in=codes).delete()
            CaseNumberCounter.objects.bulk_create(
                [CaseNumberCounter(township_code=code, day=day, last=last) for (code, day), last in self.counters.items()],
                batch_size=5000,
            )

    def _party(self) -> Identity:
        identity = self.pool[self.pool_next % len(self.pool)]
        self.pool_next += 1 + (self.rng.random() < 0.3)
        return identity

    def _case(self, day: dt.date, created: dt.datetime) -> None:
        rng, now, clock = self.rng, self.now, self.clock
        town: Township = self.township_mix.draw(rng)
        county = self.city.counties[town.county.pk]
        case_id = self.ids[Case].take()
        key = (town.region.code, day)
        seq = self.counters.get(key, 0) + 1
        self.counters[key] = seq
        number = f"{town.region.code}{day:%Y%m%d}{seq:04d}"
        category = self.category_mix.draw(rng)
        channel = self.channel_mix.draw(rng)
        grid_id, village_id = rng.choice(town.grids) if town.grids else (None, None)
        if village_id is None:
            raise ValueError("a synthetic township without villages cannot hold cases")
        if channel != "grid" and rng.random() < 0.2:
            grid_id = None
        age_days = (clock - created).total_seconds() / 86400
        roll = rng.random()
        warning = "none"
        if roll < RED_SHARE and age_days > 4:
            warning = "red"
            state = self.red_state_mix.draw(rng)
        elif roll < RED_SHARE + YELLOW_SHARE and age_days > 1:
            warning = "yellow"
            state = self.red_state_mix.draw(rng)
        else:
            state = next(m for limit, m in self.state_mixes if age_days <= limit).draw(rng)
        county_owned = channel == "superior" or rng.random() < COUNTY_OWNED_SHARE
        owner_level, owner_region = ("county", county.region.pk) if county_owned else ("township", town.region.pk)
        registrar = county.clerk_id if county_owned else (
            town.grid_worker_of.get(village_id, town.clerk_id) if channel == "grid" else town.clerk_id)
        people = 1 if rng.random() < 0.7 else rng.randint(2, 8) if rng.random() < 0.9 else rng.randint(10, 60)
        amount = Decimal(rng.randint(5, 5000) * 100) if category[1] in ("损害赔偿", "合同履行", "劳动报酬") or rng.random() < 0.15 else None

        # Walk the life of the case up to its state: timeline, assignments, timestamps.
        t = created
        events: list[tuple[dt.datetime, int | None, str, str, str, str]] = [
            (t, registrar, "register", "", "registered", "登记")]
        accepted_at = resolved_at = closed_at = None
        step_started = created
        assignment = None
        handled_by_center = rng.random() < 0.3
        if state != "registered":
            t = t + dt.timedelta(hours=rng.uniform(0.2, 30))
            accepted_at = t
            if state == "rejected":
                events.append((t, registrar, "reject", "registered", "rejected", "不属于受理范围，已告知当事人向法院起诉"))
            else:
                events.append((t, registrar, "accept", "registered", "accepted", "受理"))
            step_started = t
        if state in ("dispatched", "in_progress", "resolved", "closed") and not (handled_by_center and state != "dispatched"):
            t = t + dt.timedelta(hours=rng.uniform(0.5, 20))
            dispatcher = county.dispatcher_id if county_owned else town.clerk_id
            depts = county.departments if county_owned else town.departments
            dept = rng.choice(depts)
            assignment = [dept, dispatcher, t, None, None, "pending"]
            events.append((t, dispatcher, "dispatch", "accepted", "dispatched", "请依法及时处理"))
            step_started = t
            if state != "dispatched":
                t = t + dt.timedelta(hours=rng.uniform(0.5, 40))
                handler = (county.handler_of if county_owned else town.handler_of)[dept]
                assignment[3:6] = [handler, t, "signed"]
                events.append((t, handler, "sign", "dispatched", "in_progress", "签收"))
                step_started = t
        elif state in ("in_progress", "resolved", "closed"):
            t = t + dt.timedelta(hours=rng.uniform(0.5, 20))
            events.append((t, registrar, "handle", "accepted", "in_progress", "中心先行调解"))
            step_started = t
        actor_progress = assignment[3] if assignment else registrar
        if state in ("resolved", "closed"):
            span = max(1.0, min(age_days - 2, rng.uniform(2, 25))) if age_days > 3 else 0.5
            t = max(t, min(clock - dt.timedelta(hours=1), created + dt.timedelta(days=span)))
            resolved_at = t
            events.append((t, actor_progress, "resolve", "in_progress", "resolved", "已达成调解协议并履行"))
            step_started = t
            if assignment:
                assignment[5] = "completed"
            if state == "closed":
                t = max(t, min(clock - dt.timedelta(minutes=5), t + dt.timedelta(days=rng.uniform(0.5, 5))))
                closed_at = t
                events.append((t, registrar, "callback", "resolved", "closed", "回访满意"))
        # Deadline of the current step and its warning.
        step = STEP_OF_STATE[state]
        due_at = red_at = None
        escalated = False
        if state in TIMED:
            limit = dt.timedelta(days=STEP_DAYS[step])
            if warning == "red":
                due_at = now - dt.timedelta(hours=rng.uniform(2, 24 * 40))
                red_at = due_at + dt.timedelta(minutes=rng.randint(1, 10))
                escalated = owner_level == "township" and rng.random() < RED_ESCALATED_SHARE
            elif warning == "yellow":
                due_at = now + dt.timedelta(hours=rng.uniform(1, 0.2 * limit.total_seconds() / 3600))
            else:
                due_at = now + dt.timedelta(hours=rng.uniform(0.25, 1.0) * limit.total_seconds() / 3600)
            step_started = min(due_at - limit, step_started) if warning != "none" else max(step_started, due_at - limit)
            step_started = max(step_started, created)
            target = rng.randint(2, 6)
            while len(events) < target and state == "in_progress":
                t = min(clock, t + dt.timedelta(days=rng.uniform(0.2, 3)))
                events.append((t, actor_progress, "progress", "", "", "已约谈双方当事人，正在调解"))
            if escalated:
                owner_level, owner_region = "county", county.region.pk
                events.append((red_at, None, "escalate", state, state, "超期自动升级至县级综治中心"))
                self.writers[Escalation].add((self.ids[Escalation].take(), red_at, red_at, "township", "county",
                                              "overdue", "超期自动升级", None, case_id, county.region.pk))
        elif state == "resolved":
            due_at = resolved_at + dt.timedelta(days=STEP_DAYS["callback"])
        else:
            warning = "none"
        if len(events) < 2:  # a registered case: the upper center has asked after it (催办)
            events.append((max(t, clock - dt.timedelta(hours=2)), county.dispatcher_id, "urge", "", "", "请尽快受理"))
        events = events[:6]
        if state == "closed" and events[-1][2] != "callback":
            events[-1] = (closed_at, registrar, "callback", "resolved", "closed", "回访满意")
        version = len([e for e in events if e[3] != e[4]])
        latest = max(e[0] for e in events)
        title_party = self._party()
        title = f"{title_party.name}{category[1]}{'纠纷' if not category[1].endswith('纠纷') else ''}"
        narrative = rng.choice(NARRATIVES).format(topic=category[1])
        values = (
            case_id, created, latest, number, title, narrative, channel, created - dt.timedelta(hours=rng.uniform(1, 96)),
            f"{rng.choice(ROADS)}{rng.randint(1, 300)}号", None, None, people, amount, state == "registered" and rng.random() < 0.05,
            rng.random() < 0.03, state, owner_level, version, step, step_started, due_at, False, warning, red_at,
            1 if rng.random() < 0.04 else 0, 1 if state in ("in_progress", "resolved", "closed") and rng.random() < 0.03 else 0,
            accepted_at, resolved_at, closed_at, None, self.city.region.pk, town.county.pk, None, grid_id, owner_region,
            registrar, town.region.pk, village_id, category[0], self.risk_mix.draw(rng) if accepted_at else None,
        )
        # The sweep thresholds, stamped as the services and the sweep would have (open timed cases).
        yellow_at = escalate_at = None
        if state in TIMED:
            yellow_at, escalate_at = self.policies.thresholds({
                "owning_level": owner_level, "category_id": category[0], "risk_grade_id": values[-1],
                "step_started_at": step_started, "due_at": due_at, "warning_level": warning, "red_at": red_at,
                "city_id": self.city.region.pk, "county_id": town.county.pk, "township_id": town.region.pk,
            })
        self.writers[Case].add((*values, yellow_at, escalate_at))
        # Parties: the title party is the applicant, then one or two more.
        n_parties = 1 if rng.random() < 0.15 else 2 if rng.random() < 0.8 else 3
        for i in range(n_parties):
            who = title_party if i == 0 else self._party()
            role = "applicant" if i == 0 else "respondent" if i == 1 else "third"
            self.writers[CaseParty].add((self.ids[CaseParty].take(), created, created, role, who.kind, who.name,
                                         who.id_enc, who.id_hash, who.id_masked, who.phone_enc, who.phone_hash,
                                         who.phone_masked, who.address, case_id))
        if assignment:
            dept, by, at, signer, signed_at, status = assignment
            # An open dispatch carries the case's handling deadline (case_dispatch sets both
            # from the same computation); a completed one the deadline it had.
            assignment_due = due_at if status in ("pending", "signed") and due_at else \
                at + dt.timedelta(days=STEP_DAYS["handle"])
            self.writers[CaseAssignment].add((
                self.ids[CaseAssignment].take(), at, signed_at or at, status,
                assignment_due, "请依法及时处理", signed_at,
                resolved_at if status == "completed" else None, "", by, case_id, dept, None, signer))
        for at, actor, action, from_state, to_state, note in events:
            self.writers[CaseEvent].add((self.ids[CaseEvent].take(), at, action, from_state, to_state, note, {},
                                         actor, case_id))


def scale_seed(spec: ScaleSpec, *, progress_bar: Callable[[int, str], object] | None = None,
               log: Callable[[str], None] = lambda _m: None) -> ScaleResult:
    """Create (or reuse) the synthetic city and add `spec.cases` cases to it."""
    import time

    started = time.monotonic()
    rng = random.Random(spec.seed)
    now = dt.datetime.now(tz=UTC) if spec.anchor is None else dt.datetime.combine(
        spec.anchor, dt.time(12, 0), tzinfo=SHANGHAI).astimezone(UTC)
    result = ScaleResult()
    reference_data_ensure()
    if not Region.objects.filter(code=spec.city_code).exists():
        with transaction.atomic():
            city_build(spec, rng, now, log)
        result.city_created = True
    city = city_load(spec.city_code)
    log(f"city {spec.city_code}: {len(city.counties)} counties, {len(city.townships)} townships, "
        f"{sum(len(t.grids) for t in city.townships)} grids")
    if spec.cases:
        bar = progress_bar(spec.cases, "cases") if progress_bar else None
        generator = CaseGenerator(spec, city, rng, now)
        if _is_postgres():
            with connection.cursor() as cursor:
                # Chunks are re-creatable synthetic data: no need to wait for the WAL flush.
                cursor.execute("SET synchronous_commit TO off")
        # A bulk load (at least as many new cases as there are, and not a handful) drops the
        # foreign keys and secondary indexes of the case tables and rebuilds them at the end.
        bulk = spec.cases >= max(20_000, Case.objects.count())
        with bulk_load_prepared(list(generator.writers)) if bulk else nullcontext():
            generated = generator.generate(lambda n: bar.update(n) if bar else None)
        if _is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        if bar:
            bar.close()
        result.cases, result.parties, result.events = generated.cases, generated.parties, generated.events
        result.assignments, result.escalations = generated.assignments, generated.escalations
    tables_analyze([Region, Grid, Department, User, Case, CaseParty, CaseEvent, CaseAssignment, Escalation])
    result.seconds = time.monotonic() - started
    return result
