"""Boundaries for tests: squares on a lng/lat lattice near 铜川 (108.9°E, 35.1°N)."""
from __future__ import annotations

ORIGIN = (108.90, 35.05)
STEP = 0.01


def square(col: int, row: int, size: float = STEP) -> dict:
    """The GeoJSON polygon of lattice cell (col, row)."""
    x, y = ORIGIN[0] + col * STEP, ORIGIN[1] + row * STEP
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [[[round(a, 6), round(b, 6)] for a, b in ring]]}


def centre(col: int, row: int) -> tuple[float, float]:
    """(lng, lat) in the middle of cell (col, row)."""
    return round(ORIGIN[0] + (col + 0.5) * STEP, 6), round(ORIGIN[1] + (row + 0.5) * STEP, 6)
