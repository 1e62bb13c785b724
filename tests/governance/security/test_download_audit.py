"""Every file a signed-in user takes away leaves an audit row: exports of every app, PDFs,
attachments — audited in one place (governance.download_audit), with ID numbers scrubbed."""
import pytest
from django.urls import reverse

from governance.models import AuditLog, Role
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db
ID_NUMBER = "610202198001011234"


def downloads():
    return list(AuditLog.objects.filter(action="download").order_by("id"))


def test_a_case_list_export_is_audited_with_its_filters_scrubbed(client, tree):
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    CaseFactory(village=tree.village_a1x)
    client.force_login(clerk)

    response = client.get(reverse("disputes:list_export"), {"q": ID_NUMBER})

    assert response.status_code == 200
    [row] = downloads()
    assert row.actor_id == clerk.pk and row.detail["path"] == reverse("disputes:list_export")
    assert row.detail["file"].endswith(".xlsx")
    assert ID_NUMBER not in row.detail["query"]


def test_a_grid_export_is_audited_too(client, tree):
    leader = UserFactory(role=Role.LEADER, region=tree.county_a)
    client.force_login(leader)

    client.get(reverse("grids:transfer_export", args=["grids", "xlsx"]))

    assert [row.detail["path"] for row in downloads()] == [reverse("grids:transfer_export", args=["grids", "xlsx"])]


def test_pages_and_refusals_leave_no_download_row(client, tree):
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    client.force_login(clerk)

    client.get(reverse("disputes:list"))
    assert client.get(reverse("disputes:attachment", args=[999999, 1])).status_code == 404

    assert downloads() == []
