"""三调联动 and 诉调对接: referrals to registered organisations covering the case's place, with
their own time limits, one open at a time; 司法确认 of an agreement within 30 days."""
import datetime as dt

import pytest

from disputes import services
from disputes.models import (
    CaseState,
    Mediation,
    MediationOrganisation,
    MediationOutcome,
    OrganisationKind,
    ReferralKind,
    ReferralStatus,
)
from governance.errors import Conflict, InvalidInput, NotFound
from governance.workdays import add_days

pytestmark = pytest.mark.django_db


def _agreement(world, case, held_at):
    return Mediation.objects.create(case=case, mediators="王调解员", held_at=held_at, created_by=world.handler,
                                    outcome=MediationOutcome.AGREEMENT, agreement_content="赔偿500元")


def test_a_referral_goes_to_a_registered_organisation_with_its_own_time_limit(world):
    committee, _court = world.organisations()
    case = world.case_in(CaseState.IN_PROGRESS)
    referral = services.case_refer(actor=world.handler, case_id=case.pk, kind=ReferralKind.PEOPLES,
                                   organisation_id=committee.pk, note="转村调委会")
    assert referral.status == ReferralStatus.OPEN
    # the seeded limit: 30 natural days
    assert referral.due_at == add_days(referral.created_at, 30, working=False).due_at
    with pytest.raises(Conflict):  # one open referral per case
        services.case_refer(actor=world.handler, case_id=case.pk, kind=ReferralKind.PEOPLES,
                            organisation_id=committee.pk)
    done = services.case_referral_result(actor=world.handler, case_id=case.pk, outcome=ReferralStatus.RESOLVED,
                                         note="调委会调解成功")
    assert (done.status, done.result) == (ReferralStatus.RESOLVED, "调委会调解成功")
    assert list(case.events.filter(action__in=["refer", "referral_result"]).values_list("action", flat=True)) == [
        "refer", "referral_result"]


def test_wrong_organisations_and_outcomes_are_refused_with_nothing_written(world):
    committee, court = world.organisations()
    case = world.case_in(CaseState.IN_PROGRESS)
    far = MediationOrganisation.objects.create(name="城关社区人民调解委员会", kind=OrganisationKind.PEOPLES_COMMITTEE,
                                               region=world.tree.village_b1x)
    with pytest.raises(NotFound):  # not covering the case's place
        services.case_refer(actor=world.handler, case_id=case.pk, kind="peoples", organisation_id=far.pk)
    with pytest.raises(InvalidInput):  # a court does not take people's mediation
        services.case_refer(actor=world.handler, case_id=case.pk, kind="peoples", organisation_id=court.pk)
    with pytest.raises(InvalidInput):  # 司法确认 goes from an agreement, not from here
        services.case_refer(actor=world.handler, case_id=case.pk, kind="judicial_confirmation",
                            organisation_id=court.pk)
    with pytest.raises(Conflict):  # no open referral to answer
        services.case_referral_result(actor=world.handler, case_id=case.pk, outcome="resolved", note="x")
    services.case_refer(actor=world.handler, case_id=case.pk, kind="pre_litigation", organisation_id=court.pk)
    with pytest.raises(InvalidInput):  # a pre-litigation mediation is not "confirmed"
        services.case_referral_result(actor=world.handler, case_id=case.pk, outcome="confirmed", note="x")
    assert case.referrals.count() == 1


def test_judicial_confirmation_of_an_agreement_within_30_days(world):
    _committee, court = world.organisations()
    case = world.case_in(CaseState.RESOLVED)
    now = case.events.latest("id").created_at
    fresh = _agreement(world, case, now - dt.timedelta(days=30) + dt.timedelta(seconds=5))
    stale = _agreement(world, case, now - dt.timedelta(days=31))
    ongoing = Mediation.objects.create(case=case, mediators="王", held_at=now, created_by=world.handler)
    with pytest.raises(InvalidInput):
        services.case_confirmation_request(actor=world.town_staff, case_id=case.pk, mediation_id=stale.pk,
                                           organisation_id=court.pk)
    with pytest.raises(InvalidInput):
        services.case_confirmation_request(actor=world.town_staff, case_id=case.pk, mediation_id=ongoing.pk,
                                           organisation_id=court.pk)
    referral = services.case_confirmation_request(actor=world.town_staff, case_id=case.pk, mediation_id=fresh.pk,
                                                  organisation_id=court.pk, note="双方共同申请")
    assert (referral.kind, referral.mediation) == (ReferralKind.JUDICIAL_CONFIRMATION, fresh)
    assert referral.due_at == add_days(referral.created_at, 3, working=False).due_at
    back = services.case_referral_result(actor=world.town_staff, case_id=case.pk, outcome="confirmed",
                                         note="法院裁定确认调解协议有效")
    assert back.status == ReferralStatus.CONFIRMED


def test_an_agreement_is_sealed_by_the_registered_committee_that_mediated(world):
    committee, court = world.organisations()
    case = world.case_in(CaseState.IN_PROGRESS)
    mediation = services.mediation_record(actor=world.handler, case_id=case.pk, data=services.MediationInput(
        mediators="王调解员", held_at=case.created_at, mediated_by_id=committee.pk))
    assert mediation.mediated_by == committee
    with pytest.raises(InvalidInput):  # a court does not mediate as a committee
        services.mediation_record(actor=world.handler, case_id=case.pk, data=services.MediationInput(
            mediators="王调解员", held_at=case.created_at, mediated_by_id=court.pk))
