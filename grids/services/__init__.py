"""Grid writes, one module per part: grids (create, edit, split, merge), workers (tenures,
training), field work (patrols, screening, hazards) and imports. Each is keyword-only,
atomic, takes the acting user and raises the governance error vocabulary."""
from grids.services.fieldwork import hazard_follow_up, hazard_record, patrol_record, screening_file
from grids.services.grids import grid_create, grid_merge, grid_split, grid_update
from grids.services.validation import GridInput
from grids.services.workers import tenure_assign, tenure_end, training_record

__all__ = [
    "GridInput", "grid_create", "grid_merge", "grid_split", "grid_update", "hazard_follow_up", "hazard_record",
    "patrol_record", "screening_file", "tenure_assign", "tenure_end", "training_record",
]
