"""`make run` runs with DEBUG on; a missing page or a crash still shows the product's Chinese
pages (and JSON under /api/), never Django's technical page, unless DEBUG_ERROR_PAGES asks."""
from __future__ import annotations

import pytest
from django.test import Client

from governance.debug_pages import TECHNICAL_MARK
from governance.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def development(settings):
    settings.DEBUG = True
    settings.DEBUG_ERROR_PAGES = False


def test_a_missing_page_is_the_chinese_404_in_the_layout(client, tree):
    client.force_login(UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1))
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert TECHNICAL_MARK not in response.content and "URLconf" not in html
    assert "未找到该页面或记录" in html and 'data-testid="jurisdiction"' in html
    # (django-csp sends no policy with a 404 or 500 while DEBUG is on; production does)


def test_a_missing_api_route_is_json(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.urls("tests.governance.error_urls")
def test_a_crash_is_the_chinese_500_page_without_a_traceback():
    response = Client(raise_request_exception=False).get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert TECHNICAL_MARK not in response.content and "Traceback" not in html and "RuntimeError" not in html
    assert "服务器" in html


def test_a_developer_can_ask_for_the_technical_page(client, settings):
    settings.DEBUG_ERROR_PAGES = True
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and TECHNICAL_MARK in response.content


def test_production_never_needs_the_swap(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "未找到该页面或记录" in response.content.decode()
