"""What `seed_scale` builds: the spec, the named sizes, the accounts' prefix and password, and
the counts it reports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
# Named sizes for `seed_scale --size` / `bench --size`: CI runs "small", the documented run "city".
SIZES = {"small": 20_000, "city": 1_000_000}
BENCH_PASSWORD = "Bench-pass-123"
USERNAME_PREFIX = "s"  # usernames: s<city code>_<role>_<region code>[_n]


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
