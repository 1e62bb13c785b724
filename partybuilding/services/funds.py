"""Writes of party-building funds. The balance (amount − committed, where committed counts
pending and approved expenses) is guarded by compare-and-set updates: one UPDATE raises
`committed` only while the balance covers the expense, so two concurrent expenses cannot
overdraw the fund; a check constraint (`party_fund_never_overdrawn`) backs it in the database.
An expense is approved or rejected by a second person, never by its submitter."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from governance import clock
from governance.errors import Conflict, InvalidInput
from governance.models import RegionLevel, User
from governance.permissions import require
from governance.scoping import scope_for
from partybuilding import selectors
from partybuilding.models import ExpenseState, FundExpense, PartyFund
from partybuilding.services.organisation import invalid, not_future, region_in_scope, required_text


def money(value, field_name: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise invalid(field_name, _("金额应为数字")) from None
    if amount <= 0 or amount >= Decimal("100000000"):
        raise invalid(field_name, _("金额应大于 0"))
    return amount


def fund_for(*, region, year: int) -> PartyFund:
    """The community's fund of the year, opened at the default amount on first use."""
    fund, _created = PartyFund.objects.get_or_create(region=region, year=year)
    return fund


@transaction.atomic
def fund_set(*, actor: User, region_id: int, year: int, amount) -> PartyFund:
    """Set a community's annual fund; never below what expenses already committed."""
    scope = scope_for(actor)
    require(scope, "partybuilding.fund_set")
    region = region_in_scope(scope, region_id, level=RegionLevel.VILLAGE)
    amount = money(amount, "amount")
    fund = fund_for(region=region, year=year)
    # Uses index: the primary key; committed in the WHERE makes it a compare-and-set.
    if not PartyFund.objects.filter(pk=fund.pk, committed__lte=amount).update(amount=amount):
        fund.refresh_from_db()
        raise invalid("amount", _("年度经费不能少于已占用的 %(n)s 元") % {"n": fund.committed})
    fund.refresh_from_db()
    return fund


@transaction.atomic
def expense_submit(*, actor: User, region_id: int, purpose: str, amount, spent_on: dt.date) -> FundExpense:
    """Submit an expense against the community's fund of its year; refused beyond the balance."""
    scope = scope_for(actor)
    require(scope, "partybuilding.expense_submit")
    region = region_in_scope(scope, region_id, level=RegionLevel.VILLAGE)
    purpose = required_text(purpose, "purpose", _("请填写用途"))
    amount = money(amount, "amount")
    if spent_on is None:
        raise invalid("spent_on", _("请填写支出日期"))
    not_future(spent_on, "spent_on")
    fund = fund_for(region=region, year=spent_on.year)
    # Uses index: the primary key. One UPDATE checks and takes the amount (compare-and-set).
    taken = PartyFund.objects.filter(pk=fund.pk, committed__lte=F("amount") - amount).update(
        committed=F("committed") + amount)
    if not taken:
        fund.refresh_from_db()
        raise InvalidInput(_("支出超出经费余额（余额 %(n)s 元）") % {"n": fund.balance}, code="over_balance",
                           extra={"fields": {"amount": _("超出经费余额")}, "balance": str(fund.balance)})
    return FundExpense.objects.create(fund=fund, purpose=purpose, amount=amount, spent_on=spent_on,
                                      submitted_by=actor)


@transaction.atomic
def expense_decide(*, actor: User, expense_id: int, approve: bool) -> FundExpense:
    """Approve or reject a pending expense (a second person); rejecting frees its amount."""
    scope = scope_for(actor)
    expense = selectors.expense_get(scope=scope, expense_id=expense_id)
    require(scope, "partybuilding.expense_decide")
    if expense.submitted_by_id == actor.pk:
        raise InvalidInput(_("经费支出须由他人审批，不能审批自己提交的支出"), code="same_person")
    state = ExpenseState.APPROVED if approve else ExpenseState.REJECTED
    now = clock.now()
    # Uses index: the primary key; state in the WHERE makes it a compare-and-set.
    if not FundExpense.objects.filter(pk=expense.pk, state=ExpenseState.PENDING).update(
            state=state, decided_by=actor, decided_at=now):
        raise Conflict(_("该支出已审批"), code="already_decided")
    if not approve:
        PartyFund.objects.filter(pk=expense.fund_id).update(committed=F("committed") - expense.amount)
    expense.refresh_from_db()
    return expense
