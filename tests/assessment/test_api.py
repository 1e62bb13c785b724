"""The assessment API by the who-sees-what rule, the veto writes with their Chinese refusals,
and the schema."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assessment.models import Veto, VetoState
from governance.models import Role
from tests.assessment.test_views import computed  # noqa: F401 (fixture)
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/"


def client_for(role, region) -> APIClient:
    client = APIClient()
    client.force_login(UserFactory(role=role, region=region))
    return client


def test_periods_and_indicators_are_the_callers_citys(tree, computed):  # noqa: F811
    api = client_for(Role.LEADER, tree.town_a1)
    periods = api.get(BASE + "assessment-periods/").json()
    assert computed.pk in [p["id"] for p in periods["results"]]
    indicators = api.get(BASE + "indicators/?year=2026").json()
    assert {"A", "B2"} <= {i["code"] for i in indicators["results"]} and indicators["count"] == 29


def test_rankings_follow_the_rule_of_who_sees_what(tree, computed):  # noqa: F811
    town = client_for(Role.LEADER, tree.town_a1)
    ranking = town.get(BASE + f"rankings/?period={computed.pk}&level=township").json()
    rows = {r["unit"]["name"]: r for r in ranking["rows"]}
    assert set(rows) == {"七一路街道", "红旗街街道"}
    assert rows["七一路街道"]["detail"] and not rows["红旗街街道"]["detail"]
    assert isinstance(rows["七一路街道"]["total"], float)
    assert town.get(BASE + f"rankings/{computed.pk}/{tree.town_a1.pk}/").status_code == 200
    assert town.get(BASE + f"rankings/{computed.pk}/{tree.town_a2.pk}/").status_code == 404
    assert town.get(BASE + f"rankings/?period={computed.pk}&level=county").status_code == 404

    county = client_for(Role.LEADER, tree.county_a)
    detail = county.get(BASE + f"rankings/{computed.pk}/{tree.town_a2.pk}/").json()
    b2 = next(line for line in detail["lines"] if line["code"] == "B2")
    assert (b2["numerator"], b2["denominator"]) == (1, 1) and "indicator=resolve_on_time" in b2["cases"]["num"]
    assert county.get(BASE + f"rankings/{computed.pk}/{tree.town_b1.pk}/").status_code == 404

    city = client_for(Role.LEADER, tree.city)
    assert city.get(BASE + f"rankings/{computed.pk}/{tree.town_b1.pk}/").status_code == 200
    assert client_for(Role.WINDOW_STAFF, tree.town_a1).get(BASE + "rankings/").status_code == 403


def test_the_ranking_answers_in_a_constant_number_of_queries(tree, computed):  # noqa: F811
    api = client_for(Role.LEADER, tree.county_a)
    url = BASE + f"rankings/?period={computed.pk}"
    api.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    assert len(queries) <= 12


def test_vetoes_are_proposed_below_and_decided_above(tree):
    case = CaseFactory(village=tree.village_a1x)
    town = client_for(Role.LEADER, tree.town_a1)
    created = town.post(BASE + "vetoes/", {"unit_id": tree.town_a1.pk, "reason": "民转刑案件", "case_ids": [case.pk]},
                        format="json")
    assert created.status_code == 201 and created.json()["case_ids"] == [case.pk]
    veto_id = created.json()["id"]

    refused = town.post(BASE + f"vetoes/{veto_id}/decide/", {"approve": True}, format="json")
    assert refused.status_code == 403
    assert refused.json()["message"] == "一票否决须由县级以上决定，乡镇(街道)只能提出建议"
    assert Veto.objects.get(pk=veto_id).state == VetoState.PROPOSED
    assert client_for(Role.LEADER, tree.county_b).get(BASE + "vetoes/").json()["count"] == 0

    decided = client_for(Role.LEADER, tree.county_a).post(BASE + f"vetoes/{veto_id}/decide/", {"approve": True},
                                                          format="json")
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    bad = town.post(BASE + "vetoes/", {"unit_id": tree.town_a1.pk, "reason": ""}, format="json")
    assert bad.status_code == 400


def test_the_schema_documents_the_assessment_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/assessment-periods/", "/api/v1/rankings/", "/api/v1/rankings/{period}/{region}/",
                 "/api/v1/indicators/", "/api/v1/vetoes/"):
        assert path in schema
