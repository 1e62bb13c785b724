"""Headers (issue 15): Content-Security-Policy with nonces, Permissions-Policy, no inline code."""
import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_pages_send_csp_and_permissions_policy(client):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-eval'" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=(self)" in response["Permissions-Policy"]


def test_no_template_carries_inline_scripts_handlers_or_unnonced_styles():
    offenders = []
    for path in Path(settings.BASE_DIR).glob("*/templates/**/*.html"):
        if "node_modules" in path.parts or ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0) and "application/json" not in match.group(0):
                offenders.append(f"{path}: {match.group(0)}")
        offenders += [f"{path}: on-handler" for _ in re.finditer(r"\son[a-z]+=\"", text)]
        offenders += [f"{path}: {m.group(0)}" for m in re.finditer(r"<style(?![^>]*nonce)[^>]*>", text)]
    assert offenders == []
