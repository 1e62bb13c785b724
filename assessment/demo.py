"""Demo assessment (`manage.py seed_demo`) for 铜川市: the default township rubric and a county
rubric for the last twelve months' years, the monthly and quarterly periods of those months
computed from the demo cases (ended ones published), approved manual scores, one 一票否决 in
王益区 and signed 综治责任书 for 王益区's townships — so a leader's first screen is a real ranking.

Rubrics, periods, computation, publication, the veto and the letters go through the
services; manual scores are written as approved rows (the demo has no second assessor in
every department). Idempotent: when the city already has computed periods the seeder reports
them and adds nothing.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TextIO

from assessment import services
from assessment.models import AssessmentPeriod, ItemKind, ManualScore, ManualState, PeriodKind, PeriodState, RubricItem
from assessment.services.manual import letter_review, letter_save
from assessment.services.vetoes import veto_decide, veto_propose
from governance import clock
from governance.models import Region, RegionLevel, User
from governance.scoping import scope_for

CITY_CODE, COUNTY_CODE = "6102", "610202"
ADMIN, COUNTY_LEADER, ASSESSOR = "admin", "wangyi_leader", "wangyi_sfj"


def seed(*, stdout: TextIO, rng: random.Random) -> None:
    city = Region.objects.filter(code=CITY_CODE, level=RegionLevel.CITY).first()
    users = User.objects.in_bulk([ADMIN, COUNTY_LEADER, ASSESSOR], field_name="username")
    if city is None or len(users) < 3:
        stdout.write("考核: 未找到铜川市或演示账号,跳过\n")
        return
    done = AssessmentPeriod.objects.filter(region=city).exclude(state=PeriodState.OPEN).count()
    if done:
        stdout.write(f"考核: 铜川市已有 {done} 个已计算的考核期,跳过\n")
        return
    admin, leader, assessor = users[ADMIN], users[COUNTY_LEADER], users[ASSESSOR]
    today = clock.localdate()
    since = today - dt.timedelta(days=365)
    years = sorted({since.year, today.year})
    manual_codes = {"A1", "A2", "C1", "C2", "E1", "E2", "G1"}
    departments = dict.fromkeys(manual_codes, assessor.department_id) if assessor.department_id else None
    for year in years:
        services.rubric_seed_default(region=city, year=year, departments=departments)
        services.rubric_seed_default(region=city, year=year, level=RegionLevel.COUNTY)
    periods = [p for year in years for p in services.periods_ensure(
        region=city, year=year, kinds=(PeriodKind.MONTH, PeriodKind.QUARTER))
        if p.start <= today and p.end >= since]
    county = Region.objects.get(code=COUNTY_CODE)
    veto = _veto(county, leader, today)
    _manual_scores(city, periods, assessor, admin, rng)
    letters = _letters(county, leader, today.year)
    computed = published = 0
    for period in sorted(periods, key=lambda p: p.start):
        services.period_compute(period_id=period.pk)
        computed += 1
        if period.end < today:
            services.period_publish(actor=admin, period_id=period.pk)
            published += 1
    for letter in letters:
        last = next((p for p in sorted(periods, key=lambda p: p.end, reverse=True)
                     if p.kind == PeriodKind.QUARTER and p.year == letter.year), None)
        if last is not None:
            letter_review(actor=leader, letter_id=letter.pk, period_id=last.pk,
                          text="责任书目标分解到位，季度讲评问题已整改。")
    stdout.write(f"考核: 计算 {computed} 个考核期(发布 {published} 个)、责任书 {len(letters)} 份、"
                 f"一票否决 {1 if veto else 0} 件\n")


def _veto(county: Region, leader: User, today: dt.date):
    """One township of 王益区 vetoed from four months ago for a year (the last by code, not
    the demo accounts' two townships)."""
    township = (Region.objects.filter(level=RegionLevel.TOWNSHIP, county=county)
                .exclude(code__in=["610202001", "610202002"]).order_by("-code").first())
    if township is None:
        return None
    veto = veto_propose(actor=leader, unit_id=township.pk, reason="辖区发生群体性事件，处置不力，造成严重社会影响",
                        starts_on=today - dt.timedelta(days=120))
    return veto_decide(actor=leader, veto_id=veto.pk, approve=True)


def _manual_scores(city: Region, periods: list[AssessmentPeriod], assessor: User, approver: User,
                   rng: random.Random) -> None:
    townships = list(Region.objects.filter(level=RegionLevel.TOWNSHIP, city=city))
    rows = []
    for period in periods:
        items = RubricItem.objects.filter(rubric__region=city, rubric__year=period.year,
                                          rubric__level=RegionLevel.TOWNSHIP,
                                          kind__in=[ItemKind.MANUAL, ItemKind.BONUS])
        for item in items:
            limit = item.cap if item.kind == ItemKind.BONUS and item.cap is not None else item.max_points
            for township in townships:
                share = Decimal(str(rng.uniform(0.0, 0.6) if item.kind == ItemKind.BONUS else rng.uniform(0.72, 1)))
                row = ManualScore(period=period, unit=township, item=item, points=(limit * share).quantize(
                    Decimal("0.1")), note="演示评分", state=ManualState.APPROVED, entered_by=assessor,
                    approved_by=approver, approved_at=clock.now())
                row.set_region(township)
                rows.append(row)
    ManualScore.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def _letters(county: Region, leader: User, year: int) -> list:
    scope = scope_for(leader)
    letters = []
    for township in scope.regions().filter(level=RegionLevel.TOWNSHIP, county=county).order_by("code"):
        letters.append(letter_save(
            actor=leader, unit_id=township.pk, year=year, party_head=f"{township.name}党工委书记",
            government_head=f"{township.name}办事处主任", issuer="王益区委政法委书记",
            targets={"total": 850, "B2": 90, "F1": 90}, signed_on=dt.date(year, 2, 20)))
    return letters
