"""What `manage.py bench` measures on the request paths, each beside its floor (floors.py):
the case lists (page and API, first and a deep page, for a county dispatcher and a township
clerk), the case detail, case creation (service and API) and the county dashboard.

A figure whose page, endpoint or function does not exist yet is skipped with a line saying so.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from benchmarks.bench.floors import creation_floor, dashboard_floor, detail_floor, list_floor
from benchmarks.bench.harness import Bench, rolled_back, sql, url_or_none
from benchmarks.scale.people import random_id_number, random_phone
from benchmarks.scale.spec import USERNAME_PREFIX
from disputes import services
from disputes.models import Case, CaseState, Category
from governance import clock
from governance.models import Region, RegionLevel, Role, User

DEEP_PAGE = 50
LIST_FILTER = {"state": "in_progress", "ordering": "due_at"}


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


# --- lists -------------------------------------------------------------------------------------------


def lists(bench: Bench, actors: Actors) -> None:
    page_url = url_or_none("disputes:list")
    api_url = url_or_none("disputes_api:case-list") or url_or_none("api-case-list")
    for who, user, level in (("county dispatcher", actors.county_dispatcher, "county"),
                             ("township clerk", actors.township_clerk, "township")):
        region_id = user.region_id
        count = sql(f"SELECT COUNT(*) FROM disputes_case WHERE {level}_id = %s AND state = %s",
                    [region_id, LIST_FILTER["state"]])[0][0]
        last_page = max(1, math.ceil(count / 20))
        pages = sorted({1, min(DEEP_PAGE, last_page)})
        client = Client()
        client.force_login(user)
        for page in pages:
            floor = list_floor(level, region_id, LIST_FILTER["state"], offset=(page - 1) * 20)
            for surface, url in (("page", page_url), ("api", api_url)):
                name = f"{surface} list {who} p{page}"
                if url is None:
                    bench.skip(name)
                    continue
                params = {**LIST_FILTER, "page": page}
                if not bench.ok(client, url, params, name):
                    continue
                bench.figure(name, lambda _i, c=client, u=url, p=params: c.get(u, p), floor)
        client.logout()


# --- detail ------------------------------------------------------------------------------------------


def detail(bench: Bench, actors: Actors) -> None:
    ids = list(Case.objects.filter(township_id=actors.township.pk, state=CaseState.IN_PROGRESS)
               .order_by("-id").values_list("pk", flat=True)[:20])
    if not ids:
        bench.skip("case detail", "no in-progress case in the township")
        return
    client = Client()
    client.force_login(actors.township_clerk)
    floor = detail_floor(ids, actors.township.pk)
    for surface, name_ in (("page", "disputes:detail"), ("api", "disputes_api:case-detail")):
        name = f"{surface} case detail"
        kwarg = "case_id" if surface == "page" else "id"
        urls = [url_or_none(name_, **{kwarg: pk}) for pk in ids]
        if urls[0] is None:
            bench.skip(name)
            continue
        if not bench.ok(client, urls[0], None, name):
            continue
        bench.figure(name, lambda i, u=urls, c=client: c.get(u[i % len(u)]), floor)
    client.logout()


# --- creation ----------------------------------------------------------------------------------------


def creation(bench: Bench, actors: Actors) -> None:
    village = Region.objects.filter(township_id=actors.township.pk, level=RegionLevel.VILLAGE).order_by("code").first()
    category = Category.objects.filter(is_active=True, parent__isnull=False).order_by("code").first()
    if village is None or category is None:
        bench.skip("case creation", "no village or category")
        return
    rng = random.Random(7)
    identity = {"id_number": random_id_number(rng), "phone": random_phone(rng)}
    now = clock.now()
    user = actors.township_clerk
    payload = {
        "title": "张三与李四邻里纠纷", "narrative": "双方因排水问题发生争执。", "category_id": category.pk,
        "channel": "visit", "occurred_at": (now - dt.timedelta(hours=3)).isoformat(), "village_id": village.pk,
        "parties": [{"role": "applicant", "kind": "person", "name": "张三", **identity},
                    {"role": "respondent", "kind": "person", "name": "李四"}],
    }
    floor = creation_floor(user, village, category.pk)
    if not hasattr(services, "case_register"):
        bench.skip("service case_register")
    else:
        def register(_i: int) -> None:
            with rolled_back():
                services.case_register(
                    actor=user,
                    data=services.CaseInput(
                        title=payload["title"], narrative=payload["narrative"], category_id=category.pk,
                        channel="visit", occurred_at=now - dt.timedelta(hours=3), village_id=village.pk),
                    parties=[services.PartyInput(**p) for p in payload["parties"]],
                )
        bench.figure("service case_register", register, floor)
    url = url_or_none("disputes_api:case-list")
    if url is None:
        bench.skip("api case create")
        return
    client = Client()
    client.force_login(user)

    def post(_i: int) -> None:
        with rolled_back():
            response = client.post(url, payload, content_type="application/json")
            if response.status_code != 201:
                raise RuntimeError(f"POST {url} → {response.status_code}: {response.content[:300]!r}")

    try:
        post(0)
    except RuntimeError as exc:
        bench.skip("api case create", str(exc))
    else:
        bench.figure("api case create", post, floor)
    client.logout()


# --- dashboard ---------------------------------------------------------------------------------------


def dashboard(bench: Bench, actors: Actors) -> None:
    client = Client()
    client.force_login(actors.county_dispatcher)
    county = actors.county.pk
    today = clock.localdate()
    start = dt.datetime.combine(today - dt.timedelta(days=29), dt.time.min,
                                tzinfo=timezone.get_current_timezone())
    open_states = [s.value for s in CaseState if s not in (CaseState.CLOSED, CaseState.REJECTED)]
    day_sql = ("(created_at AT TIME ZONE 'Asia/Shanghai')::date" if connection.vendor == "postgresql"
               else "date(created_at, '+8 hours')")
    floor = dashboard_floor(county, start, open_states, day_sql)
    for name, url_name in (("page county dashboard", "disputes:dashboard"),
                           ("api county dashboard data", "disputes:dashboard_data")):
        url = url_or_none(url_name)
        if url is None:
            bench.skip(name)
            continue
        if not bench.ok(client, url, None, name):
            continue
        bench.figure(name, lambda _i, c=client, u=url: c.get(u), floor)
    client.logout()

