"""API contract (issue 15, item 7) and database outage (item 6)."""
from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from rest_framework.test import APIClient

from tests.disputes.api.conftest import CASES_URL, assert_error, client_for


@pytest.mark.parametrize("path", ["/api/v1/cases/abc/", "/api/v1/cases/1.5/events/", "/api/v1/cases/-1/",
                                  "/api/v1/nothing-here/", "/api/v2/cases/"])
def test_unmatched_api_paths_answer_the_json_404(people, path, settings):
    for debug in (False, True):
        settings.DEBUG = debug
        response = client_for(people.clerk).get(path)
        assert response["Content-Type"] == "application/json"
        assert_error(response, 404, "not_found")


@pytest.mark.parametrize("value", ["null", "0", "-1", "abc", "1.5", "", "9" * 30])
def test_a_malformed_page_size_is_a_400(people, value):
    response = client_for(people.clerk).get(CASES_URL, {"page_size": value})
    body = assert_error(response, 400, "invalid")
    assert "page_size" in body["extra"]["fields"]


def test_a_malformed_page_is_a_400_and_a_page_past_the_end_a_404(people):
    assert_error(client_for(people.clerk).get(CASES_URL, {"page": "null"}), 400, "invalid")
    assert_error(client_for(people.clerk).get(CASES_URL, {"page": "99"}), 404)


def test_the_schema_documents_the_page_size_bounds(people):
    schema = client_for(people.clerk).get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"]["minimum"] == 1
    assert "100" in parameters["page_size"]["description"]


def test_an_empty_title_is_refused_by_the_schema_as_by_the_api(people, category):
    schema = client_for(people.clerk).get("/api/schema/", {"format": "json"}).json()
    title = schema["components"]["schemas"]["CaseCreateInput"]["properties"]["title"]
    assert title.get("minLength") == 1


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_the_schema_and_docs_need_a_sign_in_when_the_setting_is_on(people, settings, url):
    settings.API_DOCS_REQUIRE_LOGIN = True
    assert APIClient().get(url).status_code in (401, 403)
    assert client_for(people.clerk).get(url).status_code == 200
    settings.API_DOCS_REQUIRE_LOGIN = False
    assert APIClient().get(url).status_code == 200


def test_the_setting_defaults_to_on_without_debug(monkeypatch):
    from governance import settings as project_settings

    # Computed at start-up from the environment: `not DEBUG` unless set explicitly.
    if "API_DOCS_REQUIRE_LOGIN" not in project_settings.env:
        assert project_settings.API_DOCS_REQUIRE_LOGIN is (not project_settings.DEBUG)


# --- database outage -----------------------------------------------------------------------------


def database_down():
    """Every new cursor fails as a refused or killed connection does (restored on leaving the
    block, before the test database is rolled back)."""

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused")

    return mock.patch.object(BaseDatabaseWrapper, "cursor", refuse)


def test_api_answers_503_json_with_retry_after_when_the_database_is_unreachable(people):
    client = client_for(people.clerk)
    client.raise_request_exception = False
    with database_down():
        response = client.get(CASES_URL)
    body = assert_error(response, 503, "service_unavailable")
    assert "数据库" in body["message"]
    assert int(response["Retry-After"]) > 0


def test_pages_answer_a_chinese_503_page_when_the_database_is_unreachable(people):
    client = Client(raise_request_exception=False)
    client.force_login(people.clerk)
    with database_down():
        response = client.get("/cases/")
        anonymous = Client(raise_request_exception=False).post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 503
    html = response.content.decode()
    assert "服务暂时不可用" in html and "数据库暂时无法连接" in html
    assert int(response["Retry-After"]) > 0
    # and a signed-out visitor of the login page alike (the session table is the database too)
    assert anonymous.status_code == 503


def test_other_errors_stay_500(people, monkeypatch):
    from disputes import selectors

    def boom(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "case_list", boom)
    client = client_for(people.clerk)
    client.raise_request_exception = False
    assert_error(client.get(CASES_URL), 500, "server_error")
