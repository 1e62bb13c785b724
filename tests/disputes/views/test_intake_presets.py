"""Issue 11, found on main: the intake page honours `?channel=grid&grid=N`, and an incident or
hazard may be registered without a party (a dispute still needs one)."""
from __future__ import annotations

import re

from django.urls import reverse

from disputes.models import Case, Category, CategoryKind, Channel
from governance.models import Role
from tests.disputes.views.conftest import client_for
from tests.disputes.views.test_intake import intake_post
from tests.factories import UserFactory

URL = reverse("disputes:intake")


def selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [v for v in re.findall(r'<option value="([^"]*)"[^>]*selected', select) if v]


def test_grid_link_presets_channel_village_and_grid(people):
    # given the 上报事件 link for a grid inside the clerk's township
    client = client_for(people.clerk_a1)
    # when the page opens from it
    html = client.get(URL, {"channel": "grid", "grid": people.grid_a1y.pk}).content.decode()
    # then 网格上报, the grid's village and the grid itself are chosen
    assert selected(html, "channel") == ["grid"]
    assert selected(html, "village") == [str(people.tree.village_a1y.pk)]
    assert selected(html, "grid") == [str(people.grid_a1y.pk)]


def test_grid_outside_scope_or_malformed_is_ignored(people):
    client = client_for(people.clerk_a1)
    for value in (people.grid_b1x.pk, "abc", "99999999999999999999"):
        html = client.get(URL, {"channel": "grid", "grid": value}).content.decode()
        assert selected(html, "grid") == []
        assert people.grid_b1x.name not in html


def test_grid_worker_sees_and_stores_only_grid_channel(people):
    # given a grid worker of 云梦堤社区
    worker = UserFactory(role=Role.GRID_WORKER, region=people.tree.village_a1x)
    client = client_for(worker)
    # when the intake page opens without any query
    html = client.get(URL).content.decode()
    # then the only channel shown is 网格上报, and a posted 来访 is stored as what was shown
    channel_select = re.search(r'<select name="channel".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', channel_select) == ["grid"]
    response = client.post(URL, intake_post(people, channel="visit"))
    assert response.status_code == 200 and "channel" in response.context["form"].errors
    assert Case.objects.count() == 0
    response = client.post(URL, intake_post(people, channel="grid"))
    assert response.status_code == 302
    assert Case.objects.get().channel == Channel.GRID


def no_parties(people, **overrides) -> dict:
    return intake_post(people, **{"parties-0-name": "", "parties-0-id_number": "", "parties-0-phone": "",
                                  "parties-1-name": "", "parties-1-id_number": "", **overrides})


def test_incident_needs_no_party_but_a_dispute_does(people):
    client = client_for(people.clerk_a1)
    # a dispute (邻里纠纷) without parties: a clear message, nothing saved
    response = client.post(URL, no_parties(people))
    assert response.status_code == 200
    assert "矛盾纠纷至少登记一名当事人" in response.content.decode()
    assert Case.objects.count() == 0
    # an incident (其他: a broken street light) without parties: registered
    incident = Category.objects.get(code="19")
    assert incident.kind == CategoryKind.INCIDENT
    response = client.post(URL, no_parties(people, category=str(incident.pk), submit_token="tok-2"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.parties.count() == 0 and case.category == incident
    assert case.events.get(action="register").data["parties"] == 0


def test_seeded_kinds(db):
    incidents = set(Category.objects.filter(kind=CategoryKind.INCIDENT).values_list("code", flat=True))
    assert incidents == {"09", "0901", "0902", "0402", "19"}
    assert Category.objects.get(code="1702").kind == CategoryKind.DISPUTE
