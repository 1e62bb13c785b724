"""Every change to a case also goes to the kernel's append-only audit log (等保: state changes
are audited where the database refuses UPDATE and DELETE).

The case's own timeline (`CaseEvent`) stays the product's history, shown on the case page;
the audit row is its copy for the audit administrator: who, when, from which address, which
case, from → to. Both are written here, in the same transaction, so one never exists without
the other. A resident's online submission and rating are audited as `public.submit` and
`public.rate` (with the consent version and the rating) by services/public.py instead.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from disputes.actions import EVENT_LABELS
from disputes.models import CaseEvent
from governance.models import AuditLog
from governance.services import audit_record_many

TARGET_TYPE = "disputes.case"
PREFIX = "case."


def audit_labels() -> dict[str, Promise]:
    """The audit codes this app writes, with their labels (registered in DisputesConfig.ready)."""
    labels: dict[str, Promise] = {
        f"{PREFIX}{action}": format_lazy("{}：{}", _("案件"), label) for action, label in EVENT_LABELS.items()
    }
    labels.update({
        "party.reveal": _("查看当事人完整信息"),
        "party.print": _("打印含完整信息的文书"),
        "cases.export_reveal": _("导出含完整信息的案件"),
        "public.submit": _("群众网上提交"),
        "public.rate": _("群众评价"),
    })
    return labels


def region_of(row: object) -> int | None:
    """The most precise region of a case (a Case or a dict of its path columns)."""
    get = row.get if isinstance(row, Mapping) else (lambda name: getattr(row, name, None))
    for name in ("village_id", "township_id", "county_id", "city_id"):
        if get(name):
            return get(name)
    return None


def events_save(events: Sequence[CaseEvent], *, regions: Mapping[int, int | None]) -> None:
    """Insert timeline rows and their audit rows: one INSERT each (one row: save, which sets
    the primary key on every database). `regions` maps each case id to region_of(case)."""
    if not events:
        return
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        # Primary keys come back from the bulk insert (PostgreSQL; SQLite >= 3.35).
        CaseEvent.objects.bulk_create(events)
    audit_record_many(
        AuditLog(actor_id=event.actor_id, action=f"{PREFIX}{event.action}"[:50], target_type=TARGET_TYPE,
                 target_id=str(event.case_id), region_id=regions.get(event.case_id),
                 detail={"event": event.pk, "from": event.from_state, "to": event.to_state})
        for event in events
    )
