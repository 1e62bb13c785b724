"""OpenAPI 3 schema and the Swagger UI page (served from local static files, no CDN)."""
import json
import re

from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

ACTIONS = ("accept", "reject", "dispatch", "sign", "return", "progress", "resolve", "callback", "escalate",
           "extend", "supervise", "urge", "handle", "instruct", "urgent", "extend_decide", "mediation",
           "attachments", "link", "assist_sign", "assist_report", "assist_withdraw")


def schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def request_fields(spec: dict, path: str, content_type: str = "application/json") -> set[str]:
    body = spec["paths"][path]["post"]["requestBody"]["content"][content_type]["schema"]
    name = body["$ref"].rsplit("/", 1)[-1]
    return set(spec["components"]["schemas"][name]["properties"])


def test_schema_is_openapi_3_and_lists_every_contract_path(db):
    spec = schema()
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    assert {"/api/v1/cases/", "/api/v1/cases/{id}/", "/api/v1/cases/{id}/events/", "/api/v1/auth/token/",
            "/api/v1/me/", "/api/v1/case-hints/", "/api/v1/cases/{id}/parties/{party_id}/reveal/"} <= paths
    assert {f"/api/v1/cases/{{id}}/{action}/" for action in ACTIONS} <= paths


def test_each_action_documents_its_own_input_fields(db):
    spec = schema()
    assert request_fields(spec, "/api/v1/cases/{id}/dispatch/") == {
        "department_id", "region_id", "assist_department_ids", "instructions", "version"}
    assert request_fields(spec, "/api/v1/cases/{id}/return/") == {"reason", "version"}
    assert request_fields(spec, "/api/v1/cases/{id}/callback/") == {"satisfied", "note", "version"}
    assert "file" in request_fields(spec, "/api/v1/cases/{id}/attachments/", "multipart/form-data")
    dispatch = spec["paths"]["/api/v1/cases/{id}/dispatch/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(dispatch["responses"])


def test_list_documents_filters_ordering_and_page_size(db):
    params = {p["name"] for p in schema()["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert {"state", "category", "channel", "warning_level", "region", "created_from", "created_to", "q",
            "ordering", "page", "page_size"} <= params


def test_register_documents_the_idempotency_key_header(db):
    params = schema()["paths"]["/api/v1/cases/"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params)


def test_docs_page_uses_only_local_static_assets(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    # no absolute http(s) URL anywhere in the page: nothing is fetched from a CDN
    assert not re.search(r"https?://", html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    # the page's own script is served by the page itself (SpectacularSwaggerSplitView: no
    # inline script, which the Content-Security-Policy forbids)
    assert "/api/docs/?script=" in assets
    assets.remove("/api/docs/?script=")
    for asset in assets:
        assert asset.startswith("/static/"), asset
        # and every asset is really served by the app (drf-spectacular-sidecar)
        assert finders.find(asset.removeprefix("/static/")), asset
