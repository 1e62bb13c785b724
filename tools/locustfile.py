"""Load test at city scale: headless, bounded in time, only against this machine.

    DATABASE_URL=postgres://…/zz_bench .venv/bin/gunicorn governance.wsgi -w 4 -b 127.0.0.1:8000 &
    .venv/bin/locust -f tools/locustfile.py --headless -u 40 -r 10 -t 2m --host http://127.0.0.1:8000 \
        --csv var/locust --only-summary

The users are the synthetic city's accounts made by `manage.py seed_scale` (password
benchmarks.scale.spec.BENCH_PASSWORD, usernames s<city>_<role>_<region code>), so run seed_scale
first. The mix (weights per user class):

- county dispatchers (3): poll the dispatch dashboard's JSON every few seconds, open the
  dashboard page now and then, page through the overdue list;
- township clerks (6): read their in-progress list and open cases through the API (token
  auth), register a case now and then (POST /api/v1/cases/ — these rows stay: run it on a
  benchmark database, never on real data);
- leaders (1): read the assessment ranking at /assessment/ (their landing page; the task
  stops calling it if it answers 404, e.g. on a build without the assessment app).

Refuses any host other than 127.0.0.1/localhost, and a run without a time limit.
See docs/performance.md for the figures.
"""
from __future__ import annotations

import datetime as dt
import os
import random
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

CITY = os.environ.get("BENCH_CITY", "9901")
PASSWORD = os.environ.get("BENCH_PASSWORD", "Bench-pass-123")
COUNTIES = int(os.environ.get("BENCH_COUNTIES", "10"))
TOWNSHIPS_PER_COUNTY = int(os.environ.get("BENCH_TOWNSHIPS_PER_COUNTY", "15"))
ALLOWED_HOSTS = {"127.0.0.1", "localhost"}


@events.init.add_listener
def _refuse_remote_hosts(environment, **_kwargs) -> None:
    host = urlparse(environment.host or "").hostname
    if host not in ALLOWED_HOSTS:
        raise SystemExit(f"locustfile: refusing to load {environment.host!r}; only http://127.0.0.1 is allowed")
    options = environment.parsed_options
    if options is not None and not getattr(options, "run_time", None):
        raise SystemExit("locustfile: give a time limit (-t 2m)")


def _county_code(n: int) -> str:
    return f"{CITY}{n:02d}"


def _township_code(county: int, n: int) -> str:
    return f"{_county_code(county)}{n:03d}"


class SessionUser(HttpUser):
    """Signs in through the login page (session cookie + CSRF), like a browser."""

    abstract = True
    username = ""

    def on_start(self) -> None:
        self.client.get("/login/", name="/login/")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post("/login/", {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                         headers={"Referer": f"{self.host}/login/"}, name="/login/ POST")


class CountyDispatcher(SessionUser):
    weight = 3
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.username = f"s{CITY}_dispatcher_{_county_code(random.randint(1, COUNTIES))}"
        super().on_start()

    @task(6)
    def dashboard_data(self) -> None:
        self.client.get("/cases/dashboard/data/", name="/cases/dashboard/data/")

    @task(1)
    def dashboard_page(self) -> None:
        self.client.get("/cases/dashboard/", name="/cases/dashboard/")

    @task(2)
    def overdue_list(self) -> None:
        self.client.get("/cases/", params={"warning_level": "red", "ordering": "due_at",
                                           "page": random.randint(1, 5)}, name="/cases/?warning_level=red")


class TownshipClerk(HttpUser):
    """API client with token auth (POST /api/v1/auth/token/)."""

    weight = 6
    wait_time = between(1, 4)

    def on_start(self) -> None:
        county, township = random.randint(1, COUNTIES), random.randint(1, TOWNSHIPS_PER_COUNTY)
        username = f"s{CITY}_window_staff_{_township_code(county, township)}"
        response = self.client.post("/api/v1/auth/token/", json={"username": username, "password": PASSWORD},
                                    name="/api/v1/auth/token/")
        self.client.headers["Authorization"] = f"Token {response.json().get('token', '')}"
        self.client.get("/api/v1/me/", name="/api/v1/me/")
        self.case_ids: list[int] = []
        self.village_ids: list[int] = []
        self.category_id: int | None = None

    @task(5)
    def list_in_progress(self) -> None:
        response = self.client.get("/api/v1/cases/", params={"state": "in_progress", "ordering": "due_at",
                                                            "page": random.randint(1, 3)},
                                   name="/api/v1/cases/?state=in_progress")
        if response.ok:
            self.case_ids = [row["id"] for row in response.json().get("results", [])] or self.case_ids
            if not self.village_ids:
                self.village_ids = [row["village"]["id"] for row in response.json().get("results", [])
                                    if isinstance(row.get("village"), dict)]
                self.category_id = next((row["category"]["id"] for row in response.json().get("results", [])
                                         if isinstance(row.get("category"), dict)), None)

    @task(4)
    def read_case(self) -> None:
        if self.case_ids:
            self.client.get(f"/api/v1/cases/{random.choice(self.case_ids)}/", name="/api/v1/cases/<id>/")

    @task(1)
    def register_case(self) -> None:
        if not (self.village_ids and self.category_id):
            return
        self.client.post("/api/v1/cases/", json={
            "title": "压测登记邻里纠纷", "narrative": "双方因排水问题发生争执。", "category_id": self.category_id,
            "channel": "visit", "occurred_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat(),
            "village_id": random.choice(self.village_ids),
            "parties": [{"role": "applicant", "kind": "person", "name": "张三", "phone": "13812345678"}],
        }, name="/api/v1/cases/ POST")


class Leader(SessionUser):
    weight = 1
    wait_time = between(5, 10)
    rankings_url = "/assessment/"
    rankings_built = True

    def on_start(self) -> None:
        self.username = f"s{CITY}_leader_{_county_code(random.randint(1, COUNTIES))}"
        super().on_start()

    @task
    def rankings(self) -> None:
        if not Leader.rankings_built:
            return
        with self.client.get(self.rankings_url, name=self.rankings_url, catch_response=True) as response:
            if response.status_code == 404:
                Leader.rankings_built = False  # not built yet: stop asking, count nothing
                response.success()
