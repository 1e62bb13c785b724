"""The administrators' recompute button: checks, progress back to 0, and the computation
queued after commit (assessment/tasks.py runs `period_compute`; the page polls progress)."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from assessment.models import AssessmentPeriod
from assessment.services.periods import frozen_conflict, period_for_update
from assessment.tasks import period_compute_task
from governance.errors import NotFound
from governance.models import RegionLevel, User
from governance.permissions import require
from governance.scoping import scope_for


@transaction.atomic
def period_compute_request(*, actor: User, period_id: int) -> AssessmentPeriod:
    scope = scope_for(actor)
    require(scope, "assessment.manage")
    period = period_for_update(period_id)
    if scope.level != RegionLevel.CITY or scope.region_id != period.region_id:
        raise NotFound(_("未找到该考核期"))
    if period.frozen:
        raise frozen_conflict(period)
    period.progress = 0
    period.save(update_fields=["progress", "updated_at"])
    transaction.on_commit(lambda: period_compute_task.delay(period.pk))
    return period
