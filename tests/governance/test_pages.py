"""governance.pages: the page half of the error vocabulary, and list pages."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import Department, Role
from governance.pages import PAGE_SIZE, page_errors, paginate
from governance.scoping import request_scope
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def raising(error):
    @page_errors
    def view(request):
        raise error
    return view


@pytest.fixture
def signed_in(rf, tree):
    request = rf.get("/some/page/")
    request.user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    return request


def test_missing_or_out_of_scope_is_404(signed_in):
    with pytest.raises(Http404):
        raising(NotFound("未找到该记录"))(signed_in)


def test_wrong_role_is_403_with_the_message(signed_in):
    with pytest.raises(PermissionDenied, match="仅供调度员"):
        raising(Forbidden("仅供调度员使用"))(signed_in)


def test_user_without_jurisdiction_is_403(rf):
    # given a signed-in user without a region: request_scope raises NoJurisdiction
    request = rf.get("/some/page/")
    request.user = UserFactory(role=Role.WINDOW_STAFF, region=None)

    @page_errors
    def view(request):
        request_scope(request)
        return HttpResponse("never")

    with pytest.raises(PermissionDenied):
        view(request)


def test_input_the_form_did_not_catch_is_400_with_the_message(signed_in):
    response = raising(InvalidInput("区划编号有误"))(signed_in)

    assert response.status_code == 400
    assert response.content.decode() == "区划编号有误"


def test_other_errors_are_left_to_the_view(signed_in):
    # a conflict is a message the page shows itself, not a status page
    with pytest.raises(Conflict):
        raising(Conflict("案件状态已变化"))(signed_in)


def test_anonymous_user_is_sent_to_login(rf):
    request = rf.get("/some/page/")
    request.user = AnonymousUser()

    response = raising(NotFound("x"))(request)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/some/page/")


def test_paginate_pages_by_the_page_parameter(rf, tree):
    for i in range(PAGE_SIZE + 3):
        DepartmentFactory(region=tree.town_a1, name=f"单位{i:02d}")
    departments = Department.objects.order_by("name")

    first = paginate(rf.get("/"), departments)
    second = paginate(rf.get("/", {"page": "2"}), departments)
    past_the_end = paginate(rf.get("/", {"page": "99"}), departments)

    assert [d.name for d in first] == [f"单位{i:02d}" for i in range(PAGE_SIZE)]
    assert [d.name for d in second] == [f"单位{i:02d}" for i in range(PAGE_SIZE, PAGE_SIZE + 3)]
    assert past_the_end.number == 2
    assert paginate(rf.get("/"), departments, per_page=5).paginator.num_pages == 5
