"""The grids app's models, one module per part: grids and their workers (`grids`), field work
(`fieldwork`: patrols, screening, hazard inspections) and the workers' training (`training`)."""
from grids.models.fieldwork import HazardInspection, Patrol, Screening
from grids.models.grids import Employment, Grid, GridKind, GridWorkerAssignment
from grids.models.training import Training

__all__ = ["Employment", "Grid", "GridKind", "GridWorkerAssignment", "HazardInspection", "Patrol", "Screening",
           "Training"]
