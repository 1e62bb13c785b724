"""Personal data in URLs, logs and caches (issue 15, item 2)."""
from __future__ import annotations

import io
import logging

from django.test import Client

from governance.log_filters import PersonalDataFilter, RefusalFilter, scrub
from tests.disputes.api.conftest import CASES_URL, ID_NUMBER, PHONE, client_for

HINTS_URL = "/api/v1/case-hints/"


def test_hints_are_a_post_and_a_get_with_an_id_number_is_refused(people, case):
    client = client_for(people.clerk)
    assert client.get(HINTS_URL, {"id_number": ID_NUMBER}).status_code == 405
    assert [r["id"] for r in client.post(HINTS_URL, {"id_number": ID_NUMBER}, format="json").json()] == [case["id"]]


def test_the_intake_page_asks_for_hints_by_post(people):
    html = client_for(people.clerk).get("/cases/new/").content.decode()
    assert 'hx-post="/cases/new/hints/"' in html
    assert 'hx-get="/cases/new/hints/"' not in html


def test_every_response_to_a_signed_in_user_is_no_store(people, case):
    client = client_for(people.clerk)
    for url in ("/cases/", f"/cases/{case['id']}/", CASES_URL, f"{CASES_URL}{case['id']}/", "/notifications/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url


def test_the_reveal_endpoints_are_no_store(people, case):
    client = client_for(people.clerk)
    party_id = case["parties"][0]["id"]
    api = client.get(f"{CASES_URL}{case['id']}/parties/{party_id}/reveal/", {"field": "phone"})
    assert api.status_code == 200 and api.json()["value"] == PHONE
    assert api["Cache-Control"] == "no-store"
    page = client.get(f"/cases/{case['id']}/parties/{party_id}/phone/reveal/")
    assert page["Cache-Control"] == "no-store"


def test_token_callers_get_no_store_too(people):
    from rest_framework.test import APIClient

    from governance.accounts import token_issue

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=people.clerk)}")
    assert client.get(CASES_URL)["Cache-Control"] == "no-store"


def test_anonymous_pages_are_not_forced_to_no_store(db):
    assert Client().get("/login/").get("Cache-Control", "") != "no-store"


def test_scrub_replaces_id_numbers_and_phones_but_keeps_case_numbers():
    line = f"GET /x?id_number={ID_NUMBER}&phone={PHONE}&tel=+86{PHONE} case 610202001202612070001"
    scrubbed = scrub(line)
    assert ID_NUMBER not in scrubbed and PHONE not in scrubbed
    assert "[证件号]" in scrubbed and "[手机号]" in scrubbed
    assert "610202001202612070001" in scrubbed
    assert scrub("11010519491231002X") == "[证件号]"


def test_every_configured_handler_scrubs_what_it_writes():
    # settings.LOGGING's handlers (pytest adds its own capturing ones beside them)
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert handlers, "settings.LOGGING installs at least the console handler"
    for handler in handlers:
        assert any(isinstance(f, PersonalDataFilter) for f in handler.filters), handler
        stream = io.StringIO()
        old = handler.setStream(stream)
        try:
            logger = logging.getLogger("disputes.test")
            record = logger.makeRecord("disputes.test", logging.WARNING, __file__, 1,
                                       "lookup id=%s phone=%s", (ID_NUMBER, PHONE), None)
            handler.handle(record)
            try:
                raise ValueError(f"bad phone {PHONE}")
            except ValueError:
                import sys

                handler.handle(logger.makeRecord("disputes.test", logging.ERROR, __file__, 1, "failed", (),
                                                 sys.exc_info()))
        finally:
            handler.setStream(old)
        written = stream.getvalue()
        assert "lookup id=[证件号] phone=[手机号]" in written
        assert ID_NUMBER not in written and PHONE not in written
        assert "bad phone [手机号]" in written


def test_a_refusal_is_shortened_once_however_often_the_filter_is_installed():
    # runserver configures logging twice, and dictConfig keeps a logger's earlier filters.
    try:
        raise PermissionError("当前角色无权执行此操作")
    except PermissionError:
        import sys

        record = logging.getLogger("django.request").makeRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden (Permission denied): %s", ("/audit/",),
            sys.exc_info(), extra={"status_code": 403})
    for _ in range(2):
        assert RefusalFilter().filter(record)
    assert record.getMessage() == "Forbidden (Permission denied): /audit/ (当前角色无权执行此操作)"
    assert record.exc_info is None
