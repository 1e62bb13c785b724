"""Reads behind the printed documents (disputes/documents.py): each takes the Scope and a
case already loaded through it (`case_get`), and checks the case against the scope again,
so a document of a case outside the jurisdiction is NotFound like the case itself."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from disputes.models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseParty,
    CaseState,
    ExtensionRequest,
    Mediation,
    MediationOutcome,
    Supervision,
)
from governance.errors import NotFound
from governance.scoping import Scope

# The states a case is filed in (归档): its dossier can be printed.
FILED_STATES = frozenset({CaseState.CLOSED, CaseState.REJECTED})


def case_document_parties(*, scope: Scope, case: Case) -> list[CaseParty]:
    scope.require(case)
    return list(CaseParty.objects.filter(case_id=case.pk).order_by("id"))


def case_mediation_get(*, scope: Scope, case: Case, mediation_id: int, agreement: bool = False) -> Mediation:
    """One mediation of the case (with an agreement reached, when `agreement`); NotFound otherwise."""
    scope.require(case)
    mediations = Mediation.objects.filter(case_id=case.pk, pk=mediation_id).select_related("created_by")
    if agreement:
        mediations = mediations.filter(outcome=MediationOutcome.AGREEMENT)
    mediation = mediations.first()
    if mediation is None:
        raise NotFound(_("未找到该调解记录"))
    return mediation


def case_rejection(*, scope: Scope, case: Case) -> CaseEvent:
    """The 不予受理 event of a rejected case (its note is the reason, data["referral"] the
    route the party was told); NotFound when the case was not rejected."""
    scope.require(case)
    event = None
    if case.state == CaseState.REJECTED:
        # Uses index: case_event_case_time
        event = (CaseEvent.objects.filter(case_id=case.pk, action="reject").select_related("actor")
                 .order_by("-created_at", "-id").first())
    if event is None:
        raise NotFound(_("该案件未作不予受理决定"))
    return event


@dataclass(frozen=True)
class Dossier:
    """Everything the case file (卷宗) of a filed case prints."""

    case: Case
    parties: list[CaseParty]
    assignments: list[CaseAssignment]
    mediations: list[Mediation]
    supervisions: list[Supervision]
    extensions: list[ExtensionRequest]
    attachments: list[Attachment]
    events: list[CaseEvent]


def case_dossier(*, scope: Scope, case: Case) -> Dossier:
    """The whole record of a filed (closed or rejected) case; NotFound while it is open."""
    scope.require(case)
    if case.state not in FILED_STATES:
        raise NotFound(_("案件尚未归档"))
    return Dossier(
        case=case,
        parties=list(CaseParty.objects.filter(case_id=case.pk).order_by("id")),
        assignments=list(CaseAssignment.objects.filter(case_id=case.pk)
                         .select_related("department", "region", "assigned_by", "signed_by").order_by("id")),
        mediations=list(Mediation.objects.filter(case_id=case.pk).select_related("created_by")
                        .order_by("held_at", "id")),
        supervisions=list(Supervision.objects.filter(case_id=case.pk).select_related("by").order_by("id")),
        extensions=list(ExtensionRequest.objects.filter(case_id=case.pk)
                        .select_related("requested_by", "decided_by").order_by("id")),
        attachments=list(Attachment.objects.filter(case_id=case.pk).select_related("uploaded_by").order_by("id")),
        # Uses index: case_event_case_time
        events=list(CaseEvent.objects.filter(case_id=case.pk).select_related("actor").order_by("created_at", "id")),
    )
