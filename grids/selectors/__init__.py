"""Grid reads, one module per part: grids (`grids`), workers and tenures (`workers`), field
work (`fieldwork`) and statistics with the assessment aggregates (`stats`). Every scoped
selector takes the Scope first and filters through it; aggregates that cross jurisdictions
are named unscoped_*. Other apps reach these through grids.contract."""
from grids.selectors.fieldwork import (
    hazard_get,
    hazard_list,
    patrol_get,
    patrol_list,
    screening_list,
    screening_missing,
)
from grids.selectors.grids import (
    GRID_CASES_LIMIT,
    GridCounts,
    grid_active_in_village,
    grid_by_code,
    grid_code_taken,
    grid_get,
    grid_list,
    grid_list_current,
    grid_queryset,
    unscoped_active_grid_ids_by_village,
    unscoped_grid_counts_by_region,
)
from grids.selectors.workers import (
    grid_workers_current,
    tenure_get,
    tenure_list,
    tenure_overlap,
    tenure_starting,
    training_list,
    vacant_grids,
    worker_by_username,
    worker_choices,
    worker_get,
    worker_holds_grid,
)

__all__ = [
    "GRID_CASES_LIMIT", "GridCounts", "grid_active_in_village", "grid_by_code", "grid_code_taken", "grid_get", "grid_list",
    "grid_list_current", "grid_queryset", "grid_workers_current", "hazard_get", "hazard_list", "patrol_get",
    "patrol_list", "screening_list", "screening_missing", "tenure_get", "tenure_list", "tenure_overlap", "tenure_starting",
    "training_list", "unscoped_active_grid_ids_by_village", "unscoped_grid_counts_by_region", "vacant_grids",
    "worker_choices", "worker_by_username", "worker_get", "worker_holds_grid",
]
