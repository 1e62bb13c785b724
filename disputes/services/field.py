"""A grid worker's field report (现场上报, issue 11): one short form on the phone that becomes a
case with channel 网格上报 in a grid the worker holds, through the one intake service.

Checks before anything is written: the grid is one the worker holds today (another grid is a
clear error, not a silent move), photos are images within the size limit (the residents' photo
check), a location is both coordinates or none and lies in the county. With several grids and
none chosen, the location picks the grid (point in grid). The case then goes through
`case_register` like any other: numbered, owned by the township of the grid's village, in its
clerks' inbox (待受理) at once, with a notice to them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from disputes.models import Case, Channel, PartyKind, PartyRole
from disputes.services.intake import CaseInput, PartyInput, case_register
from disputes.services.public import photos_check
from governance import clock
from governance.errors import InvalidInput
from governance.models import User
from governance.scoping import scope_for
from grids.contract import WorkerGrid, grid_locate, worker_grids

TITLE_CHARS = 30
DESCRIPTION_MAX = 1000


@dataclass
class FieldReportInput:
    category_id: Any
    description: str
    grid_id: Any = None
    latitude: Any = None
    longitude: Any = None
    party_name: str = ""
    party_phone: str = ""
    # The patrol log entry the report came from (grids' patrols), kept on the register event.
    patrol_id: Any = None


def _grid(held: list[WorkerGrid], data: FieldReportInput, located: int | None,
          errors: dict[str, str]) -> WorkerGrid | None:
    """The grid chosen (one the worker holds), else the one at the location, else the only
    one held."""
    by_id = {grid.grid_id: grid for grid in held}
    if not held:
        errors["grid_id"] = _("您目前没有负责的网格，请联系所在街道（乡镇）综治中心")
        return None
    if data.grid_id not in (None, ""):
        grid = by_id.get(_int(data.grid_id))
        if grid is None:
            errors["grid_id"] = _("只能上报本人负责的网格内的事件，该网格不由您负责")
        return grid
    if located in by_id:
        return by_id[located]
    if len(held) == 1:
        return held[0]
    if "location" not in errors:
        errors["grid_id"] = _("请选择事件所在的网格")
    return None


def _located(scope, data: FieldReportInput, errors: dict[str, str]) -> int | None:
    """The grid at the reported location (None without one); both coordinates or neither,
    and inside the county."""
    given = [v not in (None, "") for v in (data.latitude, data.longitude)]
    if not any(given):
        return None
    if not all(given):
        errors["location"] = _("定位不完整，请重新获取位置")
        return None
    try:
        hit = grid_locate(scope=scope, lng=data.longitude, lat=data.latitude)
    except InvalidInput as exc:
        errors.update(exc.extra["fields"])
        return None
    return hit.grid_id if hit is not None else None


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@transaction.atomic
def case_report_field(*, actor: User, data: FieldReportInput, photos: Sequence[Any] = (),
                      submit_token: str | None = None) -> Case:
    """Register a grid worker's field report as a case (channel 网格上报) in one of their grids.

    Raises InvalidInput with field errors (grid_id, category_id, description, photos, location,
    party_name, party_phone) and writes nothing when any check fails."""
    scope = scope_for(actor)
    errors: dict[str, str] = {}
    description = (data.description or "").strip()
    if not description:
        errors["description"] = _("请简要描述发生了什么")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _("不能超过%(limit)s个字") % {"limit": DESCRIPTION_MAX}
    located = _located(scope, data, errors)
    grid = _grid(worker_grids(scope=scope, worker_id=actor.pk), data, located, errors)
    photos = [photo for photo in photos if photo]
    photos_check(photos, errors)
    if errors:
        raise InvalidInput(_("上报信息有误，请检查标注的项目"), extra={"fields": errors})
    parties = [PartyInput(role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name=data.party_name.strip(),
                          phone=(data.party_phone or "").strip())] if (data.party_name or "").strip() else []
    first_line = description.splitlines()[0].strip()
    case_input = CaseInput(
        title=first_line[:TITLE_CHARS] + ("…" if len(first_line) > TITLE_CHARS else ""),
        narrative=description, category_id=data.category_id, channel=Channel.GRID, occurred_at=clock.now(),
        village_id=grid.village_id, grid_id=grid.grid_id, latitude=data.latitude or None,
        longitude=data.longitude or None,
    )
    origin: dict[str, Any] = {"field_report": True}
    if _int(data.patrol_id):
        origin["patrol_id"] = _int(data.patrol_id)
    try:
        return case_register(actor=actor, data=case_input, parties=parties, submit_token=submit_token,
                             attachments=photos, origin=origin)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, code=exc.code, extra={"fields": _field_names(exc.extra.get("fields") or {})}) \
            from exc


# The intake service's field names → the field report's.
_FIELD_NAMES = {"title": "description", "narrative": "description", "parties": "party_name",
                "parties[0].name": "party_name", "parties[0].phone": "party_phone", "latitude": "location",
                "longitude": "location", "attachments": "photos"}


def _field_names(fields: dict[str, Any]) -> dict[str, Any]:
    named: dict[str, Any] = {}
    for key, message in fields.items():
        named.setdefault(_FIELD_NAMES.get(key, key), message)
    return named
