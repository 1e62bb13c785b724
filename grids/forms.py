"""Form pieces of the grids app that other apps' forms use (a case's grid select)."""
from __future__ import annotations

from django.db.models import QuerySet

from governance.scoping import Scope
from grids.models import Grid


def grid_queryset(scope: Scope, village_id: int | None) -> QuerySet[Grid]:
    """Active grids inside the scope, limited to one village when it is known."""
    grids = scope.filter(Grid.objects.filter(is_active=True))
    if village_id:
        grids = grids.filter(region_id=village_id)
    return grids.order_by("code")
