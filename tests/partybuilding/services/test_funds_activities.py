import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connections

from governance.errors import Conflict, InvalidInput
from governance.models import Role
from partybuilding import services
from partybuilding.models import Activity, ActivityKind, ExpenseState, FundExpense, PartyFund
from tests.factories import GridFactory
from tests.partybuilding.factories import DAY, group, keeper, member

SPENT = dt.date(2026, 3, 2)


def submit(actor, village, amount, purpose="党员活动室桌椅"):
    return services.expense_submit(actor=actor, region_id=village.pk, purpose=purpose, amount=amount,
                                   spent_on=SPENT)


@pytest.mark.django_db
def test_expense_within_balance_opens_the_default_fund_and_commits(tree):
    actor = keeper(tree.town_a1)
    expense = submit(actor, tree.village_a1x, "4000")
    fund = PartyFund.objects.get()
    assert (fund.amount, fund.committed, fund.year) == (Decimal("15000.00"), Decimal("4000.00"), 2026)
    assert expense.state == ExpenseState.PENDING and expense.village_id == tree.village_a1x.pk


@pytest.mark.django_db
def test_expense_over_the_balance_is_refused_and_nothing_saved(tree):
    actor = keeper(tree.town_a1)
    submit(actor, tree.village_a1x, "14000")
    with pytest.raises(InvalidInput) as err:
        submit(actor, tree.village_a1x, "1000.01")
    assert err.value.code == "over_balance" and "1000.00" in err.value.message
    assert FundExpense.objects.count() == 1
    assert PartyFund.objects.get().committed == Decimal("14000.00")


@pytest.mark.django_db
def test_expense_approved_by_its_submitter_is_refused(tree):
    clerk = keeper(tree.town_a1, Role.LEADER)
    expense = submit(clerk, tree.village_a1x, "100")
    with pytest.raises(InvalidInput) as err:
        services.expense_decide(actor=clerk, expense_id=expense.pk, approve=True)
    assert err.value.code == "same_person"
    assert FundExpense.objects.get().state == ExpenseState.PENDING


@pytest.mark.django_db
def test_second_person_approves_once_and_rejection_frees_the_amount(tree):
    clerk, leader = keeper(tree.town_a1), keeper(tree.town_a1, Role.LEADER)
    approved, rejected = submit(clerk, tree.village_a1x, "100"), submit(clerk, tree.village_a1x, "300")
    services.expense_decide(actor=leader, expense_id=approved.pk, approve=True)
    with pytest.raises(Conflict):
        services.expense_decide(actor=leader, expense_id=approved.pk, approve=False)
    services.expense_decide(actor=leader, expense_id=rejected.pk, approve=False)
    assert PartyFund.objects.get().committed == Decimal("100.00")
    assert FundExpense.objects.get(pk=approved.pk).decided_by == leader


@pytest.mark.django_db
def test_fund_cannot_be_set_below_what_is_committed(tree):
    leader = keeper(tree.town_a1, Role.LEADER)
    submit(leader, tree.village_a1x, "5000")
    with pytest.raises(InvalidInput, match="5000.00"):
        services.fund_set(actor=leader, region_id=tree.village_a1x.pk, year=2026, amount="4999")
    assert services.fund_set(actor=leader, region_id=tree.village_a1x.pk, year=2026, amount="20000").amount == 20000


@pytest.mark.postgres  # SQLite serialises writers; the race needs two real connections
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_expenses_cannot_overdraw(tree, reference_data):
    actor = keeper(tree.town_a1)
    submit(actor, tree.village_a1x, "5000")  # the fund exists; 10,000 left
    barrier, outcomes = threading.Barrier(2), []

    def spend():
        try:
            barrier.wait()
            submit(actor, tree.village_a1x, "6000")
            outcomes.append("ok")
        except InvalidInput:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert PartyFund.objects.get().committed == Decimal("11000.00")


@pytest.mark.django_db
def test_activity_attendees_must_be_the_groups_members(tree):
    actor = keeper(tree.town_a1)
    grp = group(actor, [GridFactory(region=tree.village_a1x)])
    other = group(actor, [GridFactory(region=tree.village_a1y)], name="另一党小组")
    mine, stranger = member(actor, grp), member(actor, other, name="李四")
    data = dict(kind=ActivityKind.GROUP_MEETING, held_on=DAY, place="党群服务中心", topic="学习", hours="1.5",
                group_id=grp.pk)
    with pytest.raises(InvalidInput, match="本党小组"):
        services.activity_log(actor=actor, data=services.ActivityInput(**data, attendee_ids=[mine.pk, stranger.pk]))
    assert Activity.objects.count() == 0
    made = services.activity_log(actor=actor, data=services.ActivityInput(**data, attendee_ids=[mine.pk]))
    assert list(made.attendees.all()) == [mine] and made.hours == Decimal("1.5")
    assert made.region == tree.village_a1x


@pytest.mark.django_db
def test_activity_hours_and_date_are_checked(tree):
    actor = keeper(tree.town_a1)
    grp = group(actor, [GridFactory(region=tree.village_a1x)])
    base = dict(kind=ActivityKind.LECTURE, place="活动室", topic="党课", group_id=grp.pk)
    with pytest.raises(InvalidInput, match="时长"):
        services.activity_log(actor=actor, data=services.ActivityInput(**base, held_on=DAY, hours="0"))
    with pytest.raises(InvalidInput, match="晚于今天"):
        services.activity_log(actor=actor, data=services.ActivityInput(
            **base, held_on=dt.date.today() + dt.timedelta(days=3), hours="1"))
