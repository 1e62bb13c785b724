"""Checks shared by the grid writes (pages, API and import alike): the grid code, the
village, the numbers, the GeoJSON boundary and the centre point. Each failure is an
InvalidInput whose extra["fields"] names the field, with a Chinese message."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from governance.errors import InvalidInput, NotFound
from governance.models import Region, RegionLevel
from governance.scoping import Scope
from grids.models import GridKind

CODE_RE = re.compile(r"^\d{15}$")
# Longitude/latitude of any place in China, generously: a point outside is a typo.
LNG_RANGE = (Decimal("73"), Decimal("136"))
LAT_RANGE = (Decimal("3"), Decimal("54"))
MAX_BOUNDARY_POINTS = 5000


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, extra={"fields": {field: message}})


@dataclass(frozen=True)
class GridInput:
    """What a grid write needs; `region_id` is the village (村/社区)."""

    code: str
    name: str
    region_id: int
    kind: str = GridKind.URBAN
    households: int = 0
    population: int = 0
    boundary: dict | None = None
    centre_lng: Decimal | None = None
    centre_lat: Decimal | None = None


def village_in_scope(scope: Scope, region_id: Any) -> Region:
    """The village `region_id` inside the scope: a region outside reads as unknown (no probing
    of other jurisdictions), one of another level is refused by name."""
    try:
        region = scope.region_in_scope(region_id)
    except NotFound:
        raise invalid("region", _("所属村(社区)不存在或不在您的管辖范围内")) from None
    if region.level != RegionLevel.VILLAGE:
        raise invalid("region", _("网格只能设在村(社区)下,「%(name)s」是%(level)s") % {
            "name": region.name, "level": region.get_level_display()})
    return region


def clean_code(code: str, village: Region) -> str:
    code = (code or "").strip()
    if not CODE_RE.match(code) or not code.startswith(village.code):
        raise invalid("code", _("网格编码应为所属村(社区)编码 %(village)s 加 3 位数字,如 %(village)s001") % {
            "village": village.code})
    if code.endswith("000"):
        raise invalid("code", _("网格编码的后 3 位应在 001 至 999 之间"))
    return code


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise invalid("name", _("请填写网格名称"))
    if len(name) > 100:
        raise invalid("name", _("网格名称不能超过 100 个字"))
    return name


def clean_count(value: Any, field: str, label: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise invalid(field, _("%(label)s应为整数") % {"label": label}) from None
    if not 0 <= number <= 10_000_000:
        raise invalid(field, _("%(label)s应在 0 至 10000000 之间") % {"label": label})
    return number


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def clean_point(lng: Any, lat: Any) -> tuple[Decimal | None, Decimal | None]:
    """Both coordinates or neither; inside China's longitude/latitude box, 6 decimals."""
    if (lng is None or lng == "") and (lat is None or lat == ""):
        return None, None
    x, y = _decimal(lng), _decimal(lat)
    if x is None or y is None:
        raise invalid("centre", _("中心点需同时填写经度和纬度(数字)"))
    if not (LNG_RANGE[0] <= x <= LNG_RANGE[1] and LAT_RANGE[0] <= y <= LAT_RANGE[1]):
        raise invalid("centre", _("中心点经纬度超出范围(经度 73–136,纬度 3–54)"))
    return x.quantize(Decimal("0.000001")), y.quantize(Decimal("0.000001"))


def _ring(ring: Any) -> list[tuple[Decimal, Decimal]]:
    message = _("边界格式不正确:每个环至少 4 个 [经度, 纬度] 点,且首尾相同")
    if not isinstance(ring, list) or len(ring) < 4:
        raise invalid("boundary", message)
    points = []
    for point in ring:
        if not isinstance(point, list | tuple) or len(point) < 2:
            raise invalid("boundary", message)
        x, y = _decimal(point[0]), _decimal(point[1])
        if x is None or y is None or isinstance(point[0], bool) or isinstance(point[1], bool):
            raise invalid("boundary", message)
        if not (LNG_RANGE[0] <= x <= LNG_RANGE[1] and LAT_RANGE[0] <= y <= LAT_RANGE[1]):
            raise invalid("boundary", _("边界坐标超出范围(经度 73–136,纬度 3–54),请使用经纬度(WGS-84)"))
        points.append((x, y))
    if points[0] != points[-1]:
        raise invalid("boundary", message)
    return points


def clean_boundary(boundary: Any) -> tuple[dict | None, list[tuple[Decimal, Decimal]]]:
    """A GeoJSON Polygon or MultiPolygon (a Feature's geometry is accepted too), and its outer
    rings' points. None stays None."""
    if boundary in (None, "", {}):
        return None, []
    if isinstance(boundary, dict) and boundary.get("type") == "Feature":
        boundary = boundary.get("geometry")
    if not isinstance(boundary, dict) or boundary.get("type") not in ("Polygon", "MultiPolygon"):
        raise invalid("boundary", _("边界应为 GeoJSON 的 Polygon 或 MultiPolygon"))
    coordinates = boundary.get("coordinates")
    polygons = [coordinates] if boundary["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise invalid("boundary", _("边界格式不正确:缺少坐标"))
    outer: list[tuple[Decimal, Decimal]] = []
    total = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise invalid("boundary", _("边界格式不正确:缺少坐标"))
        rings = [_ring(ring) for ring in polygon]
        total += sum(len(ring) for ring in rings)
        outer.extend(rings[0])
    if total > MAX_BOUNDARY_POINTS:
        raise invalid("boundary", _("边界点数过多(最多 %(n)s 个)") % {"n": MAX_BOUNDARY_POINTS})
    clean = {"type": boundary["type"], "coordinates": coordinates}
    return clean, outer


def bbox_centre(points: list[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    q = Decimal("0.000001")
    return ((min(xs) + max(xs)) / 2).quantize(q), ((min(ys) + max(ys)) / 2).quantize(q)


def clean_kind(kind: Any) -> str:
    if kind not in GridKind.values:
        raise invalid("kind", _("网格类型应为:%(kinds)s") % {"kinds": "、".join(str(label) for label in GridKind.labels)})
    return kind
