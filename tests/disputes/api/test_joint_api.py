"""一揽子调处 through the API: assisting units in the dispatch, their own endpoints, 409 until
they report, and the outsider's 404."""
import pytest

from governance.models import Role
from tests.disputes.api.conftest import act, assert_error
from tests.disputes.api.test_case_actions import accepted
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_joint_dispatch_assist_and_resolve_over_the_api(people, case):
    police = DepartmentFactory(region=people.tree.town_a1, name="七一路派出所")
    officer = UserFactory(role=Role.HANDLER, region=people.tree.town_a1, department=police)
    body = accepted(people, case)
    # a duplicate assisting unit and a huge id are 400 with a message
    assert_error(act(people.clerk, case["id"], "dispatch", {
        "department_id": people.department.pk, "assist_department_ids": [police.pk, police.pk],
        "version": body["version"]}), 400)
    assert_error(act(people.clerk, case["id"], "dispatch", {
        "department_id": people.department.pk, "assist_department_ids": [2**70], "version": body["version"]}), 400)
    body = act(people.clerk, case["id"], "dispatch", {
        "department_id": people.department.pk, "assist_department_ids": [police.pk], "version": body["version"],
    }).json()
    assert [a["department"]["name"] for a in body["assist_assignments"]] == ["七一路派出所"]
    assert body["assist_assignments"][0]["role"] == "assist"
    assert body["current_assignment"]["role"] == "lead"
    # the assisting unit acts on its own part; the outsider sees nothing
    response = act(officer, case["id"], "assist_sign")
    assert response.status_code == 200 and "assist_report" in response.json()["available_actions"]
    assert_error(act(people.outsider, case["id"], "assist_report", {"note": "x"}), 404)
    body = act(people.handler, case["id"], "sign", {"version": body["version"]}).json()
    assert_error(act(people.handler, case["id"], "resolve", {"note": "调解成功", "version": body["version"]}), 409,
                 "assist_pending")
    response = act(officer, case["id"], "assist_report", {"note": "已出具出警记录"})
    assert response.status_code == 200, response.content
    assert response.json()["assist_assignments"] == []
    response = act(people.handler, case["id"], "resolve", {"note": "调解成功", "version": response.json()["version"]})
    assert response.status_code == 200 and response.json()["state"] == "resolved"
