"""三调联动 and 诉调对接: referring a case to another mediation organisation — people's
mediation, administrative mediation by the competent department, the court's 诉前调解 — or an
agreement to the court for 司法确认, and recording what came back.

Each referral goes to a registered organisation whose region covers the case's place, has its
own time limit (TimeLimitPolicy steps "referral" and "confirm"), and is at most one open per
case (the database holds it). The case's own workflow goes on: a referral is a step of its
handling, not a change of its state.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from disputes import deadlines
from disputes.models import (
    REFERRAL_TAKERS,
    Case,
    DayKind,
    Mediation,
    MediationOrganisation,
    MediationOutcome,
    Referral,
    ReferralKind,
    ReferralStatus,
)
from disputes.services.core import TransitionContext, owning_center, parse_id, required_text, transition
from governance.errors import Conflict, InvalidInput, NotFound
from governance.models import User
from governance.workdays import add_days

# 司法确认: the parties apply jointly within 30 days of the agreement taking effect (人民调解法
# art. 33); the agreement takes effect when the parties and mediators sign it, which the record
# dates by `held_at`.
CONFIRMATION_WINDOW = dt.timedelta(days=30)
# What may come back, per kind of referral.
OUTCOMES = {
    ReferralKind.JUDICIAL_CONFIRMATION: {ReferralStatus.CONFIRMED, ReferralStatus.NOT_CONFIRMED,
                                         ReferralStatus.RETURNED},
}
MEDIATION_OUTCOMES = {ReferralStatus.RESOLVED, ReferralStatus.FAILED, ReferralStatus.RETURNED}


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, extra={"fields": {field: message}})


def organisation_for(case: Case, organisation_id: Any, *, kind: str) -> MediationOrganisation:
    """The registered, active organisation `organisation_id` when its region covers the case's
    place (a village committee of the case's village, a county court of its county) and it
    takes `kind` referrals; NotFound otherwise."""
    pk = parse_id(organisation_id, _("该调解组织"))
    org = MediationOrganisation.objects.select_related("region").filter(pk=pk, is_active=True).first()
    if org is None or getattr(case, f"{org.region.level}_id") != org.region_id:
        raise NotFound(_("未找到该调解组织"))
    if org.kind not in REFERRAL_TAKERS.get(kind, ()):
        raise _invalid("organisation_id", _("「%(org)s」不受理此类转办") % {"org": org.name})
    return org


def _due(case: Case, step: str, now: dt.datetime) -> dt.datetime | None:
    limit = deadlines.TimeLimits.load(level=case.owning_level, step=step, category=case.category).limit(
        level=case.owning_level, step=step, category_id=case.category_id)
    if limit is None:
        return None
    days, kind = limit
    return add_days(now, days, working=kind == DayKind.WORKING).due_at


def _open(ctx: TransitionContext, *, kind: str, org: MediationOrganisation, mediation: Mediation | None,
          note: str, step: str) -> Referral:
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                case=ctx.case, kind=kind, organisation=org, mediation=mediation, note=note, created_at=ctx.now,
                created_by=ctx.actor, due_at=_due(ctx.case, step, ctx.now))
    except IntegrityError:
        raise Conflict(_("本案已有办理中的转办，请待其结果后再转"), code="referral_open") from None
    ctx.data.update(referral_id=referral.pk, kind=kind, organisation_id=org.pk, organisation=org.name,
                    due_at=referral.due_at.isoformat() if referral.due_at else None)
    ctx.result = referral
    return referral


@transaction.atomic
def case_refer(*, actor: User, case_id: int, kind: str, organisation_id: int, note: str = "") -> Referral:
    """转调 / 诉前调解: refer the case to people's or administrative mediation, or to the court."""
    if kind not in ReferralKind.values or kind == ReferralKind.JUDICIAL_CONFIRMATION:
        raise _invalid("kind", _("请选择转调类型（司法确认请在调解协议处申请）"))

    def after(ctx: TransitionContext) -> None:
        org = organisation_for(ctx.case, organisation_id, kind=kind)
        _open(ctx, kind=kind, org=org, mediation=None, note=(note or "").strip(), step="referral")

    return transition(actor=actor, case_id=case_id, action="refer", note=(note or "").strip(), after=after,
                      recipients=owning_center).result


@transaction.atomic
def case_confirmation_request(*, actor: User, case_id: int, mediation_id: int, organisation_id: int,
                              note: str = "") -> Referral:
    """申请司法确认: a mediation agreement of this case goes to the court within 30 days of
    taking effect; the court answers within its own time limit."""
    pk = parse_id(mediation_id, _("该调解协议"))

    def after(ctx: TransitionContext) -> None:
        mediation = Mediation.objects.filter(pk=pk, case_id=ctx.case.pk).first()
        if mediation is None:
            raise NotFound(_("未找到该调解协议"))
        if mediation.outcome != MediationOutcome.AGREEMENT:
            raise _invalid("mediation_id", _("只有达成的调解协议可以申请司法确认"))
        if ctx.now > mediation.held_at + CONFIRMATION_WINDOW:
            raise _invalid("mediation_id", _("调解协议生效已超过30日，不能再申请司法确认"))
        org = organisation_for(ctx.case, organisation_id, kind=ReferralKind.JUDICIAL_CONFIRMATION)
        _open(ctx, kind=ReferralKind.JUDICIAL_CONFIRMATION, org=org, mediation=mediation,
              note=(note or "").strip(), step="confirm")
        ctx.data["mediation_id"] = mediation.pk

    return transition(actor=actor, case_id=case_id, action="confirm_request", note=(note or "").strip(),
                      after=after, recipients=owning_center).result


@transaction.atomic
def case_referral_result(*, actor: User, case_id: int, outcome: str, note: str) -> Referral:
    """What came back from the open referral: confirmed / not confirmed (司法确认), mediated
    successfully or not, or returned."""
    note = required_text(note, "note", _("请填写结果说明"))

    def after(ctx: TransitionContext) -> None:
        referral = Referral.objects.filter(case_id=ctx.case.pk, status=ReferralStatus.OPEN).first()
        if referral is None:
            raise Conflict(_("本案没有办理中的转办"), code="no_open_referral")
        if outcome not in OUTCOMES.get(referral.kind, MEDIATION_OUTCOMES):
            raise _invalid("outcome", _("该转办的结果只能是：%(choices)s") % {"choices": "、".join(
                str(ReferralStatus(s).label) for s in sorted(OUTCOMES.get(referral.kind, MEDIATION_OUTCOMES)))})
        if not Referral.objects.filter(pk=referral.pk, status=ReferralStatus.OPEN).update(
                status=outcome, result=note, decided_at=ctx.now, decided_by=ctx.actor):
            raise Conflict(_("该转办已有结果"), code="stale")
        referral.refresh_from_db()
        ctx.result = referral
        ctx.data.update(referral_id=referral.pk, kind=referral.kind, outcome=outcome)

    return transition(actor=actor, case_id=case_id, action="referral_result", note=note, after=after,
                      recipients=owning_center).result
