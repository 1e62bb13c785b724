"""Every write to a case, one function per use case (see docs/how-to.md).

- `core`: the one transition helper, event builder, recipient rule and notification writer;
- `intake`: 一窗受理 (`case_register`);
- `workflow`: the state transitions from acceptance to the callback;
- `oversight`: extensions, supervision, the urgent flag, links;
- `records`: mediation, attachments, the audited reveal of personal data;
- `escalation`: 上报 and 越级上报 (the deadline sweep in `disputes.sweep` moves cases the
  same way).

`from disputes import services` then `services.case_accept(...)` is how other modules call
them; the names below are the package's public surface.
"""
from disputes.services.escalation import case_escalate, case_escalate_by_rule
from disputes.services.intake import CaseInput, PartyInput, case_register
from disputes.services.oversight import (
    case_extend_decide,
    case_extend_request,
    case_instruct,
    case_link,
    case_set_urgent,
    case_supervise,
    case_urge,
)
from disputes.services.records import (
    ALLOWED_ATTACHMENT_TYPES,
    MediationInput,
    attachment_add,
    mediation_record,
    party_reveal,
)
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

__all__ = [
    "ALLOWED_ATTACHMENT_TYPES", "CaseInput", "MediationInput", "PartyInput",
    "attachment_add", "case_accept", "case_callback", "case_dispatch", "case_escalate", "case_escalate_by_rule",
    "case_extend_decide", "case_extend_request", "case_handle", "case_instruct", "case_link", "case_progress",
    "case_register", "case_reject", "case_resolve", "case_return", "case_set_urgent", "case_sign",
    "case_supervise", "case_urge", "mediation_record", "party_reveal",
]
