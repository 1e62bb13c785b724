"""Input that cannot hurt (issue 15, item 1), through the pages: the 500s found on main are
form errors in Chinese now, and nothing is stored."""
from __future__ import annotations

import pytest
from django.urls import reverse

from disputes.models import Case
from tests.disputes.views.conftest import client_for
from tests.disputes.views.test_intake import intake_post


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00", "1900-01-01T00:00", "9999-12-31T23:59"])
def test_intake_page_refuses_an_occurrence_outside_1949_to_now(people, occurred_at):
    client = client_for(people.clerk_a1)
    response = client.post(reverse("disputes:intake"), intake_post(people, occurred_at=occurred_at))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1949年10月1日" in html or "晚于当前时间" in html
    assert not Case.objects.exists()
    assert client.get(reverse("disputes:list")).status_code == 200


def test_intake_page_refuses_a_huge_number_of_people(people):
    response = client_for(people.clerk_a1).post(
        reverse("disputes:intake"), intake_post(people, people_involved=str(2**31)))
    assert response.status_code == 200
    assert not Case.objects.exists()


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_case_list_page_filter_outside_100_years_shows_a_message(people, value):
    response = client_for(people.clerk_a1).get(reverse("disputes:list"), {"created_to": value})
    assert response.status_code in (200, 400)
    assert "100" in response.content.decode()
