"""Forms of the disputes pages: they parse input into the service dataclasses, nothing more.

Business rules (ID checksums, transitions, who may do what) live in disputes/services.py;
a service's InvalidInput with extra["fields"] is mapped back onto these forms by
`attach_service_errors` so the clerk sees the message next to the field and loses nothing.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.models import (
    ETHNICITIES,
    CaseState,
    Category,
    Channel,
    Gender,
    IdType,
    PartyKind,
    PartyRole,
    RiskGrade,
    WarningLevel,
)
from disputes.services import CaseInput, PartyInput
from governance.forms import DATETIME_LOCAL, DateTimeLocalInput, StyledForm, int_or_none, village_choices
from governance.inputs import (
    COUNT_MAX,
    PARTIES_MAX,
    CleanCharField,
    OccurrenceDateTimeField,
    SpanDateField,
    validate_birth_date,
)
from governance.models import LEVEL_ORDER, Role
from governance.scoping import Scope
from grids.contract import grid_queryset


def category_choices() -> list[tuple[Any, Any]]:
    """Active categories as a two-level list: top level as <optgroup>, leaves as options.

    A top-level category without children is selectable on its own.
    """
    # Plain tuples, not model instances: this runs on every list page and intake form.
    rows = list(Category.objects.filter(is_active=True).values_list("pk", "parent_id", "name"))
    children: dict[int, list[tuple[int, str]]] = {}
    for pk, parent_id, name in rows:
        if parent_id:
            children.setdefault(parent_id, []).append((pk, name))
    choices: list[tuple[Any, Any]] = [("", "---------")]
    for pk, parent_id, name in rows:
        if parent_id:
            continue
        leaves = children.get(pk)
        choices.append((name, leaves) if leaves else (pk, name))
    return choices


# A document number this long identifies someone: an 18-character ID number or credit code
# once 15 are typed; the shorter passports and travel permits from 8.
HINT_LENGTH_LONG = 15
HINT_LENGTH_SHORT = 8


def _hint_length(data: Mapping[str, Any], key: str) -> int:
    id_type = data.get(key.removesuffix("id_number") + "id_type") or ""
    return HINT_LENGTH_LONG if id_type in ("", IdType.RESIDENT, IdType.USCC) else HINT_LENGTH_SHORT


def hint_query(data: Mapping[str, Any]) -> dict[str, Any]:
    """Parse the intake form's fields sent by the hints request (htmx GET).

    Party rows are named "parties-<n>-id_number"/"parties-<n>-phone"; only values long
    enough to identify someone are searched (a partly typed number matches nothing useful).
    """
    getlist = data.getlist if hasattr(data, "getlist") else (lambda k: [data[k]] if k in data else [])
    id_numbers = sorted({v.strip().upper() for k, v in data.items()
                         if k.endswith("-id_number") and len(v.strip()) >= _hint_length(data, k)})
    phones = sorted({v.strip() for k, v in data.items() if k.endswith("-phone") and len(v.strip()) >= 7})
    village_id = int_or_none(data.get("village"))
    category_id = int_or_none(data.get("category"))
    return {
        "id_numbers": id_numbers,
        "phones": phones,
        "village_id": village_id,
        "category_id": category_id,
        "searchable": bool(id_numbers or phones or (village_id and category_id)),
        "related_to": [v for v in (int_or_none(x) for x in getlist("related_to")) if v is not None],
        "duplicate_of": int_or_none(data.get("duplicate_of")),
    }


# --- intake -------------------------------------------------------------------------------

class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each file's type and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class CaseIntakeForm(StyledForm):
    """The case half of the single-window intake (一窗受理)."""

    title = forms.CharField(label=_("标题"), max_length=200,
                            widget=forms.TextInput(attrs={"autofocus": True, "placeholder": _("如：某某与某某邻里排水纠纷")}))
    category = forms.TypedChoiceField(label=_("纠纷类别"), coerce=int)
    channel = forms.ChoiceField(label=_("来源渠道"), choices=Channel.choices, initial=Channel.VISIT)
    occurred_at = OccurrenceDateTimeField(label=_("发生时间"), widget=DateTimeLocalInput(),
                                      input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
    village = forms.TypedChoiceField(label=_("发生地(村/社区)"), coerce=int)
    grid = forms.TypedChoiceField(label=_("网格"), coerce=int, required=False, empty_value=None)
    address = forms.CharField(label=_("详细地点"), max_length=200, required=False)
    narrative = forms.CharField(label=_("事由"), widget=forms.Textarea(attrs={"rows": 4}))
    people_involved = forms.IntegerField(label=_("涉及人数"), min_value=1, max_value=COUNT_MAX, initial=1)
    amount_involved = forms.DecimalField(label=_("涉及金额(元)"), max_digits=14, decimal_places=2, min_value=0,
                                         required=False)
    risk_grade = forms.ModelChoiceField(label=_("风险等级"), queryset=RiskGrade.objects.all(), required=False)
    urgent = forms.BooleanField(label=_("加急"), required=False)
    long_standing = forms.BooleanField(label=_("历史遗留"), required=False)
    criminal_risk = forms.BooleanField(label=_("民转刑风险"), required=False)
    attachments = MultipleFileField(label=_("附件（照片、材料等）"), required=False)
    submit_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    related_to = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.MultipleHiddenInput)
    duplicate_of = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, widget=forms.HiddenInput)

    # Service field names (CaseInput) → form field names, for mapping service errors.
    SERVICE_FIELDS = {"category_id": "category", "village_id": "village", "grid_id": "grid",
                      "risk_grade_id": "risk_grade", "duplicate_of_id": "duplicate_of", "related_to_ids": "related_to"}

    def __init__(self, *args, scope: Scope, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))
        kwargs["initial"].setdefault("submit_token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["category"].choices = category_choices()
        if scope.role == Role.GRID_WORKER:
            # The service stores 网格上报 for a grid worker whatever is posted: show just that.
            self.fields["channel"].choices = [(Channel.GRID, Channel.GRID.label)]
            self.initial["channel"] = Channel.GRID
        self.fields["village"].choices = village_choices(scope)
        village_id = int_or_none(self.data.get(self.add_prefix("village")) if self.is_bound
                                 else self.initial.get("village"))
        if village_id is None and len(self.fields["village"].choices) == 2:
            # A village-level user has one village: preselect it.
            village_id = self.fields["village"].choices[1][0]
            self.initial.setdefault("village", village_id)
        self.grids = list(grid_queryset(scope, village_id).select_related("region"))
        self.fields["grid"].choices = [("", "---------"), *((g.pk, g.name) for g in self.grids)]
        # Chosen related/duplicate cases are checked server-side by the service (scope).
        self.fields["related_to"].choices = [(v, v) for v in self._posted_ints("related_to")]
        self.fields["duplicate_of"].choices = [("", ""), *((v, v) for v in self._posted_ints("duplicate_of"))]
        for name in ("village", "category"):
            self.fields[name].widget.attrs["class"] += " js-hint-source"
        # Picking a village reloads the grid options (htmx); without JavaScript the grid
        # list is the scope's grids and the service checks the grid lies in the village.
        self.fields["village"].widget.attrs.update({
            "hx-get": reverse("disputes:intake_grids"), "hx-target": "#id_grid", "hx-swap": "innerHTML",
            "hx-trigger": "change",
        })

    @staticmethod
    def preset(scope: Scope, query: Mapping[str, Any]) -> dict[str, Any]:
        """Initial values from the link that opened the page: `?channel=grid&grid=N` (the
        grid worker's 上报事件 button) presets the channel, and the grid with its village when
        the grid is an active one inside the scope (anything else is ignored)."""
        initial: dict[str, Any] = {}
        if query.get("channel") in Channel.values:
            initial["channel"] = query["channel"]
        grid_id = int_or_none(query.get("grid"))
        grid = grid_queryset(scope, None).filter(pk=grid_id).values("pk", "region_id").first() \
            if grid_id and 0 < grid_id < 2**63 else None
        if grid is not None:
            initial.update(village=grid["region_id"], grid=grid["pk"])
        return initial

    def _posted_ints(self, name: str) -> list[int]:
        if not self.is_bound:
            return []
        values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
        return [v for v in (int_or_none(x) for x in values) if v is not None]

    def case_input(self) -> CaseInput:
        data = self.cleaned_data
        return CaseInput(
            title=data["title"],
            narrative=data["narrative"],
            category_id=data["category"],
            channel=data["channel"],
            occurred_at=data["occurred_at"],
            village_id=data["village"],
            grid_id=data["grid"],
            address=data["address"],
            people_involved=data["people_involved"],
            amount_involved=data["amount_involved"],
            risk_grade_id=data["risk_grade"].pk if data["risk_grade"] else None,
            urgent=data["urgent"],
            long_standing=data["long_standing"],
            criminal_risk=data["criminal_risk"],
        )


class PartyForm(StyledForm):
    role = forms.ChoiceField(label=_("当事人类型"), choices=PartyRole.choices)
    kind = forms.ChoiceField(label=_("主体类型"), choices=PartyKind.choices, initial=PartyKind.PERSON,
                             widget=forms.Select(attrs={"class": "js-party-kind"}))
    name = CleanCharField(label=_("姓名/名称"), max_length=100)
    # Blank: the mainland ID card for a person, the unified social credit code for an organisation;
    # a blank gender is read from a mainland ID number ("自动").
    id_type = forms.ChoiceField(label=_("证件类型"), required=False,
                                choices=[("", _("身份证/信用代码")), *IdType.choices],
                                widget=forms.Select(attrs={"class": "js-hint-source"}))
    id_number = forms.CharField(label=_("证件号码"), max_length=32, required=False,
                                widget=forms.TextInput(attrs={"class": "js-hint-source", "autocomplete": "off"}))
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"class": "js-hint-source", "autocomplete": "off"}))
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=[("", _("自动")), *Gender.choices])
    ethnicity = forms.ChoiceField(label=_("民族"), required=False,
                                  choices=[("", "---------"), *((e, e) for e in ETHNICITIES)])
    birth_date = forms.DateField(label=_("出生日期"), required=False, validators=[validate_birth_date],
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    occupation = forms.CharField(label=_("职业或工作单位"), max_length=100, required=False)
    legal_representative = CleanCharField(label=_("法定代表人(负责人)"), max_length=50, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)

    FILLED_FIELDS = ("name", "id_number", "phone", "address", "occupation", "legal_representative")

    def has_changed(self) -> bool:
        """A row counts once something is typed; the preselected role/kind alone do not count,
        so blank rows are skipped instead of failing "required"."""
        return any((self.data.get(self.add_prefix(name)) or "").strip() for name in self.FILLED_FIELDS)

    def party_input(self) -> PartyInput:
        data = self.cleaned_data
        return PartyInput(role=data["role"], kind=data["kind"], name=data["name"], id_number=data["id_number"].strip(),
                          phone=data["phone"].strip(), address=data["address"], id_type=data["id_type"],
                          gender=data["gender"], ethnicity=data["ethnicity"], birth_date=data["birth_date"],
                          occupation=data["occupation"], legal_representative=data["legal_representative"])


class BasePartyFormSet(forms.BaseFormSet):
    """Party rows; none at all is the service's call (a dispute needs a party, an incident
    or hazard may have none: `CategoryKind`), reported back through attach_service_errors."""

    def party_inputs(self) -> list[PartyInput]:
        return [
            form.party_input()
            for form in self.forms
            if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def kept_forms(self) -> list[PartyForm]:
        """The forms that became parties, in order: service errors index into this list."""
        return [f for f in self.forms if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")]


PartyFormSet = forms.formset_factory(PartyForm, formset=BasePartyFormSet, extra=2, can_delete=True, max_num=PARTIES_MAX,
                                     validate_max=True)
PARTY_PREFIX = "parties"


def party_formset(data: Mapping | None = None, *, add_row: bool = False) -> BasePartyFormSet:
    """The party formset; `add_row` (the no-JavaScript "添加当事人" button) adds a blank row."""
    if data is not None and add_row:
        data = data.copy()
        key = f"{PARTY_PREFIX}-TOTAL_FORMS"
        data[key] = str((int_or_none(data.get(key)) or 0) + 1)
    formset = PartyFormSet(data, prefix=PARTY_PREFIX)
    if data is None:
        formset.forms[0].initial = {"role": PartyRole.APPLICANT}
        formset.forms[1].initial = {"role": PartyRole.RESPONDENT}
    return formset


def attach_service_errors(fields: Mapping[str, Any], form: CaseIntakeForm, formset: BasePartyFormSet) -> bool:
    """Put a service's InvalidInput extra["fields"] next to the matching form fields.

    Accepts flat keys ("title", "village_id", "parties.1.id_number", "parties[1].id_number")
    and nested {"parties": [{"id_number": [...]}, ...]}. Returns True when every message
    found a field; the rest go to the form's non-field errors.
    """
    all_placed = True
    kept = formset.kept_forms()

    def place(target: forms.Form, name: str, messages: Any) -> None:
        nonlocal all_placed
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            if name in target.fields:
                target.add_error(name, str(message))
            else:
                all_placed = False
                target.add_error(None, str(message))

    for key, messages in fields.items():
        normalized = key.replace("[", ".").replace("]", "")
        parts = normalized.split(".")
        if parts[0] == "parties":
            if len(parts) >= 3 and parts[1].isdigit() and int(parts[1]) < len(kept):
                place(kept[int(parts[1])], parts[2], messages)
            elif isinstance(messages, list) and messages and all(isinstance(m, Mapping) for m in messages):
                for index, party_errors in enumerate(messages):
                    if index < len(kept):
                        for name, msgs in party_errors.items():
                            place(kept[index], name, msgs)
            else:
                place(form, "__all__", messages)
            continue
        place(form, form.SERVICE_FIELDS.get(normalized, normalized), messages)
    return all_placed


# --- list filters --------------------------------------------------------------------------

# The first choice is the default order (what a select with no value sends back).
ORDERING_CHOICES = [
    ("-created_at", _("登记时间(新→旧)")),
    ("created_at", _("登记时间(旧→新)")),
    ("due_at", _("期限由近到远")),
    ("-due_at", _("期限由远到近")),
    ("number", _("编号升序")),
    ("-number", _("编号降序")),
]


YES_NO_CHOICES = [("true", _("是")), ("false", _("否"))]  # the API's boolean filters read the same words


class CaseFilterForm(StyledForm):
    q = forms.CharField(label=_("关键词"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("编号或标题"), "type": "search"}))
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *CaseState.choices])
    category = forms.TypedChoiceField(label=_("类别"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label=_("来源"), required=False, choices=[("", _("全部来源")), *Channel.choices])
    warning_level = forms.ChoiceField(label=_("预警"), required=False,
                                      choices=[("", _("全部预警")), *WarningLevel.choices])
    # A plain integer: the selector resolves it inside the scope and answers 404 outside.
    region = forms.IntegerField(label=_("区域"), required=False, widget=forms.Select)
    created_from = SpanDateField(label=_("登记日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_to = SpanDateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ordering = forms.ChoiceField(label=_("排序"), required=False, choices=ORDERING_CHOICES)
    # The dashboard's drill-downs (docs/dashboard.md): kept as hidden fields, shown as a summary.
    open = forms.ChoiceField(label=_("在办"), required=False, choices=[("true", _("是"))], widget=forms.HiddenInput)
    escalated = forms.ChoiceField(label=_("升级到本级"), required=False, choices=[("true", _("是"))],
                                  widget=forms.HiddenInput)
    mine = forms.ChoiceField(label=_("本中心负责"), required=False, choices=[("true", _("是"))], widget=forms.HiddenInput)
    resolved_from = forms.DateField(label=_("办结日期自"), required=False, widget=forms.HiddenInput)
    resolved_to = forms.DateField(label=_("办结日期至"), required=False, widget=forms.HiddenInput)
    on_time = forms.ChoiceField(label=_("按期办结"), required=False, choices=YES_NO_CHOICES, widget=forms.HiddenInput)
    callback_from = forms.DateField(label=_("回访日期自"), required=False, widget=forms.HiddenInput)
    callback_to = forms.DateField(label=_("回访日期至"), required=False, widget=forms.HiddenInput)
    satisfied = forms.ChoiceField(label=_("回访满意"), required=False, choices=YES_NO_CHOICES, widget=forms.HiddenInput)

    DRILL_FIELDS = ("open", "escalated", "mine", "resolved_from", "resolved_to", "on_time", "callback_from", "callback_to",
                    "satisfied")
    # The drill-down from an assessment score (hidden: the ranking page writes the link).
    indicator = forms.CharField(required=False, widget=forms.HiddenInput)
    part = forms.CharField(required=False, widget=forms.HiddenInput)
    period_from = forms.DateField(required=False, widget=forms.HiddenInput)
    period_to = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("全部类别")), *category_choices()[1:]]
        # Two levels below the scope: a city picks counties or townships, a county townships
        # or villages (a city's thousands of villages would make the select unusable).
        levels = LEVEL_ORDER[scope.level_index + 1:scope.level_index + 3]
        below = scope.regions().filter(level__in=levels).order_by("code")
        self.fields["region"].widget.choices = [("", _("全部区域")), *below.values_list("pk", "name")]

    def selector_filters(self) -> dict[str, Any]:
        """Non-empty filters in the selector's vocabulary (disputes.selectors.case_list)."""
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}

    def drill_summary(self) -> list[tuple[str, str]]:
        """(label, value) of the drill-down filters in use, for the list's summary line."""
        data = getattr(self, "cleaned_data", {})
        shown = []
        for name in self.DRILL_FIELDS:
            value = data.get(name)
            if value in (None, ""):
                continue
            field = self.fields[name]
            label = dict(field.choices).get(value, value) if hasattr(field, "choices") else value
            shown.append((str(field.label), str(label)))
        return shown
