"""What each demo case will go through: its township, village, category, final state, start
and the steps from registration to that state (who takes them comes from player.py).

Mixes follow DOMAIN.md (family and neighbour disputes ≈ 1/3, 损害赔偿 ≈ 22%, 合同 ≈ 15%);
every leaf category and every township gets cases, 红旗街街道 and 七一路街道 (the demo
accounts' townships) more. Open cases that started long ago are overdue, as in real life.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db.models import Count

from disputes.models import CaseState, Category
from governance.demo import DEMO_CITY_CODE
from governance.models import Region, RegionLevel, Role, User
from governance.workdays import SHANGHAI
from grids.contract import unscoped_active_grid_ids_by_village

TOKEN_PREFIX = "demo-"
FOCUS_TOWNSHIPS = {"610202002": 8, "610202001": 5}  # 红旗街街道, 七一路街道: extra weight
MIN_PER_TOWNSHIP = 3
ESCALATED_SHARE = 0.05  # of accepted township cases, reported up to the county by hand

# Final state of a case → share. Open states include overdue ones (see AGES).
STATE_MIX = [(CaseState.CLOSED, 40), (CaseState.RESOLVED, 8), (CaseState.IN_PROGRESS, 20),
             (CaseState.DISPATCHED, 8), (CaseState.ACCEPTED, 6), (CaseState.REGISTERED, 10),
             (CaseState.REJECTED, 8)]
# Age of the case in days by final state: (normal range, overdue share, overdue range).
AGES = {
    CaseState.CLOSED: ((6, 150), 0, None),
    CaseState.REJECTED: ((0.2, 120), 0, None),
    CaseState.RESOLVED: ((0.5, 12), 0, None),
    CaseState.IN_PROGRESS: ((1, 16), 0.3, (25, 90)),
    CaseState.DISPATCHED: ((0.05, 1), 0.3, (3, 12)),
    CaseState.ACCEPTED: ((0.05, 2), 0.3, (5, 15)),
    CaseState.REGISTERED: ((0.02, 1.5), 0.25, (5, 12)),
}
# Leaf category name → weight; leaves not listed share what is left (DOMAIN.md mixes).
CATEGORY_WEIGHTS = {"婚姻家庭": 14, "邻里纠纷": 13, "房屋和宅基地": 6, "损害赔偿": 22, "合同履行": 15}
OTHER_CATEGORIES_WEIGHT = 30
# Hours between a step and the one before it (drawn uniformly, compressed when the case is young).
GAP_HOURS = {
    "accept": (0.3, 20), "reject": (0.5, 24), "dispatch": (0.5, 24), "return": (2, 16), "sign": (0.5, 20),
    "handle": (0.2, 8), "progress": (24, 96), "extend": (48, 120), "extend_decide": (2, 24),
    "mediation": (24, 120), "resolve": (24, 200), "callback": (24, 96), "redo": (24, 96),
    "escalate": (2, 48), "supervise": (4, 72), "urge": (4, 72), "instruct": (4, 72), "urgent": (1, 24),
}


@dataclass
class Plan:
    number: int
    township: Region
    village: Region
    grid_id: int | None
    category: Category
    target: str
    start: dt.datetime
    reporter: User | None = None  # grid worker reporting from the field
    county_owned: bool = False
    steps: list[tuple[str, dict]] = field(default_factory=list)


def weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


def _townships(rng: random.Random, townships: list[Region], n: int) -> list[Region]:
    """Every township at least MIN_PER_TOWNSHIP times, the rest weighted (streets busier)."""
    out = [t for t in townships for _ in range(MIN_PER_TOWNSHIP)]
    weights = [FOCUS_TOWNSHIPS.get(t.code, 2 if t.name.endswith("街道") else 1) for t in townships]
    out += rng.choices(townships, weights=weights, k=max(0, n - len(out)))
    rng.shuffle(out)
    return out[:n]


def _categories(rng: random.Random, leaves: list[Category], n: int) -> list[Category]:
    """Every leaf category at least once, the rest by CATEGORY_WEIGHTS."""
    listed = [c for c in leaves if c.name in CATEGORY_WEIGHTS]
    others = [c for c in leaves if c.name not in CATEGORY_WEIGHTS]
    weights = [CATEGORY_WEIGHTS[c.name] for c in listed] + [OTHER_CATEGORIES_WEIGHT / max(len(others), 1)] * len(others)
    out = list(leaves) + rng.choices(listed + others, weights=weights, k=max(0, n - len(leaves)))
    rng.shuffle(out)
    return out[:n]


def _start(rng: random.Random, target: str, now: dt.datetime) -> dt.datetime:
    (low, high), overdue_share, overdue = AGES[target]
    if overdue and rng.random() < overdue_share:
        low, high = overdue
    day = (now - dt.timedelta(days=rng.uniform(low, high))).astimezone(SHANGHAI).date()
    start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=SHANGHAI) + dt.timedelta(minutes=rng.randint(0, 570))
    return min(start, now - dt.timedelta(minutes=rng.randint(20, 120)))


def _steps(rng: random.Random, plan: Plan) -> list[tuple[str, dict]]:
    """The steps from registration to the plan's final state, with who takes them."""
    target = plan.target
    if target == CaseState.REGISTERED:
        return []
    if target == CaseState.REJECTED:
        return [("reject", {})]
    steps: list[tuple[str, dict]] = [("accept", {})]
    if target == CaseState.ACCEPTED:
        return steps + ([("urge", {})] if rng.random() < 0.3 else [])
    family = plan.category.parent_id and plan.category.name in ("婚姻家庭", "邻里纠纷", "房屋和宅基地")
    escalated = not plan.county_owned and rng.random() < ESCALATED_SHARE
    if escalated:
        steps.append(("escalate", {}))  # 上报: the township cannot resolve it; the county takes over
    if not plan.county_owned and not escalated and family and rng.random() < 0.35:
        steps.append(("handle", {}))  # 先行调解 by the township center itself
    else:
        police = plan.category.name in ("损害赔偿", "交通事故", "邻里纠纷") and rng.random() < 0.4
        first = "派出所" if police else "司法所"
        if not plan.county_owned and not escalated and rng.random() < 0.08:
            # Mis-routed to the police station, sent back with a reason, dispatched again.
            steps += [("dispatch", {"to": "派出所"}), ("return", {"to": "派出所"})]
            first = "司法所"
        steps.append(("dispatch", {"to": first}))
        if target == CaseState.DISPATCHED:
            return steps
        steps.append(("sign", {"to": first}))
    if rng.random() < 0.5:
        steps.append(("progress", {}))
    if target == CaseState.IN_PROGRESS:
        if rng.random() < 0.12:
            steps += [("extend", {}), ("extend_decide", {})]
        if rng.random() < 0.2:
            steps.append(("supervise", {}))
        if rng.random() < 0.05:
            steps += [("instruct", {}), ("urgent", {})]
        return steps
    if family or rng.random() < 0.3:
        steps.append(("mediation", {}))
    steps.append(("resolve", {}))
    if target == CaseState.RESOLVED:
        return steps
    if rng.random() < 0.06:
        # 重办: the case goes back to its unit (or the center that mediated it) in progress.
        steps += [("redo", {}), ("resolve", {})]
    return steps + [("callback", {})]


def plans_make(rng: random.Random, now: dt.datetime, n: int) -> list[Plan]:
    townships = list(Region.objects.filter(city__code=DEMO_CITY_CODE, level=RegionLevel.TOWNSHIP).order_by("code"))
    township_by_id = {t.pk: t for t in townships}
    villages: dict[int, list[Region]] = {}
    for village in Region.objects.filter(city__code=DEMO_CITY_CODE, level=RegionLevel.VILLAGE).order_by("code"):
        villages.setdefault(village.township_id, []).append(village)
    grids = unscoped_active_grid_ids_by_village(city_code=DEMO_CITY_CODE)
    leaves = list(Category.objects.filter(is_active=True).annotate(n_children=Count("children"))
                  .filter(n_children=0).select_related("parent").order_by("code"))
    # Grid workers report from their own village and grid (the first one, see grids/demo.py).
    workers = User.objects.filter(role=Role.GRID_WORKER, region__city__code=DEMO_CITY_CODE,
                                  region__level=RegionLevel.VILLAGE).select_related("region").order_by("username")
    worker_of = {worker.region_id: worker for worker in workers}
    worker_villages = [v for vs in villages.values() for v in vs if v.pk in worker_of]

    plans = []
    for number, (township, category) in enumerate(zip(_townships(rng, townships, n), _categories(rng, leaves, n),
                                                      strict=True), start=1):
        village = rng.choice(villages[township.pk])
        if township.code in FOCUS_TOWNSHIPS and worker_villages and rng.random() < 0.3:
            # Put cases in the grid workers' villages so their phone screens show some.
            village = rng.choice(worker_villages)
            township = township_by_id[village.township_id]
        target = weighted(rng, STATE_MIX)
        plan = Plan(number=number, township=township, village=village, category=category, target=target,
                    grid_id=rng.choice(grids[village.pk]) if grids.get(village.pk) else None,
                    start=_start(rng, target, now))
        if village.pk in worker_of and rng.random() < 0.6:
            plan.reporter = worker_of[village.pk]
            plan.grid_id = grids[village.pk][0] if grids.get(village.pk) else None
        elif target != CaseState.REJECTED and rng.random() < 0.06:
            plan.county_owned = True  # 上级交办 / 12345 转办 registered at the county center
        plan.steps = _steps(rng, plan)
        plans.append(plan)
    return plans


def step_times(rng: random.Random, plan: Plan, now: dt.datetime) -> list[dt.datetime]:
    """When each step happens: drawn gaps, compressed when the case is too young for them
    so that the last step falls somewhere between its registration and now."""
    gaps = [rng.uniform(*GAP_HOURS[name]) for name, _ in plan.steps]
    room = (now - plan.start).total_seconds() / 3600 * rng.uniform(0.6, 0.97)
    scale = min(1.0, room / sum(gaps)) if gaps and room > 0 else 1.0
    times, t = [], plan.start
    for gap in gaps:
        t += dt.timedelta(hours=gap * scale)
        times.append(t)
    return times

