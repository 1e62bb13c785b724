"""Scoped reads of 研判预警: the warnings list (with the cases behind each) and one warning.

A warning's region path is the deepest region all its cases share (disputes.services.
warnings), so `scope.filter` shows a township only the warnings wholly inside it and a
county the ones spanning its townships; the cases behind a warning are read through the
same scope again.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from disputes.models import Case, EarlyWarning, WarningKind, WarningState
from governance.errors import InvalidInput, NotFound
from governance.models import Role, User
from governance.scoping import Scope

WARNING_ORDERINGS = ("-created_at", "created_at", "-case_count", "case_count")
# The list filter "history" shows what was handled (acknowledged); "active" what is not.
STATE_GROUPS = {"active": (WarningState.OPEN, WarningState.FOLLOWING), "history": (WarningState.ACKNOWLEDGED,)}


def parse_values(value: Any) -> list[str]:
    """A filter's values: "a,b", a list, or one value."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)]


def _cases(scope: Scope) -> Prefetch:
    return Prefetch("cases", queryset=scope.filter(Case.objects.select_related("category", "village"))
                    .order_by("created_at", "id"), to_attr="scoped_cases")


def warning_list(*, scope: Scope, filters: Mapping[str, Any] | None = None) -> QuerySet[EarlyWarning]:
    """Warnings in the scope, newest first. Filters: state (a state, or "active"/"history"),
    kind, region (inside the scope; outside → NotFound), ordering.
    # Uses index: warning_<level>_state (the scope column leads)"""
    filters = filters or {}
    qs = scope.filter(EarlyWarning.objects.all())
    states: list[str] = []
    for value in parse_values(filters.get("state")):
        if value in STATE_GROUPS:
            states += STATE_GROUPS[value]
        elif value in WarningState.values:
            states.append(value)
        else:
            raise InvalidInput(_("预警状态无效"), extra={"fields": {"state": _("预警状态无效")}})
    if states:
        qs = qs.filter(state__in=states)
    kinds = parse_values(filters.get("kind"))
    if kinds:
        if not set(kinds) <= set(WarningKind.values):
            raise InvalidInput(_("预警类型无效"), extra={"fields": {"kind": _("预警类型无效")}})
        qs = qs.filter(kind__in=kinds)
    if filters.get("region") not in (None, ""):
        region = scope.region_in_scope(filters["region"])
        qs = qs.filter(**{f"{region.level}_id": region.pk})
    ordering = str(filters.get("ordering") or "-created_at")
    if ordering not in WARNING_ORDERINGS:
        raise InvalidInput(_("排序字段无效"), extra={"fields": {"ordering": _("排序字段无效")}})
    return (qs.select_related("rule", "assignee", "handled_by", "township", "county", "village")
            .prefetch_related(_cases(scope)).order_by(ordering, "-id"))


def warning_get(*, scope: Scope, warning_id: Any) -> EarlyWarning:
    """One warning inside the scope with its cases; outside or missing → NotFound."""
    try:
        pk = int(warning_id)
    except (TypeError, ValueError, OverflowError):
        raise NotFound(_("未找到该预警")) from None
    warning = (scope.filter(EarlyWarning.objects.all()).select_related("rule", "assignee", "handled_by")
               .prefetch_related(_cases(scope)).filter(pk=pk).first())
    if warning is None:
        raise NotFound(_("未找到该预警"))
    return warning


def warning_assignees(*, scope: Scope) -> QuerySet[User]:
    """Who may be given a warning's follow-up: active staff inside the scope (not administrators)."""
    return (User.objects.filter(is_active=True, region__in=scope.regions()).exclude(role=Role.ADMINISTRATOR)
            .select_related("region").order_by("region__code", "display_name", "id"))
