"""Staff reading an online case through the API: no registrar, the resident's timeline row."""
from rest_framework.test import APIClient


def test_the_api_shows_an_online_case_without_a_registrar(world):
    case = world.submit()
    client = APIClient()
    client.force_login(world.clerk_a1)

    detail = client.get(f"/api/v1/cases/{case.pk}/")
    events = client.get(f"/api/v1/cases/{case.pk}/events/")

    assert detail.status_code == 200, detail.content
    body = detail.json()
    assert (body["channel"], body["registered_by"], body["external_id"]) == ("online", None, "")
    assert {"accept", "reject"} <= set(body["available_actions"])
    assert events.json()["results"][0]["actor"] is None
    # another township's clerk gets the same 404 as for a missing case
    outsider = APIClient()
    outsider.force_login(world.clerk_b1)
    assert outsider.get(f"/api/v1/cases/{case.pk}/").status_code == 404
