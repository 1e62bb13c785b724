"""Forms of the 研判预警 and 研判报告 pages: the warnings filter, acknowledge, assign follow-up,
and the monthly report request. Thin: the services check everything again."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.models import WarningKind, WarningState
from disputes.services.warning_follow import NOTE_MAX
from governance.forms import StyledForm
from governance.models import RegionLevel
from governance.scoping import Scope

STATE_CHOICES = [("active", _("待处置及跟进中")), ("history", _("已确认(历史)")), ("all", _("全部")),
                 *WarningState.choices]


def region_choices(scope: Scope, *, levels: tuple[str, ...]) -> list[tuple[Any, Any]]:
    return [(r.pk, r.name) for r in scope.regions().filter(level__in=levels).order_by("level", "code")
            .only("id", "name")]


class WarningFilterForm(StyledForm):
    state = forms.ChoiceField(label=_("状态"), choices=STATE_CHOICES, required=False)
    kind = forms.ChoiceField(label=_("预警类型"), choices=[("", _("全部类型")), *WarningKind.choices], required=False)
    region = forms.TypedChoiceField(label=_("区划"), coerce=int, required=False)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("全部区划")), *region_choices(
            scope, levels=(scope.level, *RegionLevel(scope.level).below[:1]))]

    def selector_filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        state = data.get("state") or "active"
        return {"state": "" if state == "all" else state, "kind": data.get("kind") or "",
                "region": data.get("region") or ""}


class WarningAcknowledgeForm(StyledForm):
    note = forms.CharField(label=_("处置意见"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WarningAssignForm(StyledForm):
    assignee = forms.TypedChoiceField(label=_("跟进人"), coerce=int)
    note = forms.CharField(label=_("跟进要求"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, assignees=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", "—"), *((u.pk, f"{u.region.name} {u.display_name or u.username}（{u.get_role_display()}）")
                        for u in assignees)]


class ReportRequestForm(StyledForm):
    region = forms.TypedChoiceField(label=_("区划"), coerce=int)
    month = forms.CharField(label=_("月份"), widget=forms.DateInput(attrs={"type": "month"}))

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = tuple(level for level in (scope.level, *RegionLevel(scope.level).below[:1])
                       if level != RegionLevel.VILLAGE)
        self.fields["region"].choices = region_choices(scope, levels=levels)
