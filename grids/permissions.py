"""Who may do what in grids (registered into governance.permissions by GridsConfig.ready()).

- `grids.view`: the management pages, statistics and exports (township/county staff, leaders);
- `grids.manage`: create, edit, split and merge grids, assign and end tenures, record
  training, import (the township or county center and administrators);
- `grids.view_api`: the grids API's lists (everyone with a jurisdiction but handlers: the
  grid worker's mobile app reads its grids and patrols);
- `grids.field_work`: patrols, screening and hazard inspections; a grid worker only on a grid
  they hold (services.fieldwork checks the tenure), center staff on any grid in their scope.
"""
from __future__ import annotations

from governance.models import Role

MANAGERS = frozenset({Role.WINDOW_STAFF, Role.DISPATCHER, Role.ADMINISTRATOR})
ACTIONS: dict[str, frozenset[str]] = {
    "view": MANAGERS | {Role.LEADER},
    "view_api": MANAGERS | {Role.LEADER, Role.GRID_WORKER},
    "manage": MANAGERS,
    "field_work": frozenset({Role.GRID_WORKER, Role.WINDOW_STAFF, Role.ADMINISTRATOR}),
}


def registered_actions() -> dict[str, frozenset[str]]:
    return {f"grids.{name}": roles for name, roles in ACTIONS.items()}
