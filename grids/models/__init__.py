"""The grids app's models, one module per part: grids and their workers (`grids`); field work
(patrols, screening, inspections) and further parts get their own modules here."""
from grids.models.grids import Grid, GridKind, GridWorkerAssignment

__all__ = ["Grid", "GridKind", "GridWorkerAssignment"]
