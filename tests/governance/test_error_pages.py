"""403, 404 and 500 in the site language inside the layout, with the refusal's message;
JSON for the API; the 500 page renders with no database; /favicon.ico does not 404."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from governance import views
from governance.models import Role
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_like(settings):
    settings.DEBUG = False


@pytest.fixture
def clerk(tree):
    return UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_refused_page_says_why_in_chinese_inside_the_layout(clerk):
    # given a window clerk, when they open the dispatch dashboard
    response = signed_in(clerk).get(reverse("disputes:dashboard"))
    html = response.content.decode()
    # then the 403 page shows the server's own reason, in the layout (navigation, jurisdiction)
    assert response.status_code == 403
    assert "调度大屏仅供调度员和领导使用" in html and "无权访问" in html
    assert 'data-testid="jurisdiction"' in html and "403 Forbidden" not in html
    assert '<html lang="zh-hans">' in html


def test_the_403_page_follows_the_chosen_language(clerk):
    client = signed_in(clerk)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("disputes:dashboard")).content.decode()
    assert "Access denied" in html and '<html lang="en">' in html


def test_a_missing_page_is_404_in_the_layout(clerk):
    response = signed_in(clerk).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "未找到该页面或记录" in html and 'data-testid="jurisdiction"' in html


def test_a_case_outside_the_jurisdiction_gets_the_same_404_as_a_missing_one(clerk, tree):
    other = CaseFactory(village=tree.village_b1x, registered_by=clerk)
    outside = signed_in(clerk).get(reverse("disputes:detail", args=[other.pk]))
    missing = signed_in(clerk).get(reverse("disputes:detail", args=[other.pk + 1000]))
    assert outside.status_code == missing.status_code == 404
    assert error_block(outside) == error_block(missing)


def error_block(response) -> str:
    """The error card of a page (the layout around it carries a per-request CSRF token)."""
    html = response.content.decode()
    return html[html.index('data-testid="error-page"'):html.index("</div>", html.index('data-testid="error-page"'))]


def test_anonymous_visitors_get_the_404_page_without_the_navigation(client):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    assert 'data-testid="jurisdiction"' not in response.content.decode()


def test_api_errors_outside_a_view_keep_the_json_error_body(clerk):
    response = signed_in(clerk).get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {"message": "未找到该页面或记录", "code": "not_found", "extra": {}}


@pytest.mark.urls("tests.governance.error_urls")
def test_a_crash_shows_the_static_500_page(clerk):
    response = signed_in(clerk).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器内部错误" in html and "the database went away" not in html


def test_the_500_page_needs_no_database_and_no_context(rf, django_assert_num_queries):
    request = rf.get("/somewhere/")
    with django_assert_num_queries(0):
        response = views.server_error(request)
    assert response.status_code == 500 and "服务器内部错误" in response.content.decode()


def test_favicon_is_served_locally_and_linked_from_the_layout(clerk):
    response = Client().get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("/static/favicon.ico")
    html = signed_in(clerk).get(reverse("home"), follow=True).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


def test_an_htmx_request_gets_the_message_alone(clerk):
    response = signed_in(clerk).get(reverse("disputes:dashboard"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 403
    assert "调度大屏仅供调度员和领导使用" in html and "<html" not in html
