"""Forms of the party-building pages. A form parses; the service decides (and its
InvalidInput lands on the field it names, through `apply_error`)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.errors import ApplicationError
from governance.forms import StyledForm
from governance.inputs import CleanCharField
from governance.models import RegionLevel
from governance.scoping import Scope
from partybuilding import selectors
from partybuilding.models import ActivityKind, Gender, GradedKind, MemberKind, PartyGroupKind, ResidentUnitKind
from partybuilding.models.organisation import OrganisationLevel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_error(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service error on the fields it names (else on the form)."""
    fields = (exc.extra or {}).get("fields") or {}
    placed = False
    for name, message in fields.items():
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _grid_choices(scope: Scope) -> list[tuple[int, str]]:
    return [(pk, f"{village} · {name}") for pk, name, village in
            selectors.scoped_grids(scope).values_list("pk", "name", "region__name")]


def _village_choices(scope: Scope) -> list[tuple[str, str]]:
    return [("", "---------"), *scope.regions().filter(level=RegionLevel.VILLAGE).order_by("code")
            .values_list("pk", "name")]


class GroupForm(StyledForm):
    name = forms.CharField(label=_("党小组名称"), max_length=100)
    kind = forms.ChoiceField(label=_("组建方式"), choices=PartyGroupKind.choices)
    grid_ids = forms.TypedMultipleChoiceField(label=_("覆盖网格"), coerce=int,
                                              widget=forms.SelectMultiple(attrs={"size": 8}))
    organisation_id = forms.TypedChoiceField(label=_("所属党组织"), coerce=int, required=False, empty_value=None)
    unit_ids = forms.TypedMultipleChoiceField(label=_("联建单位"), coerce=int, required=False)
    partners = forms.CharField(label=_("其他联建方"), max_length=200, required=False)
    established_on = forms.DateField(label=_("成立日期"), widget=DATE)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid_ids"].choices = _grid_choices(scope)
        self.fields["organisation_id"].choices = [("", "---------"), *selectors.organisation_list(scope=scope)
                                                  .values_list("pk", "name")]
        self.fields["unit_ids"].choices = list(selectors.unit_list(scope=scope).values_list("pk", "name"))


class MemberForm(StyledForm):
    name = CleanCharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    kind = forms.ChoiceField(label=_("党员类型"), choices=MemberKind.choices)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    grid_id = forms.TypedChoiceField(label=_("服务网格"), coerce=int, required=False, empty_value=None)
    work_unit = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    reported_community_id = forms.TypedChoiceField(label=_("报到社区"), coerce=int, required=False, empty_value=None)
    joined_on = forms.DateField(label=_("入党日期"), widget=DATE, required=False)
    reported_on = forms.DateField(label=_("报到日期"), widget=DATE, required=False)

    def __init__(self, *args, scope: Scope, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid_id"].choices = [("", "---------"), *((g.pk, g.name) for g in group.grids.all())]
        self.fields["reported_community_id"].choices = _village_choices(scope)


class ActivityForm(StyledForm):
    kind = forms.ChoiceField(label=_("活动类型"), choices=ActivityKind.choices)
    held_on = forms.DateField(label=_("活动日期"), widget=DATE)
    place = forms.CharField(label=_("活动地点"), max_length=100)
    topic = forms.CharField(label=_("主题"), max_length=200)
    hours = forms.DecimalField(label=_("时长(小时)"), max_digits=5, decimal_places=1, min_value=0)
    attendee_ids = forms.TypedMultipleChoiceField(label=_("参加党员"), coerce=int, required=False,
                                                  widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, scope: Scope, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendee_ids"].choices = list(
            selectors.member_list(scope=scope, group_id=group.pk).values_list("pk", "name"))


class FundForm(StyledForm):
    region_id = forms.TypedChoiceField(label=_("社区"), coerce=int)
    amount = forms.DecimalField(label=_("年度经费(元)"), max_digits=10, decimal_places=2)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_id"].choices = _village_choices(scope)


class ExpenseForm(StyledForm):
    region_id = forms.TypedChoiceField(label=_("社区"), coerce=int)
    purpose = forms.CharField(label=_("用途"), max_length=200)
    amount = forms.DecimalField(label=_("金额(元)"), max_digits=10, decimal_places=2)
    spent_on = forms.DateField(label=_("支出日期"), widget=DATE)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_id"].choices = _village_choices(scope)


class UnitForm(StyledForm):
    name = forms.CharField(label=_("单位名称"), max_length=100)
    kind = forms.ChoiceField(label=_("单位类型"), choices=ResidentUnitKind.choices)
    region_id = forms.TypedChoiceField(label=_("所在社区"), coerce=int)
    head_name = CleanCharField(label=_("负责人"), max_length=50, required=False)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_id"].choices = _village_choices(scope)


class PartTimeForm(StyledForm):
    unit_id = forms.TypedChoiceField(label=_("驻区单位"), coerce=int)
    organisation_id = forms.TypedChoiceField(label=_("社区党组织"), coerce=int)
    person_name = CleanCharField(label=_("姓名"), max_length=50, required=False)
    term_start = forms.DateField(label=_("任期开始"), widget=DATE)
    term_end = forms.DateField(label=_("任期结束"), widget=DATE)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = list(selectors.unit_list(scope=scope).values_list("pk", "name"))
        self.fields["organisation_id"].choices = list(
            selectors.organisation_list(scope=scope).exclude(level__in=[
                OrganisationLevel.GRID_BRANCH, OrganisationLevel.BUILDING_GROUP]).values_list("pk", "name"))


class ImportForm(StyledForm):
    file = forms.FileField(label=_("党员名册(.xlsx 或 .csv)"))


class StarForm(StyledForm):
    """Rate one organisation of `kind`: the subject, the year and points per criterion."""

    subject_id = forms.TypedChoiceField(label=_("评星对象"), coerce=int)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, scope: Scope, kind: str, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        if kind == GradedKind.PARTY_ORGANISATION:
            subjects = selectors.organisation_list(scope=scope).values_list("pk", "name")
        else:
            subjects = selectors.unit_list(scope=scope).filter(kind=ResidentUnitKind.SOCIAL).values_list("pk", "name")
        self.fields["subject_id"].choices = list(subjects)
        for criterion in criteria:
            self.fields[f"c_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name}（{criterion.max_points}）", min_value=0, max_value=criterion.max_points)
        for name, field in self.fields.items():
            if name.startswith("c_"):
                field.widget.attrs["class"] = "form-control"

    def scores(self) -> dict[int, int]:
        return {int(name[2:]): value for name, value in self.cleaned_data.items() if name.startswith("c_")}


class GroupChangeForm(StyledForm):
    grid_ids = forms.TypedMultipleChoiceField(label=_("覆盖网格"), coerce=int,
                                              widget=forms.SelectMultiple(attrs={"size": 8}))
    leader_id = forms.TypedChoiceField(label=_("党小组长"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, scope: Scope, group, **kwargs):
        kwargs.setdefault("initial", {"grid_ids": [g.pk for g in group.grids.all()], "leader_id": group.leader_id})
        super().__init__(*args, **kwargs)
        self.fields["grid_ids"].choices = _grid_choices(scope)
        self.fields["leader_id"].choices = [("", "---------"), *selectors.member_list(
            scope=scope, group_id=group.pk).values_list("pk", "name")]


class AgreementForm(StyledForm):
    organisation_id = forms.TypedChoiceField(label=_("社区党组织"), coerce=int)
    unit_ids = forms.TypedMultipleChoiceField(label=_("共建单位"), coerce=int)
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)
    commitments = forms.CharField(label=_("共建事项"), widget=forms.Textarea(attrs={"rows": 3}))
    scan = forms.FileField(label=_("协议扫描件"), required=False)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation_id"].choices = list(selectors.organisation_list(scope=scope).values_list("pk", "name"))
        self.fields["unit_ids"].choices = list(selectors.unit_list(scope=scope).values_list("pk", "name"))


class MeetingForm(StyledForm):
    organisation_id = forms.TypedChoiceField(label=_("社区党组织"), coerce=int)
    held_on = forms.DateField(label=_("会议日期"), widget=DATE)
    attendees = forms.CharField(label=_("参会人员"), widget=forms.Textarea(attrs={"rows": 2}))
    decisions = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(label=_("落实情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation_id"].choices = list(selectors.organisation_list(scope=scope).values_list("pk", "name"))
