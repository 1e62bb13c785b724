"""The action table (disputes/actions.py) is the one declaration of a case action: the
permission map, the transition table, the page forms, the API serializers, the API classes
and routes all come from it, and the extension limit is policy data."""
from __future__ import annotations

import pytest
from django.urls import reverse

from disputes import permissions, services
from disputes.action_forms import ACTION_FORMS
from disputes.actions import ACTION_BY_NAME, ACTION_LABELS, ACTIONS, PERFORMED, TRANSITIONS, Kind
from disputes.api import CASE_ACTION_APIS
from disputes.models import CaseState, Step, TimeLimitPolicy
from disputes.serializers import ACTION_INPUT_SERIALIZERS
from governance.errors import InvalidInput
from governance.permissions import roles_for


def test_every_action_with_a_service_has_a_form_a_serializer_an_api_and_a_route():
    for action in PERFORMED:
        assert callable(getattr(services, action.service)), action.name
        assert ACTION_INPUT_SERIALIZERS[action.name].__name__ == f"Case{action.pascal}InputSerializer"
        api = CASE_ACTION_APIS[action.api_path]
        assert api.__name__ == f"Case{action.pascal}Api"
        assert reverse(f"disputes_api:case-{action.api_path}", args=[1]) == f"/api/v1/cases/1/{action.api_path}/"
        if action.name != "link":  # linking happens on the intake page, not the detail page
            assert ACTION_FORMS[action.name].action is action


def test_the_form_and_the_serializer_take_the_same_inputs_as_the_service_keywords():
    for action in PERFORMED:
        api_fields = set(ACTION_INPUT_SERIALIZERS[action.name]().fields)
        expected = {spec.name for spec in action.inputs} | ({"version"} if action.versioned else set())
        assert api_fields == expected, action.name
        if action.name in ACTION_FORMS:
            form_fields = set(ACTION_FORMS[action.name]().fields)
            assert form_fields == {spec.form_name for spec in action.inputs} | (
                {"version"} if action.versioned else set()), action.name


def test_labels_roles_and_transitions_come_from_the_table():
    assert {a.name: a.label for a in ACTIONS} == ACTION_LABELS
    assert str(ACTION_LABELS["handle"]) == "先行调解"
    for action in ACTIONS:
        assert permissions.ACTIONS[action.name] == action.roles
        assert roles_for(f"disputes.{action.name}") == action.roles
        assert TRANSITIONS.get(action.name) == action.transition


def test_numbers_are_bounded_in_the_api_and_on_the_page():
    # a huge number is a 400 with a message, never an overflow in the database
    days = ACTION_INPUT_SERIALIZERS["extend"](data={"days": 10**12, "reason": "x"})
    assert not days.is_valid() and "days" in days.errors
    other = ACTION_INPUT_SERIALIZERS["link"](data={"other_id": 2**64})
    assert not other.is_valid() and "other_id" in other.errors
    form = ACTION_FORMS["extend"](data={"extend-days": "999999", "extend-reason": "x"}, prefix="extend")
    assert not form.is_valid() and "days" in form.errors
    assert ACTION_BY_NAME["extend"].inputs[0].kind == Kind.INT


def test_dispatch_takes_exactly_one_target_on_the_page_and_in_the_api():
    serializer = ACTION_INPUT_SERIALIZERS["dispatch"](data={"department_id": 1, "region_id": 2, "version": 1})
    assert not serializer.is_valid()
    form = ACTION_FORMS["dispatch"](data={"dispatch-version": "1"}, prefix="dispatch")
    assert not form.is_valid() and form.non_field_errors()


@pytest.mark.django_db
def test_the_longest_extension_is_policy_data_per_level(world):
    # given the seeded township limit of 30 working days
    case = world.case_in(CaseState.IN_PROGRESS)
    policy = TimeLimitPolicy.objects.get(level=case.owning_level, step=Step.EXTEND, category=None, channel="")
    assert policy.days == 30
    # when the handler asks for 31 days, then the policy refuses it with a message
    with pytest.raises(InvalidInput) as exc:
        services.case_extend_request(actor=world.handler, case_id=case.pk, days=31, reason="需鉴定")
    assert "30" in exc.value.message and "days" in exc.value.extra["fields"]
    # and once an administrator raises the limit, the same request goes through
    policy.days = 40
    policy.save(update_fields=["days"])
    request = services.case_extend_request(actor=world.handler, case_id=case.pk, days=31, reason="需鉴定")
    assert request.days == 31
