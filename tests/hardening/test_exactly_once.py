"""Exactly-once create under 100 concurrent posts (issue 15, item 8), on PostgreSQL: one
Idempotency-Key (API) or one submit token (intake page) → one case, one 201 (the rest 200 with
the same case, or the page's redirect to it), and no gap in the case numbers.

The posts run in threads with a connection each, all released by one barrier. At most
RACE_THREADS connections are open at once (PostgreSQL's default max_connections is 100 and
the test database shares it); each thread sends its share of the 100 posts back to back.
"""
from __future__ import annotations

import datetime as dt
import os
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from disputes.models import Case, CaseNumberCounter, Category
from governance.accounts import token_issue
from governance.models import Role
from tests.factories import RegionTree, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and connections"),
]

POSTS = 100
RACE_THREADS = int(os.environ.get("RACE_THREADS", "25"))


def _race(post) -> list:
    """Call `post(i)` for i in 0..POSTS-1 from RACE_THREADS threads started together."""
    barrier = threading.Barrier(RACE_THREADS)
    results: list = [None] * POSTS

    def run(worker: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(worker, POSTS, RACE_THREADS):
                try:
                    results[i] = post(i)
                except Exception as exc:  # recorded, asserted below
                    results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(w,)) for w in range(RACE_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


@pytest.fixture
def clerk(db):
    tree = RegionTree()
    user = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    return user, tree


def test_100_concurrent_api_posts_with_one_key_make_one_case_and_one_201(clerk):
    user, tree = clerk
    category = Category.objects.get(code="1702")
    token = token_issue(user=user)
    payload = {
        "title": "并发登记", "narrative": "同一键重复提交。", "category_id": category.pk, "channel": "visit",
        "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(), "village_id": tree.village_a1x.pk,
        "parties": [{"role": "applicant", "kind": "person", "name": "张三"}],
    }

    def post(i):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post("/api/v1/cases/", payload, format="json", HTTP_IDEMPOTENCY_KEY="race-key-1")
        return response.status_code, response.json().get("id")

    results = _race(post)
    assert not [r for r in results if not isinstance(r, tuple)], results
    statuses = [status for status, _id in results]
    assert statuses.count(201) == 1, statuses
    assert statuses.count(200) == POSTS - 1, statuses
    assert len({case_id for _status, case_id in results}) == 1
    assert Case.objects.count() == 1
    # and the losers left no gap: the next case takes the next number
    first = Case.objects.get()
    assert first.number.endswith("0001")
    assert CaseNumberCounter.objects.get().last == 1
    again = APIClient()
    again.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    second = again.post("/api/v1/cases/", payload, format="json", HTTP_IDEMPOTENCY_KEY="race-key-2")
    assert second.status_code == 201
    assert second.json()["number"].endswith("0002")


def test_100_concurrent_intake_form_posts_with_one_token_make_one_case(clerk):
    user, tree = clerk
    category = Category.objects.get(code="1702")
    form = {
        "title": "并发登记", "category": str(category.pk), "channel": "visit",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "village": str(tree.village_a1x.pk),
        "narrative": "同一表单重复提交。", "people_involved": "1", "submit_token": "race-token-1",
        "parties-TOTAL_FORMS": "1", "parties-INITIAL_FORMS": "0", "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "50", "parties-0-role": "applicant", "parties-0-kind": "person",
        "parties-0-name": "张三",
    }
    session_client = Client()
    session_client.force_login(user)
    cookie = session_client.cookies

    def post(i):
        client = Client()
        client.cookies = cookie
        response = client.post("/cases/new/", form)
        return response.status_code, response.get("Location")

    results = _race(post)
    assert not [r for r in results if not isinstance(r, tuple)], results
    case = Case.objects.get()
    assert {status for status, _location in results} == {302}
    assert {location for _status, location in results} == {f"/cases/{case.pk}/"}
    assert case.number.endswith("0001")
    assert CaseNumberCounter.objects.get().last == 1
