"""一票否决: proposed by a township or a department (a unit inside the proposer's jurisdiction),
decided by a leader at county level or above over the unit; in force for its duration (one
year by default), during which every period computed ranks the unit last and marks it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from assessment.models import Veto, VetoState
from disputes.contract import case_ids_in_scope
from governance import clock
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import RegionLevel, User
from governance.permissions import require
from governance.scoping import scope_for

RANKED_LEVELS = (RegionLevel.TOWNSHIP, RegionLevel.COUNTY)
DEFAULT_DAYS = 365


@transaction.atomic
def veto_propose(*, actor: User, unit_id: int, reason: str, case_ids: Sequence[int] = (), effect: str = "",
                 starts_on: dt.date | None = None, days: int = DEFAULT_DAYS) -> Veto:
    """Propose a veto of a unit (a township or county inside the proposer's jurisdiction)
    with its reason and the cases behind it."""
    scope = scope_for(actor)
    require(scope, "assessment.veto_propose")
    unit = scope.region_in_scope(unit_id)
    if unit.level not in RANKED_LEVELS:
        raise InvalidInput(_("只能对乡镇(街道)或县(区)提出一票否决"), extra={"fields": {"unit": _("被否决单位无效")}})
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写否决事由"), extra={"fields": {"reason": _("请填写否决事由")}})
    if not 1 <= int(days) <= 3 * 366:
        raise InvalidInput(_("否决期限须在1天到3年之间"), extra={"fields": {"days": _("否决期限无效")}})
    ids = sorted({int(i) for i in case_ids})
    found = case_ids_in_scope(scope=scope, case_ids=ids)
    if len(found) != len(ids):
        raise NotFound(_("未找到关联案件"))
    start = starts_on or clock.localdate()
    veto = Veto(unit=unit, reason=reason, proposed_by=actor, starts_on=start,
                ends_on=start + dt.timedelta(days=int(days) - 1))
    if effect.strip():
        veto.effect = effect.strip()
    veto.set_region(unit)
    veto.save()
    veto.cases.set(found)
    return veto


@transaction.atomic
def veto_decide(*, actor: User, veto_id: int, approve: bool) -> Veto:
    """Decide a proposed veto: only a leader of a county or city over the unit, above the
    unit's own level; a township deciding gets a clear refusal."""
    scope = scope_for(actor)
    require(scope, "assessment.veto_decide")
    if scope.level not in (RegionLevel.COUNTY, RegionLevel.CITY):
        raise Forbidden(_("一票否决须由县级以上决定，乡镇(街道)只能提出建议"), code="veto_level")
    veto = scope.filter(Veto.objects.select_for_update()).filter(pk=veto_id).first()
    if veto is None:
        raise NotFound(_("未找到该一票否决"))
    if not RegionLevel(scope.level).is_above(veto.unit.level):
        raise Forbidden(_("一票否决须由被否决单位的上级决定"), code="veto_level")
    if veto.state != VetoState.PROPOSED:
        raise Conflict(_("该一票否决已决定（%(state)s）") % {"state": veto.get_state_display()}, code="invalid_state")
    veto.state = VetoState.APPROVED if approve else VetoState.REJECTED
    veto.decided_by, veto.decided_at = actor, clock.now()
    veto.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    return veto
