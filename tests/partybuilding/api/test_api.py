"""The partybuilding API: scoped lists with constant query counts, writes through the
services (400 with Chinese messages), the roster import (all or nothing), the schema."""
import io

import pytest
from openpyxl import Workbook
from rest_framework.test import APIClient

from governance.models import Role
from partybuilding import services
from partybuilding.models import ActivityKind, MemberKind, PartyMember, ResidentUnitKind
from tests.factories import GridFactory
from tests.partybuilding.factories import DAY, group, keeper, member

pytestmark = pytest.mark.django_db
BASE = "/api/v1/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def towns(tree):
    a1, b1 = keeper(tree.town_a1), keeper(tree.town_b1)
    mine = group(a1, [GridFactory(region=tree.village_a1x)], name="甲党小组")
    other = group(b1, [GridFactory(region=tree.village_b1x)], name="乙党小组")
    for grp, actor in ((mine, a1), (other, b1)):
        person = member(actor, grp, phone="13712345678")
        services.activity_log(actor=actor, data=services.ActivityInput(
            kind=ActivityKind.VOLUNTEER, held_on=DAY, place="广场", topic="义诊", hours="3", group_id=grp.pk,
            attendee_ids=[person.pk]))
        services.unit_create(actor=actor, name=f"{grp.name}单位", kind=ResidentUnitKind.ORGAN,
                             region_id=grp.region_id)
    return a1, mine, other


@pytest.mark.parametrize("path", ["party-groups/", "party-members/", "party-activities/", "resident-units/"])
def test_lists_show_only_the_jurisdictions_rows(tree, towns, path):
    user, mine, _other = towns
    body = client_for(user).get(BASE + path).json()
    assert body["count"] == 1
    assert body["results"][0]["region"]["id"] == tree.village_a1x.pk


def test_member_phone_goes_out_masked_only(tree, towns):
    user, _mine, _other = towns
    row = client_for(user).get(BASE + "party-members/").json()["results"][0]
    assert row["phone_masked"] == "137****5678" and "13712345678" not in str(row)


@pytest.mark.parametrize("path,queries", [("party-groups/", 5), ("party-members/", 4), ("party-activities/", 4),
                                          ("resident-units/", 4)])
def test_list_query_count_is_constant(tree, path, queries, django_assert_num_queries):
    user = keeper(tree.town_a1)
    client = client_for(user)
    for size in (1, 4):
        for _ in range(size):
            grid = GridFactory(region=tree.village_a1x)
            grp = group(user, [grid], name=f"党小组{grid.pk}")
            person = member(user, grp)
            services.activity_log(actor=user, data=services.ActivityInput(
                kind=ActivityKind.LECTURE, held_on=DAY, place="室", topic="课", hours="1", group_id=grp.pk,
                attendee_ids=[person.pk]))
            services.unit_create(actor=user, name=f"单位{grid.pk}", kind=ResidentUnitKind.ORGAN,
                                 region_id=tree.village_a1x.pk)
        # session, user (scope), count, page (+ the groups' grids prefetch)
        with django_assert_num_queries(queries):
            response = client.get(BASE + path)
        assert response.status_code == 200


def test_create_group_through_the_api_and_bad_input_is_a_chinese_400(tree):
    user = keeper(tree.town_a1)
    first, second = GridFactory(region=tree.village_a1x), GridFactory(region=tree.village_a1x)
    client = client_for(user)
    bad = client.post(BASE + "party-groups/", {"name": "错", "kind": "single", "grid_ids": [first.pk, second.pk],
                                               "established_on": "2026-01-01"}, format="json")
    assert bad.status_code == 400 and bad.json()["message"] == "单建党小组只能覆盖一个网格"
    ok = client.post(BASE + "party-groups/", {"name": "联建", "kind": "joint", "grid_ids": [first.pk, second.pk],
                                              "established_on": "2026-01-01"}, format="json")
    assert ok.status_code == 201 and len(ok.json()["grids"]) == 2
    foreign = GridFactory(region=tree.village_b1x)
    assert client.post(BASE + "party-groups/", {"name": "外", "kind": "single", "grid_ids": [foreign.pk],
                                                "established_on": "2026-01-01"}, format="json").status_code == 404


def test_add_member_outside_the_groups_grids_is_400(tree, towns):
    user, mine, _other = towns
    stray = GridFactory(region=tree.village_a1x)
    response = client_for(user).post(BASE + "party-members/", {
        "name": "李", "gender": "male", "kind": MemberKind.COMMUNITY, "group_id": mine.pk, "grid_id": stray.pk},
        format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "该党员的服务网格不在所在党小组的覆盖网格内"


def test_handler_gets_403(tree, towns):
    assert client_for(keeper(tree.town_a1, Role.HANDLER)).get(BASE + "party-groups/").status_code == 403


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "members.xlsx"
    return out


def test_import_is_all_or_nothing_with_row_errors(tree, towns):
    user, mine, _other = towns
    code = mine.grids.get().code
    header = ["姓名", "性别", "联系电话", "党员类型", "服务网格编码", "工作单位", "报到社区"]
    bad = _xlsx([header, ["甲", "男", "13800000001", "社区党员", code, "", ""],
                 ["乙", "女", "", "在职党员到社区报到", code, "", ""],
                 ["甲", "男", "13800000001", "社区党员", code, "", ""],
                 ["丙", "女", "", "社区党员", "999999999999999", "", ""]])
    before = PartyMember.objects.count()
    response = client_for(user).post(BASE + "party-members/import/", {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert response.json()["extra"]["rows"] == [
        {"row": 3, "message": "在职党员请填写工作单位"},
        {"row": 4, "message": "与第 2 行重复"},
        {"row": 5, "message": "未找到网格编码“999999999999999”"},
    ]
    assert PartyMember.objects.count() == before
    good = _xlsx([header, ["甲", "男", "13800000001", "社区党员", code, "", ""],
                  ["乙", "女", "", "在职党员到社区报到", code, "区法院", "云梦堤社区"]])
    response = client_for(user).post(BASE + "party-members/import/", {"file": good}, format="multipart")
    assert response.json() == {"imported": 2}
    assert PartyMember.objects.get(name="乙").reported_community == tree.village_a1x


def test_stats_endpoint_counts_only_the_jurisdiction(tree, towns):
    user, _mine, _other = towns
    body = client_for(user).get(BASE + "party-stats/?year=2026&level=village").json()
    assert (body["grids"], body["covered"], body["groups_single"], body["groups_joint"]) == (1, 1, 1, 0)
    assert body["volunteer_hours"] == "3.0"
    assert [row["region_name"] for row in body["coverage"]] == ["云梦堤社区"]


def test_schema_lists_the_endpoints(tree):
    schema = client_for(keeper(tree.town_a1)).get("/api/schema/?format=json").json()
    for path in ("party-groups/", "party-members/", "party-activities/", "party-stats/", "resident-units/"):
        assert f"/api/v1/{path}" in schema["paths"]
