"""POST /api/v1/cases/{id}/<action>/: each action's happy path and the 400/403/404/409 shapes."""
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from disputes.models import Attachment, Case, CaseAssignment, CaseEvent, ExtensionRequest, Mediation, Supervision
from tests.disputes.api.conftest import CASES_URL, act, assert_error, client_for, register

# The smallest valid PNG (1×1), so the attachment type is decided by content.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def accepted(people, case) -> dict:
    response = act(people.clerk, case["id"], "accept", {"version": case["version"], "note": "符合受理条件"})
    assert response.status_code == 200, response.content
    return response.json()


def dispatched(people, case) -> dict:
    body = accepted(people, case)
    response = act(people.clerk, case["id"], "dispatch",
                   {"department_id": people.department.pk, "instructions": "请司法所调解", "version": body["version"]})
    assert response.status_code == 200, response.content
    return response.json()


def signed(people, case) -> dict:
    body = dispatched(people, case)
    response = act(people.handler, case["id"], "sign", {"version": body["version"]})
    assert response.status_code == 200, response.content
    return response.json()


def test_full_loop_accept_dispatch_sign_progress_resolve_callback(people, case):
    # accept (受理)
    body = accepted(people, case)
    assert body["state"] == "accepted" and body["version"] == 2
    assert "dispatch" in body["available_actions"]
    # dispatch (交办) to the township's justice office
    response = act(people.clerk, case["id"], "dispatch",
                   {"department_id": people.department.pk, "instructions": "请司法所调解", "version": 2})
    body = response.json()
    assert response.status_code == 200
    assert body["state"] == "dispatched"
    assert body["current_assignment"]["department"] == {"id": people.department.pk, "name": "七一路司法所"}
    assert body["current_assignment"]["status"] == "pending"
    # sign (签收) by the department's handler; the answer shows the handler's actions
    body = act(people.handler, case["id"], "sign", {"version": body["version"]}).json()
    assert body["state"] == "in_progress"
    assert {"progress", "resolve"} <= set(body["available_actions"])
    # progress (an event only) and resolve (办结)
    assert act(people.handler, case["id"], "progress", {"note": "已约双方面谈"}).status_code == 200
    body = act(people.handler, case["id"], "resolve", {"note": "双方达成一致", "version": body["version"]}).json()
    assert body["state"] == "resolved"
    # callback (回访) satisfied closes it
    body = act(people.clerk, case["id"], "callback",
               {"satisfied": True, "note": "当事人满意", "version": body["version"]}).json()
    assert body["state"] == "closed"
    assert body["available_actions"] == []
    # and the timeline shows one event per step, oldest first
    events = client_for(people.clerk).get(f"{CASES_URL}{case['id']}/events/").json()
    assert [e["action"] for e in events["results"]] == [
        "register", "accept", "dispatch", "sign", "progress", "resolve", "callback"]
    assert events["results"][3]["actor"]["id"] == people.handler.pk
    assert events["results"][3]["from_state"] == "dispatched"
    assert events["results"][3]["to_state"] == "in_progress"


def test_return_sends_the_case_back_to_the_center(people, case):
    body = dispatched(people, case)
    response = act(people.handler, case["id"], "return", {"reason": "不属于本单位职责", "version": body["version"]})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "accepted"
    assert response.json()["return_count"] == 1
    assert response.json()["current_assignment"] is None


def test_return_after_the_return_window_is_409(people, case):
    body = dispatched(people, case)
    assignment = CaseAssignment.objects.get(case_id=case["id"])
    assert body["current_assignment"]["return_by"] is not None
    # the window (LoopPolicy: 2 working days after the dispatch) has closed
    CaseAssignment.objects.filter(pk=assignment.pk).update(return_by=timezone.now() - dt.timedelta(seconds=1))
    response = act(people.handler, case["id"], "return", {"reason": "不属于本单位职责", "version": body["version"]})
    assert "已超过退回时限" in assert_error(response, 409, "return_window_closed")["message"]
    assert Case.objects.get(pk=case["id"]).state == "dispatched"


def test_reject_needs_reason_and_referral(people, case):
    body = assert_error(act(people.clerk, case["id"], "reject", {"reason": "不属于受理范围"}), 400, "invalid")
    assert "referral" in body["extra"]["fields"]
    response = act(people.clerk, case["id"], "reject", {"reason": "不属于受理范围", "referral": "请向法院起诉"})
    assert response.status_code == 200
    assert response.json()["state"] == "rejected"


def test_handle_mediation_resolve_and_unsatisfied_callback_redo(people, case):
    body = accepted(people, case)
    body = act(people.clerk, case["id"], "handle", {"note": "中心先行调解", "version": body["version"]}).json()
    assert body["state"] == "in_progress"
    # mediation is recorded and answered with the record (201)
    response = act(people.clerk, case["id"], "mediation", {
        "mediators": "王调解员", "held_at": "2026-01-05T10:00:00+08:00", "outcome": "agreement",
        "agreement_content": "李四疏通排水沟", "place": "七一路街道综治中心",
        "committee_name": "七一路街道人民调解委员会"})
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "agreement"
    assert Mediation.objects.get(pk=response.json()["id"]).case_id == case["id"]
    body = act(people.clerk, case["id"], "resolve", {"note": "已调解", "version": body["version"]}).json()
    body = act(people.clerk, case["id"], "callback", {"satisfied": False, "note": "仍未疏通"}).json()
    assert body["state"] == "in_progress"
    assert body["redo_count"] == 1


def test_extend_request_and_decision(people, case):
    signed(people, case)
    response = act(people.handler, case["id"], "extend", {"days": 5, "reason": "需等待鉴定结果"})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending" and response.json()["days"] == 5
    response = act(people.clerk, case["id"], "extend_decide", {"approve": True, "note": "同意"})
    assert response.status_code == 200
    assert ExtensionRequest.objects.get(case_id=case["id"]).status == "approved"


def test_supervise_urge_instruct_and_urgent_from_above(people, case):
    accepted(people, case)
    response = act(people.dispatcher, case["id"], "supervise", {"level": "yellow", "note": "请尽快分流"})
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "supervise" and response.json()["level"] == "yellow"
    assert act(people.dispatcher, case["id"], "urge", {"note": "催办"}).status_code == 201
    assert act(people.leader, case["id"], "instruct", {"note": "务必妥善化解"}).status_code == 201
    assert Supervision.objects.filter(case_id=case["id"]).count() == 3
    response = act(people.leader, case["id"], "urgent", {"urgent": True})
    assert response.status_code == 200
    assert response.json()["urgent"] is True
    # the township clerk may not supervise its own case
    assert_error(act(people.clerk, case["id"], "supervise", {"level": "normal"}), 403, "forbidden")


def test_attachment_upload_is_multipart_and_typed_by_content(people, case):
    upload = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
    response = act(people.clerk, case["id"], "attachments", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/png"
    assert response.json()["original_name"] == "现场照片.png"
    assert Attachment.objects.filter(case_id=case["id"]).count() == 1
    fake = SimpleUploadedFile("伪装.png", b"plain text, not an image", content_type="image/png")
    assert_error(act(people.clerk, case["id"], "attachments", {"file": fake}, format="multipart"), 400, "invalid")
    assert_error(act(people.clerk, case["id"], "attachments", {"file": io.BytesIO(b"")}, format="multipart"),
                 400, "invalid")


def test_link_marks_a_related_case(people, category, case):
    other = register(people.clerk, people.tree.village_a1x, category)
    response = act(people.clerk, case["id"], "link", {"other_id": other["id"]})
    assert response.status_code == 200, response.content
    assert Case.objects.get(pk=case["id"]).links.get().other_id == other["id"]


def test_escalate_moves_the_case_up_one_level(people, case):
    accepted(people, case)
    response = act(people.clerk, case["id"], "escalate", {"note": "涉及多个部门，本级无法化解"})
    assert response.status_code == 200, response.content
    assert response.json()["owning_level"] == "county"
    assert response.json()["owning_region"]["id"] == people.tree.county_a.pk


# --- error shapes -------------------------------------------------------------------------------------


def test_invalid_transition_is_409(people, case):
    accepted(people, case)
    body = assert_error(act(people.clerk, case["id"], "accept", {}), 409, "invalid_state")
    assert body["extra"]["state"] == "accepted"


def test_stale_version_is_409_and_changes_nothing(people, case):
    body = assert_error(act(people.clerk, case["id"], "accept", {"version": case["version"] + 1}), 409, "stale")
    assert "刷新" in body["message"]
    assert Case.objects.get(pk=case["id"]).state == "registered"
    assert CaseEvent.objects.filter(case_id=case["id"]).count() == 1


def test_wrong_role_is_403(people, case):
    assert_error(act(people.handler, case["id"], "accept", {}), 403, "forbidden")
    assert_error(act(people.leader, case["id"], "accept", {}), 403, "forbidden")
    assert Case.objects.get(pk=case["id"]).state == "registered"


def test_dispatch_input_needs_exactly_one_target(people, case):
    body = accepted(people, case)
    assert_error(act(people.clerk, case["id"], "dispatch", {"version": body["version"]}), 400, "invalid")
    both = {"department_id": people.department.pk, "region_id": people.tree.village_a1x.pk}
    assert_error(act(people.clerk, case["id"], "dispatch", both), 400, "invalid")


def test_wrong_types_are_400(people, case):
    body = assert_error(act(people.clerk, case["id"], "accept", {"version": "abc"}), 400, "invalid")
    assert "version" in body["extra"]["fields"]
    assert_error(act(people.clerk, case["id"], "callback", {"note": "x"}), 400, "invalid")


def test_missing_case_is_404(people):
    assert_error(act(people.clerk, 999999, "accept", {}), 404, "not_found")


def test_dispatch_to_a_department_outside_the_jurisdiction_is_404(people, case):
    from tests.factories import DepartmentFactory

    body = accepted(people, case)
    elsewhere = DepartmentFactory(region=people.tree.town_b1, name="城关司法所")
    response = act(people.clerk, case["id"], "dispatch", {"department_id": elsewhere.pk, "version": body["version"]})
    assert_error(response, 404, "not_found")
