"""Cases by state and card for the dashboard: from the workers' rollup (CaseTally) while it is
fresh, else counted live from the cases. Both answer the same rows — (child region,) state,
card, number — through the viewer's scope, so the figures and charts do not care which one
answered; the screen says how old a rolled-up number is (docs/dashboard.md).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Sum

from disputes.models import Case, CaseTally, CaseTallyRun
from governance.models import Region
from governance.scoping import Scope

# The rollup is shown while it is younger than this many refresh intervals; older (the workers
# or beat stopped), the dashboard counts live again rather than show stale numbers.
STALE_AFTER_INTERVALS = 5


def tally_seconds() -> int:
    """DASHBOARD_TALLY_SECONDS: how often the workers recount (0: no rollup, always live)."""
    return max(0, int(getattr(settings, "DASHBOARD_TALLY_SECONDS", 60)))


def tally_counted_at(*, now: dt.datetime) -> dt.datetime | None:
    """When the rollup was counted, if recently enough to be shown; None: count live."""
    seconds = tally_seconds()
    if not seconds:
        return None
    # Uses index: the primary key (one row)
    counted_at = CaseTallyRun.objects.filter(pk=1).values_list("counted_at", flat=True).first()
    if counted_at is None or now - counted_at > dt.timedelta(seconds=STALE_AFTER_INTERVALS * seconds):
        return None
    return counted_at


def state_card_rows(*, scope: Scope, region: Region | None = None, by: str | None = None,
                    tallied: bool) -> list[tuple]:
    """(`by` column value,) state, card, number of the scope's cases (narrowed to `region`,
    inside the scope): from the rollup when `tallied`, else from the cases."""
    if tallied:
        # Uses index: disputes_casetally_<level>_id (a county's ~4,000 rows of 40,000 in a city)
        rows, number = scope.filter(CaseTally.objects.all()), Sum("count")
    else:
        # Uses index: case_<level>_dash (index-only)
        rows, number = scope.filter(Case.objects.all()), Count("*")
    if region is not None:
        rows = rows.filter(**{f"{region.level}_id": region.pk})
    fields = [by, "state", "warning_level"] if by else ["state", "warning_level"]
    return list(rows.order_by().values_list(*fields).annotate(n=number))
