"""Forms of the residents' pages (/public/report/, /public/track/). They parse input only: the
rules (consent, phone, photos, where the case lands) are the services' (disputes.services.public),
whose field errors are put back on these fields."""
from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from disputes.models import PartyKind, PartyRole, Satisfaction
from disputes.selectors import public as public_selectors
from disputes.services import PartyInput, PublicCaseInput
from disputes.services.public import COMMENT_MAX, PHONE_TAIL_DIGITS, PHOTOS_MAX
from governance.forms import DATETIME_LOCAL, DateTimeLocalInput, StyledForm
from governance.inputs import CleanCharField, OccurrenceDateTimeField
from governance.models import RegionLevel


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Up to PHOTOS_MAX files from one <input type=file multiple>; the service checks them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleImageField, self).clean(item, initial) for item in files]


def _options(rows, placeholder) -> list[tuple[object, object]]:
    return [("", placeholder), *rows]


class PublicReportForm(StyledForm):
    """网上反映: the matter, where it is (county → township → village), who to call back."""

    submit_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    title = forms.CharField(label=_("标题"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("一句话说明您反映的事，如：楼上漏水多次协商未果")}))
    category = forms.TypedChoiceField(label=_("事项类别"), coerce=int)
    narrative = forms.CharField(label=_("具体情况"), max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("经过、涉及的人和您的诉求")}))
    county = forms.TypedChoiceField(label=_("县(区)"), coerce=int, required=False, empty_value=None)
    township = forms.TypedChoiceField(label=_("乡镇(街道)"), coerce=int, required=False, empty_value=None)
    village = forms.TypedChoiceField(label=_("村(社区)"), coerce=int, required=False, empty_value=None)
    address = forms.CharField(label=_("详细地点"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"placeholder": _("如：某小区3号楼")}))
    occurred_at = OccurrenceDateTimeField(label=_("发生时间(可不填)"), required=False, widget=DateTimeLocalInput(),
                                      input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"])
    name = CleanCharField(label=_("您的姓名"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("联系电话"), max_length=20, widget=forms.TextInput(
        attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}))
    respondent = CleanCharField(label=_("对方姓名或单位(可不填)"), max_length=100, required=False)
    photos = MultipleImageField(required=False)
    consent = forms.BooleanField(label=_("我已阅读并同意《个人信息处理告知》"), required=False)

    # Service field names → form field names, for putting the service's errors back.
    SERVICE_FIELDS = {"category_id": "category", "village_id": "village", "parties[0].name": "name",
                      "parties[0].phone": "phone", "parties[0].role": "name", "parties[1].name": "respondent"}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("submit_token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["photos"].label = gettext("照片(可不传，最多%(n)s张)") % {"n": PHOTOS_MAX}
        self.fields["category"].choices = _options(public_selectors.public_categories(), _("请选择"))
        county_id, township_id = self._path()
        self.fields["county"].choices = _options(
            public_selectors.public_regions(level=RegionLevel.COUNTY), _("请选择县(区)"))
        self.fields["township"].choices = _options(
            public_selectors.public_regions(level=RegionLevel.TOWNSHIP, parent_id=county_id), _("请选择乡镇(街道)"))
        self.fields["village"].choices = _options(
            public_selectors.public_regions(level=RegionLevel.VILLAGE, parent_id=township_id), _("请选择村(社区)"))

    def _path(self) -> tuple[int | None, int | None]:
        """The county and township whose children the selects offer: as posted, else the
        chosen village's."""
        if not self.is_bound:
            return None, None
        county_id = public_selectors.public_id(self.data.get("county"))
        township_id = public_selectors.public_id(self.data.get("township"))
        if county_id is None or township_id is None:
            path_county, path_township = public_selectors.public_region_path(self.data.get("village"))
            county_id, township_id = county_id or path_county, township_id or path_township
        return county_id, township_id

    def case_input(self) -> PublicCaseInput:
        data = self.cleaned_data
        return PublicCaseInput(title=data["title"], narrative=data["narrative"], category_id=data["category"],
                               village_id=data["village"], address=data["address"], occurred_at=data["occurred_at"])

    def party_inputs(self) -> list[PartyInput]:
        data = self.cleaned_data
        parties = [PartyInput(role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name=data["name"], phone=data["phone"])]
        if data["respondent"].strip():
            parties.append(PartyInput(role=PartyRole.RESPONDENT, kind=PartyKind.PERSON, name=data["respondent"]))
        return parties

    def add_service_errors(self, fields: dict[str, str]) -> bool:
        """Put the service's field errors on the form's fields; False when one has no field."""
        placed = True
        for name, message in fields.items():
            field = self.SERVICE_FIELDS.get(name, name)
            if field in self.fields:
                self.add_error(field, message)
            else:
                placed = False
        return placed


class PublicTrackForm(StyledForm):
    """进度查询: the case number and the last digits of the phone given when submitting."""

    number = forms.CharField(label=_("案件编号"), max_length=public_selectors.NUMBER_MAX, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off"}))
    phone_tail = forms.RegexField(regex=rf"^\d{{{PHONE_TAIL_DIGITS}}}$", widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": PHONE_TAIL_DIGITS}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels with the number in them, in the request's language.
        tail = self.fields["phone_tail"]
        tail.label = gettext("联系电话后%(n)s位") % {"n": PHONE_TAIL_DIGITS}
        tail.error_messages["invalid"] = gettext("请输入提交时所留电话的后%(n)s位数字") % {"n": PHONE_TAIL_DIGITS}


class PublicRatingForm(StyledForm):
    """满意度评价: one of three levels and an optional comment, with the signed lookup proof."""

    token = forms.CharField(widget=forms.HiddenInput)
    level = forms.ChoiceField(label=_("您对办理结果是否满意"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("意见建议(可不填)"), max_length=COMMENT_MAX, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
