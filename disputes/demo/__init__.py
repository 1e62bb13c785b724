"""Demo cases (`manage.py seed_demo`): several hundred disputes across every township of the
demo city, in every state and category, created through disputes/services.py by the demo
users who would take each step, so every case has a real timeline, deadlines, assignments,
notifications and encrypted parties.

- plans.py decides what each case goes through (township, category, final state, steps);
  texts.py writes its words and parties; player.py plays it through the services.
- History: each case is played out over the past months. Every step runs inside
  `governance.clock.frozen_at(<the step's time>)`: the services, the sweep and the row
  timestamps read the kernel clock, so they date what they write to that moment. Steps
  of open cases that started long ago have passed deadlines: overdue cases, as in real life.
- Deterministic: everything is drawn from the `rng` seed_demo passes in (ages are relative to
  the day it runs). Idempotent: cases carry submit tokens "demo-NNNN"; when they exist the
  seeder does nothing.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import TextIO

from django.db import transaction
from django.db.models import Count, Min

from disputes.demo.plans import TOKEN_PREFIX, plans_make
from disputes.demo.player import Player
from disputes.models import Case, CaseState, MediationOrganisation, OrganisationKind, WarningLevel
from disputes.services.warnings import warnings_evaluate_all
from disputes.sweep import deadline_sweep_all
from governance import clock
from governance.demo import DEMO_CITY_CODE
from governance.models import Region, RegionLevel
from governance.workdays import SHANGHAI

DEMO_CASES = 600


def history_sweep(now: dt.datetime) -> int:
    """What the periodic sweep would have done while these cases aged: one sweep a day at
    09:00 from the earliest deadline on, then one now. Overdue cases get red cards and move
    up a level as the policies say, and the upper level's clock starts on the day they
    moved, so old cases may have climbed to the city and be red there. Returns the changes.
    """
    first = Case.objects.filter(submit_token__startswith=TOKEN_PREFIX).timed().aggregate(Min("due_at"))["due_at__min"]
    changes = 0
    if first is not None:
        moment = dt.datetime.combine(first.astimezone(SHANGHAI).date(), dt.time(9), tzinfo=SHANGHAI)
        while moment < now:
            with clock.frozen_at(moment):
                result = deadline_sweep_all(now=moment)
            changes += result.yellow + result.red + result.escalated + result.urged
            moment += dt.timedelta(days=1)
    result = deadline_sweep_all(now=now)
    return changes + result.yellow + result.red + result.escalated + result.urged


def organisations_seed() -> int:
    """The mediation registry of the demo city: a 人民调解委员会 for every village and
    township, and a people's court for every county (idempotent). Returns how many it added."""
    added = 0
    regions = Region.objects.filter(city__code=DEMO_CITY_CODE).exclude(level=RegionLevel.CITY).order_by("code")
    for region in regions:
        if region.level == RegionLevel.COUNTY:
            name, kind = f"{region.name}人民法院", OrganisationKind.COURT
        else:
            name, kind = f"{region.name}人民调解委员会", OrganisationKind.PEOPLES_COMMITTEE
        _org, created = MediationOrganisation.objects.get_or_create(region=region, name=name, defaults={"kind": kind})
        added += created
    return added


@transaction.atomic
def seed(*, stdout: TextIO, rng: random.Random) -> None:
    organisations = organisations_seed()
    stdout.write(f"调解组织: 新增 {organisations}\n")
    existing = Case.objects.filter(submit_token__startswith=TOKEN_PREFIX).count()
    if existing:
        stdout.write(f"演示案件已存在({existing} 件),跳过\n")
        return
    now = clock.now()
    player = Player(rng)
    plans = plans_make(rng, now, DEMO_CASES)
    for plan in sorted(plans, key=lambda p: p.start):
        player.play(plan, now)
    changes = history_sweep(now)
    warnings = warnings_evaluate_all()  # 研判预警 over the played history (docs/warnings.md)
    cases = Case.objects.filter(submit_token__startswith=TOKEN_PREFIX)
    by_state = dict(cases.values_list("state").annotate(n=Count("id")).order_by())
    cards = dict(cases.values_list("warning_level").annotate(n=Count("id")).order_by())
    summary = " / ".join(f"{CaseState(s).label} {by_state.get(s, 0)}" for s in CaseState.values)
    stdout.write(f"演示案件: 新增 {len(plans)}({summary})\n"
                 f"  红牌(超期) {cards.get(WarningLevel.RED, 0)} / 黄牌 {cards.get(WarningLevel.YELLOW, 0)};"
                 f"已上报上级(主动或超期) {cases.filter(escalations__isnull=False).distinct().count()};"
                 f"县级直接受理 {cases.filter(registered_by__region__level=RegionLevel.COUNTY).count()};"
                 f"预警扫描(按日回放)共 {changes} 项变更;研判预警 {warnings.raised} 条\n")
