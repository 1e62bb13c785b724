"""governance.forms: the form base every app's forms use, and the region choices."""
import datetime as dt

import pytest
from django import forms

from governance.forms import DATETIME_LOCAL, DateTimeLocalInput, StyledForm, int_or_none, village_choices
from governance.models import Role
from governance.scoping import scope_for
from tests.factories import UserFactory


class Sample(StyledForm):
    text = forms.CharField(widget=forms.TextInput(attrs={"class": "js-hint-source"}))
    pick = forms.ChoiceField(choices=[("a", "A")])
    flag = forms.BooleanField(required=False)
    radio = forms.ChoiceField(choices=[("1", "一")], widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput)
    when = forms.DateTimeField(widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL])


def test_styled_form_gives_every_visible_widget_its_tabler_class():
    widgets = {name: field.widget for name, field in Sample().fields.items()}

    assert widgets["text"].attrs["class"] == "form-control js-hint-source"
    assert widgets["pick"].attrs["class"] == "form-select"
    assert widgets["flag"].attrs["class"] == "form-check-input"
    assert widgets["radio"].attrs["class"] == "form-check-input"
    assert "class" not in widgets["token"].attrs
    assert widgets["when"].attrs["class"] == "form-control"


def test_datetime_local_input_renders_and_parses_the_pickers_format():
    form = Sample(initial={"when": dt.datetime(2026, 3, 1, 9, 30)})
    assert 'type="datetime-local"' in str(form["when"])
    assert 'value="2026-03-01T09:30"' in str(form["when"])

    bound = Sample({"text": "x", "pick": "a", "radio": "1", "token": "t", "when": "2026-03-01T09:30"})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["when"].replace(tzinfo=None) == dt.datetime(2026, 3, 1, 9, 30)


@pytest.mark.parametrize(("value", "expected"), [("12", 12), (7, 7), ("", None), (None, None), ("x1", None)])
def test_int_or_none(value, expected):
    assert int_or_none(value) == expected


@pytest.mark.django_db
def test_village_choices_of_a_township_are_its_villages(tree):
    scope = scope_for(UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1))

    assert village_choices(scope) == [
        ("", "---------"), (tree.village_a1x.pk, "云梦堤社区"), (tree.village_a1y.pk, "青年路社区")]


@pytest.mark.django_db
def test_village_choices_of_a_county_are_grouped_by_township_and_stay_inside_it(tree):
    scope = scope_for(UserFactory(role=Role.DISPATCHER, region=tree.county_a))

    assert village_choices(scope) == [
        ("", "---------"),
        ("七一路街道", [(tree.village_a1x.pk, "云梦堤社区"), (tree.village_a1y.pk, "青年路社区")]),
        ("红旗街街道", [(tree.village_a2x.pk, "红旗社区")]),
    ]
