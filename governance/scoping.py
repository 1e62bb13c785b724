"""The one jurisdiction rule (DESIGN §3).

Every user has one region and one role; they see and touch only rows inside that region.
`scope_for(user)` builds the request's `Scope`; every scoped selector in every app calls
`scope.filter(queryset)` first. Scoping fails closed: a user without a region has no scope
(NoJurisdiction), and nothing here returns unfiltered rows. Reads that must cross
jurisdictions (the deadline sweep, city-wide statistics) are named `unscoped_*` at their
call sites, with a comment saying why.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from governance.errors import Forbidden, NotFound
from governance.models import Region, RegionLevel

M = TypeVar("M", bound=Model)


class NoJurisdiction(Forbidden):
    default_code = "no_jurisdiction"


@dataclass(frozen=True)
class Scope:
    user_id: int
    role: str
    region_id: int
    level: str
    department_id: int | None = None

    @property
    def column(self) -> str:
        """The region-path column that decides membership for this scope."""
        return f"{self.level}_id"

    def filter(self, queryset: QuerySet[M], *, via: str = "") -> QuerySet[M]:
        """Rows of `queryset` inside the jurisdiction.

        `via` is the lookup path from the queryset's model to a RegionPathModel, e.g.
        "case" for CaseParty rows; empty when the model carries the path itself.
        # Uses index: <model>_<level>_id (every path column is a foreign key, hence indexed)
        """
        lookup = f"{via}__{self.column}" if via else self.column
        return queryset.filter(**{lookup: self.region_id})

    def regions(self) -> QuerySet[Region]:
        """The scope's region and all regions below it."""
        return Region.objects.filter(**{self.column: self.region_id})

    def covers(self, obj: object) -> bool:
        """True when a RegionPathModel instance or a Region lies inside the scope."""
        return getattr(obj, self.column, None) == self.region_id

    def require(self, obj: M | None) -> M:
        """Return obj when it lies inside the scope; otherwise raise NotFound (not 403)."""
        if obj is None or not self.covers(obj):
            raise NotFound(_("未找到该记录"))
        return obj

    def region_in_scope(self, region_id: int | str | None) -> Region:
        """Resolve an explicitly requested region; outside the scope looks like missing."""
        try:
            return self.regions().get(pk=int(region_id))  # type: ignore[arg-type]
        except (Region.DoesNotExist, TypeError, ValueError):
            raise NotFound(_("未找到该区划")) from None

    @property
    def level_index(self) -> int:
        return RegionLevel(self.level).rank


def scope_for(user) -> Scope:
    """The scope of an authenticated user. Fails closed for users without a region."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NoJurisdiction(_("请先登录"))
    region = getattr(user, "region", None)
    if region is None:
        raise NoJurisdiction(_("该账号未设置管辖区划，请联系系统管理员"))
    return Scope(
        user_id=user.pk,
        role=user.role,
        region_id=region.pk,
        level=region.level,
        department_id=user.department_id,
    )


def request_scope(request) -> Scope:
    """The request's scope, resolved once and cached on the request.

    Works for session users (pages) and for DRF requests after token authentication.
    Raises NoJurisdiction (403) for anonymous or region-less users.
    """
    cached = getattr(request, "_jurisdiction_scope", None)
    if cached is not None and cached.user_id == getattr(request.user, "pk", None):
        return cached
    scope = scope_for(request.user)
    request._jurisdiction_scope = scope
    return scope
