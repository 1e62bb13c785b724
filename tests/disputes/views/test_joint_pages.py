"""一揽子调处 through the pages: a lead and an assisting unit, each with its own forms."""
from django.urls import reverse

from disputes.models import AssignmentRole, AssignmentStatus, Case, CaseAssignment, CaseState
from governance.models import DepartmentKind, Role
from tests.disputes.views.test_actions import action_url, client_for
from tests.factories import DepartmentFactory, UserFactory


def test_joint_handling_from_dispatch_to_resolve_through_the_pages(people):
    police = DepartmentFactory(name="七一路派出所", kind=DepartmentKind.POLICE, region=people.tree.town_a1)
    officer = UserFactory(role=Role.HANDLER, region=people.tree.town_a1, department=police)
    case = people.register()
    clerk = client_for(people.clerk_a1)
    clerk.post(action_url(case, "accept"), {"accept-version": 1})
    case.refresh_from_db()
    # given the clerk dispatches to 司法所 with 派出所 assisting
    page = clerk.get(reverse("disputes:detail", args=[case.pk])).content.decode()
    assert 'name="dispatch-assist_departments"' in page
    clerk.post(action_url(case, "dispatch"), {"dispatch-version": case.version,
                                              "dispatch-department": people.department_a1.pk,
                                              "dispatch-assist_departments": [police.pk]})
    assist = CaseAssignment.objects.get(case=case, role=AssignmentRole.ASSIST)
    assert assist.department == police
    # the assisting unit's page offers its own sign, then its report
    officer_client = client_for(officer)
    page = officer_client.get(reverse("disputes:detail", args=[case.pk])).content.decode()
    assert 'data-testid="action-assist_sign"' in page and 'data-testid="action-sign"' not in page
    officer_client.post(action_url(case, "assist_sign"), {})
    officer_client.post(action_url(case, "assist_report"), {"assist_report-note": "已出具出警记录"})
    assist.refresh_from_db()
    assert assist.status == AssignmentStatus.COMPLETED
    # the lead signs and resolves; the timeline and the dispatch table show each unit's part
    handler = client_for(people.handler_a1)
    case.refresh_from_db()
    handler.post(action_url(case, "sign"), {"sign-version": case.version})
    case.refresh_from_db()
    handler.post(action_url(case, "resolve"), {"resolve-version": case.version, "resolve-note": "调解成功"})
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED
    page = handler.get(reverse("disputes:detail", args=[case.pk])).content.decode()
    assert "已出具出警记录" in page and "协办单位" in page and "牵头单位" in page


def test_the_center_withdraws_an_assisting_part_from_the_dispatch_table(people):
    police = DepartmentFactory(name="七一路派出所", kind=DepartmentKind.POLICE, region=people.tree.town_a1)
    case = people.register()
    clerk = client_for(people.clerk_a1)
    clerk.post(action_url(case, "accept"), {"accept-version": 1})
    case.refresh_from_db()
    clerk.post(action_url(case, "dispatch"), {"dispatch-version": case.version,
                                              "dispatch-department": people.department_a1.pk,
                                              "dispatch-assist_departments": [police.pk]})
    assist = CaseAssignment.objects.get(case=case, role=AssignmentRole.ASSIST)
    page = clerk.get(reverse("disputes:detail", args=[case.pk])).content.decode()
    assert f'data-testid="withdraw-{assist.pk}"' in page
    response = clerk.post(action_url(case, "assist_withdraw"), {"assist_withdraw-assignment_id": assist.pk,
                                                               "assist_withdraw-reason": "派出所另案处理"},
                          follow=True)
    assert "操作成功" in response.content.decode()
    assist.refresh_from_db()
    assert assist.status == AssignmentStatus.WITHDRAWN
    # a second dispatch naming the lead as assisting too is refused with a message, nothing partial
    other = people.register(title="另一起")
    clerk.post(action_url(other, "accept"), {"accept-version": 1})
    other.refresh_from_db()
    response = clerk.post(action_url(other, "dispatch"), {
        "dispatch-version": other.version, "dispatch-department": people.department_a1.pk,
        "dispatch-assist_departments": [people.department_a1.pk]}, follow=True)
    assert "协办单位不能重复" in response.content.decode()
    assert Case.objects.get(pk=other.pk).state == CaseState.ACCEPTED
