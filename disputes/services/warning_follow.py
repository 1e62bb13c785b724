"""研判预警: a dispatcher's handling of a warning — acknowledge it (已确认: it stays in the
history) or assign its follow-up to someone in the jurisdiction (跟进中). Each is a
compare-and-set on the state the dispatcher saw, so of two concurrent acknowledgements one
wins and the other gets a Conflict (HTTP 409, a message on the page)."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from disputes.models import WARNING_TRANSITIONS, EarlyWarning, WarningState
from disputes.selectors.warnings import warning_get
from disputes.services.warnings import warning_url
from governance import clock
from governance import permissions as governance_permissions
from governance.errors import Conflict, InvalidInput, NotFound
from governance.models import Role, User
from governance.notifications import NotificationDraft, notifications_create, notifications_send_on_commit
from governance.scoping import scope_for

NOTE_MAX = 500


def _note(note: str | None, *, required: bool) -> str:
    text = (note or "").strip()
    if required and not text:
        raise InvalidInput(_("请填写跟进要求"), extra={"fields": {"note": _("请填写跟进要求")}})
    if len(text) > NOTE_MAX:
        message = _("不能超过%(limit)s个字") % {"limit": NOTE_MAX}
        raise InvalidInput(message, extra={"fields": {"note": message}})
    return text


def _move(*, actor: User, warning_id: Any, to_state: str, values: dict[str, Any]) -> EarlyWarning:
    scope = scope_for(actor)
    warning = warning_get(scope=scope, warning_id=warning_id)
    governance_permissions.require(scope, "disputes.warning_handle")
    allowed_from = [state for state, targets in WARNING_TRANSITIONS.items() if to_state in targets]
    if warning.state not in allowed_from:
        raise Conflict(_("该预警已处置，不能重复操作"), code="invalid_state", extra={"state": warning.state})
    now = clock.now()
    changes = {**values, "state": to_state, "handled_by_id": actor.pk, "handled_at": now}
    # Compare-and-set on the state read above. # Uses index: the primary key
    if not EarlyWarning.objects.filter(pk=warning.pk, state=warning.state).update(**changes, updated_at=now):
        raise Conflict(_("该预警已被他人处置，请刷新后重试"), code="stale")
    for name, value in changes.items():
        setattr(warning, name, value)
    warning.updated_at = now
    return warning


@transaction.atomic
def warning_acknowledge(*, actor: User, warning_id: Any, note: str = "") -> EarlyWarning:
    """已确认: the warning was looked at and dealt with; it leaves the active list."""
    return _move(actor=actor, warning_id=warning_id, to_state=WarningState.ACKNOWLEDGED,
                 values={"note": _note(note, required=False)})


@transaction.atomic
def warning_assign(*, actor: User, warning_id: Any, assignee_id: Any, note: str) -> EarlyWarning:
    """跟进: name who follows the warning up (active staff inside the actor's jurisdiction) and
    what to do; they are notified (unless they assigned it to themselves)."""
    scope = scope_for(actor)
    text = _note(note, required=True)
    try:
        assignee = User.objects.filter(pk=int(assignee_id), is_active=True, region__in=scope.regions()).exclude(
            role=Role.ADMINISTRATOR).first()
    except (TypeError, ValueError, OverflowError):
        assignee = None
    if assignee is None:
        raise NotFound(_("未找到该跟进人"))
    warning = _move(actor=actor, warning_id=warning_id, to_state=WarningState.FOLLOWING,
                    values={"note": text, "assignee_id": assignee.pk})
    if assignee.pk != actor.pk:
        ids = notifications_create(drafts=[NotificationDraft(
            recipient_id=assignee.pk, event_key=f"warning:{warning.pk}:assign:{int(warning.handled_at.timestamp())}",
            title=_("研判预警跟进：%(kind)s") % {"kind": warning.get_kind_display()}, body=f"{warning.label}\n{text}",
            link=warning_url(warning.pk))])
        notifications_send_on_commit(ids)
    return warning
