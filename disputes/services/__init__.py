"""Every write to a case, one function per use case (see docs/how-to.md).

- `core`: the one transition helper, event builder, recipient rule and notification writer;
- `intake`: 一窗受理 (`case_register`);
- `workflow`: the state transitions from acceptance to the callback;
- `oversight`: extensions, supervision, the urgent flag, links;
- `records`: mediation, attachments, the audited reveal of personal data;
- `public`: residents' own writes without an account (online submission, their rating);
- `escalation`: 上报 and 越级上报 (the deadline sweep in `disputes.sweep` moves cases the
  same way).

`from disputes import services` then `services.case_accept(...)` is how other modules call
them; the names below are the package's public surface.
"""
from typing import Any

from disputes.actions import CaseAction
from disputes.services.escalation import case_escalate, case_escalate_by_rule
from disputes.services.intake import CaseInput, PartyInput, case_register
from disputes.services.joint import case_assist_report, case_assist_sign, case_assist_withdraw
from disputes.services.oversight import (
    case_extend_decide,
    case_extend_request,
    case_instruct,
    case_link,
    case_set_urgent,
    case_supervise,
    case_supervise_withdraw,
    case_urge,
)
from disputes.services.public import PublicCaseInput, case_rate_public, case_submit_public
from disputes.services.records import (
    ALLOWED_ATTACHMENT_TYPES,
    MediationInput,
    PartySecrets,
    attachment_add,
    mediation_record,
    mediation_record_fields,
    party_details_for_print,
    party_reveal,
)
from disputes.services.referrals import case_confirmation_request, case_refer, case_referral_result
from disputes.services.workflow import (
    case_accept,
    case_callback,
    case_dispatch,
    case_handle,
    case_progress,
    case_reject,
    case_resolve,
    case_return,
    case_sign,
)
from governance.models import User


def action_perform(action: CaseAction, *, actor: User, case_id: int, data: dict[str, Any]) -> Any:
    """Call the one service behind a row of the action table (disputes/actions.py) with its
    parsed input: the page form's `service_data()` or the API's validated serializer data."""
    kwargs = action.service_kwargs(dict(data)) if action.service_kwargs else dict(data)
    return globals()[action.service](actor=actor, case_id=case_id, **kwargs)


__all__ = [
    "action_perform",
    "ALLOWED_ATTACHMENT_TYPES", "CaseInput", "MediationInput", "PartyInput", "PartySecrets", "PublicCaseInput",
    "attachment_add", "case_accept", "case_assist_report", "case_assist_sign", "case_assist_withdraw", "case_callback",
    "case_confirmation_request", "case_dispatch", "case_escalate", "case_escalate_by_rule", "case_extend_decide",
    "case_extend_request", "case_handle", "case_instruct", "case_link", "case_progress", "case_rate_public",
    "case_refer", "case_referral_result", "case_register", "case_reject", "case_resolve", "case_return",
    "case_set_urgent", "case_sign", "case_submit_public", "case_supervise", "case_supervise_withdraw", "case_urge", "mediation_record",
    "mediation_record_fields", "party_details_for_print", "party_reveal",
]
