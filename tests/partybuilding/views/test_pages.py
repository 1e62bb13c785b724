"""The party-building pages: scoped (another township's rows are 404 or absent), the group
journey (create a 联建 group, add a member, log a 党小组会), reminders, funds, stats, export."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from governance.models import Role
from partybuilding.models import (
    Activity,
    ActivityKind,
    FundExpense,
    JointAgreement,
    JointMeeting,
    PartyGroup,
    PartyMember,
    ResidentUnit,
)
from tests.factories import GridFactory
from tests.partybuilding.factories import grids, group, keeper, member, organisation

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two_towns(tree):
    """A group in A1 (七一路) and one in B1 (城关)."""
    mine_user, other_user = keeper(tree.town_a1), keeper(tree.town_b1)
    mine = group(mine_user, [GridFactory(region=tree.village_a1x)], name="云梦堤一网格党小组")
    other = group(other_user, [GridFactory(region=tree.village_b1x)], name="城关一网格党小组")
    return mine_user, mine, other


def test_group_list_shows_only_the_jurisdictions_groups_and_its_coverage(tree, two_towns):
    user, mine, other = two_towns
    GridFactory(region=tree.village_a1y)  # an uncovered grid of A1
    body = client_for(user).get(reverse("partybuilding:groups")).content.decode()
    assert mine.name in body and other.name not in body
    assert 'data-testid="coverage">1 / 2<' in body


@pytest.mark.parametrize("name", ["partybuilding:group", "partybuilding:member_add", "partybuilding:activity_log"])
def test_another_townships_group_is_404(tree, two_towns, name):
    user, _mine, other = two_towns
    assert client_for(user).get(reverse(name, args=[other.pk])).status_code == 404


def test_a_handler_is_refused_the_pages(tree):
    assert client_for(keeper(tree.town_a1, Role.HANDLER)).get(reverse("partybuilding:groups")).status_code == 403


def test_township_user_creates_a_joint_group_adds_a_member_and_logs_a_group_meeting(tree):
    user = keeper(tree.town_a1)
    first, second = grids(tree.village_a1x)
    client = client_for(user)
    response = client.post(reverse("partybuilding:group_create"), {
        "name": "云梦堤联建党小组", "kind": "joint", "grid_ids": [first.pk, second.pk], "established_on": "2026-01-05"})
    made = PartyGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("partybuilding:group", args=[made.pk])
    assert sorted(made.grids.values_list("pk", flat=True)) == sorted([first.pk, second.pk])
    client.post(reverse("partybuilding:member_add", args=[made.pk]), {
        "name": "王芳", "gender": "female", "kind": "community", "grid_id": second.pk, "phone": "13912345678"})
    person = PartyMember.objects.get()
    assert person.group == made and person.grid == second
    response = client.post(reverse("partybuilding:activity_log", args=[made.pk]), {
        "kind": ActivityKind.GROUP_MEETING, "held_on": "2026-01-06", "place": "社区活动室", "topic": "学习党章",
        "hours": "2", "attendee_ids": [person.pk]})
    assert response.status_code == 302
    assert list(Activity.objects.get().attendees.all()) == [person]
    page = client.get(reverse("partybuilding:group", args=[made.pk]) + "?month=2026-1").content.decode()
    assert "王芳" in page and "139****5678" in page and "13912345678" not in page and "学习党章" in page


def test_single_group_with_two_grids_shows_the_field_error(tree):
    user = keeper(tree.town_a1)
    first, second = grids(tree.village_a1x)
    response = client_for(user).post(reverse("partybuilding:group_create"), {
        "name": "错", "kind": "single", "grid_ids": [first.pk, second.pk], "established_on": "2026-01-05"})
    assert response.status_code == 200 and "单建党小组只能覆盖一个网格" in response.content.decode()
    assert PartyGroup.objects.count() == 0


def test_group_create_offers_only_the_jurisdictions_grids(tree):
    mine, other = GridFactory(region=tree.village_a1x), GridFactory(region=tree.village_b1x)
    body = client_for(keeper(tree.town_a1)).get(reverse("partybuilding:group_create")).content.decode()
    assert f'value="{mine.pk}"' in body and other.name not in body


def test_reminder_shows_for_a_group_without_a_group_meeting_this_month(tree, two_towns):
    user, mine, _other = two_towns
    body = client_for(user).get(reverse("partybuilding:group", args=[mine.pk])).content.decode()
    assert body.count('data-testid="reminder"') == 2  # no 党小组会 this month, no 党课 this quarter


def test_funds_page_submits_and_a_second_person_approves(tree):
    clerk, leader = keeper(tree.town_a1), keeper(tree.town_a1, Role.LEADER)
    response = client_for(clerk).post(reverse("partybuilding:funds"), {
        "expense": "1", "region_id": tree.village_a1x.pk, "purpose": "党员学习资料", "amount": "800",
        "spent_on": "2026-01-03"})
    assert response.status_code == 302
    expense = FundExpense.objects.get()
    response = client_for(leader).post(reverse("partybuilding:expense_decide", args=[expense.pk]),
                                       {"decision": "approve", "year": "2026"})
    assert response.status_code == 302
    expense.refresh_from_db()
    assert expense.state == "approved" and expense.decided_by == leader
    body = client_for(keeper(tree.town_b1, Role.LEADER)).get(reverse("partybuilding:funds") + "?year=2026")
    assert "党员学习资料" not in body.content.decode()
    assert client_for(keeper(tree.town_b1, Role.LEADER)).post(
        reverse("partybuilding:expense_decide", args=[expense.pk]), {"decision": "reject"}).status_code == 404


def test_expense_over_balance_is_a_field_error(tree):
    response = client_for(keeper(tree.town_a1)).post(reverse("partybuilding:funds"), {
        "expense": "1", "region_id": tree.village_a1x.pk, "purpose": "超支", "amount": "15000.01",
        "spent_on": "2026-01-03"})
    assert response.status_code == 200 and "超出经费余额" in response.content.decode()
    assert FundExpense.objects.count() == 0


def test_stats_page_and_export_count_only_the_jurisdiction(tree, two_towns):
    user, mine, _other = two_towns
    member(user, mine)
    client = client_for(user)
    body = client.get(reverse("partybuilding:stats") + "?level=village").content.decode()
    assert 'data-testid="coverage">1 / 1<' in body and 'data-testid="split">1 / 0<' in body
    assert "城关社区" not in body
    response = client.get(reverse("partybuilding:stats") + "?level=village&year=2026&format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["网格覆盖"].iter_rows(values_only=True))
    assert rows[1] == ("云梦堤社区", 1, 1, 1.0, 1, 1.0)
    assert rows[-1][:3] == ("合计", 1, 1)
    assert all(row[0] != "城关社区" for row in rows)


def test_units_page_adds_a_unit_and_refuses_a_reversed_term(tree):
    user = keeper(tree.town_a1)
    org = organisation(user, tree.village_a1x)
    client = client_for(user)
    client.post(reverse("partybuilding:units"), {"unit": "1", "name": "区税务局", "kind": "organ",
                                                  "region_id": tree.village_a1x.pk, "head_name": "赵六"})
    unit = ResidentUnit.objects.get()
    response = client.post(reverse("partybuilding:units"), {
        "term": "1", "unit_id": unit.pk, "organisation_id": org.pk, "person_name": "",
        "term_start": "2026-03-01", "term_end": "2026-01-01"})
    assert "任期结束日期不能早于开始日期" in response.content.decode()
    assert unit.region == tree.village_a1x and unit.part_time_members.count() == 0


def test_member_import_page_reports_row_errors_and_saves_nothing(tree, two_towns):
    user, mine, _other = two_towns
    grid = mine.grids.get()
    csv = ("姓名,性别,联系电话,党员类型,服务网格编码\n"
           f"甲,男,13800000001,社区党员,{grid.code}\n"
           f"甲,男,13800000001,社区党员,{grid.code}\n").encode()
    response = client_for(user).post(reverse("partybuilding:member_import"),
                                     {"file": SimpleUploadedFile("members.csv", csv)})
    body = response.content.decode()
    assert "第 3 行：与第 2 行重复" in body and PartyMember.objects.count() == 0


def test_group_change_page_sets_the_leader_and_keeps_history(tree, two_towns):
    user, mine, other = two_towns
    person = member(user, mine, name="组长甲")
    client = client_for(user)
    grid_ids = list(mine.grids.values_list("pk", flat=True))
    response = client.post(reverse("partybuilding:group_change", args=[mine.pk]),
                           {"grid_ids": grid_ids, "leader_id": person.pk, "note": "选举"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.leader == person
    assert list(mine.changes.values_list("note", "leader_name"))[0] == ("选举", "组长甲")
    assert client.get(reverse("partybuilding:group_change", args=[other.pk])).status_code == 404


def test_units_page_records_an_agreement_and_a_meeting(tree):
    user = keeper(tree.town_a1)
    org = organisation(user, tree.village_a1x)
    client = client_for(user)
    client.post(reverse("partybuilding:units"), {"unit": "1", "name": "区税务局", "kind": "organ",
                                                  "region_id": tree.village_a1x.pk})
    unit = ResidentUnit.objects.get()
    scan = SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(reverse("partybuilding:units"), {
        "agreement": "1", "organisation_id": org.pk, "unit_ids": [unit.pk], "signed_on": "2026-01-02",
        "commitments": "共建志愿服务", "scan": scan})
    assert response.status_code == 302
    assert list(JointAgreement.objects.get().units.all()) == [unit]
    client.post(reverse("partybuilding:units"), {"meeting": "1", "organisation_id": org.pk, "held_on": "2026-01-03",
                                                  "attendees": "委员", "decisions": "定清单"})
    assert JointMeeting.objects.get().decisions == "定清单"
    body = client_for(keeper(tree.town_b1)).get(reverse("partybuilding:units")).content.decode()
    assert "共建志愿服务" not in body and "定清单" not in body
