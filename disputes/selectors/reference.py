"""Reference data an integrator needs to build a case payload: the dispute categories and
the risk grades. Not jurisdiction data: the same rows for every caller (the API still
requires a jurisdiction to answer)."""
from __future__ import annotations

from django.db.models import QuerySet

from disputes.models import Category, RiskGrade


def category_list(*, active: bool | None = True) -> QuerySet[Category]:
    """The two-level categories, parents before children, in their sort order."""
    categories = Category.objects.select_related("parent")
    if active is not None:
        categories = categories.filter(is_active=active)
    return categories.order_by("sort", "code")


def risk_grade_list() -> QuerySet[RiskGrade]:
    """The risk grades of the locality's scheme, most severe first."""
    return RiskGrade.objects.order_by("-rank", "code")
