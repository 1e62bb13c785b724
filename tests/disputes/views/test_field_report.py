"""现场上报: a grid worker's phone report becomes a 网格上报 case in a grid they hold, at once in
the township clerk's inbox; bad grids, photos and locations are clear errors that save nothing."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes.models import Attachment, Case, Category, Channel
from disputes.selectors import case_inbox
from governance.models import Role
from governance.scoping import scope_for
from grids.models import GridWorkerAssignment
from tests.disputes.views.conftest import client_for
from tests.factories import GridFactory, UserFactory
from tests.grids.geo import centre, square

URL = reverse("disputes:field_report")
MINE = reverse("disputes:field_reports")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def hold(grid, worker):
    GridWorkerAssignment.objects.create(grid=grid, worker=worker, started_on=dt.date(2025, 1, 1))


@pytest.fixture
def field(people):
    """A worker of 云梦堤社区 holding grid_a1x (with a boundary); a second grid nearby they do not hold."""
    people.grid_a1x.boundary = square(0, 0)
    people.grid_a1x.save()
    worker = UserFactory(role=Role.GRID_WORKER, region=people.tree.village_a1x)
    hold(people.grid_a1x, worker)
    other = GridFactory(region=people.tree.village_a1x, boundary=square(1, 0))
    far = GridFactory(region=people.tree.village_b1x, boundary=square(20, 20))
    return {"worker": worker, "other": other, "far": far, "incident": Category.objects.get(code="19")}


def report(field, **overrides):
    lng, lat = centre(0, 0)
    data = {"category": str(field["incident"].pk), "description": "幸福路12号路灯不亮\n夜间行人有安全隐患",
            "latitude": str(lat), "longitude": str(lng), "submit_token": "tok-f1", "patrol": "",
            "photos": [SimpleUploadedFile("灯.png", PNG)]}
    data.update(overrides)
    return data


def test_report_becomes_a_grid_case_in_the_clerks_inbox(people, field):
    client = client_for(field["worker"])
    # the form: the one grid shown, the camera input
    page = client.get(URL, {"grid": people.grid_a1x.pk, "patrol": "7"}).content.decode()
    assert 'accept="image/*"' in page and "capture" in page and people.grid_a1x.name in page
    assert 'name="patrol" value="7"' in page
    # when the worker sends it
    response = client.post(URL, report(field, patrol="7"))
    assert response.status_code == 302 and response["Location"] == MINE
    case = Case.objects.get()
    assert (case.channel, case.grid_id, case.village_id, case.owning_region_id) == (
        Channel.GRID, people.grid_a1x.pk, people.tree.village_a1x.pk, people.tree.town_a1.pk)
    assert case.title == "幸福路12号路灯不亮" and case.parties.count() == 0
    assert (float(case.longitude), float(case.latitude)) == centre(0, 0)
    assert Attachment.objects.filter(case=case, content_type="image/png").count() == 1
    assert {"field_report": True, "patrol_id": 7}.items() <= case.events.get(action="register").data.items()
    # then the township clerk has it to accept, and the worker sees it with who holds it
    inbox = case_inbox(scope=scope_for(people.clerk_a1), user=people.clerk_a1, box="to_accept")
    assert list(inbox.values_list("pk", flat=True)) == [case.pk]
    mine = client.get(MINE).content.decode()
    assert case.title in mine and "已登记" in mine and "七一路街道综治中心" in mine


def test_a_grid_the_worker_does_not_hold_is_refused(people, field):
    client = client_for(field["worker"])
    for grid in (field["other"], field["far"]):
        response = client.post(URL, report(field, grid=str(grid.pk)))
        assert response.status_code == 200
        assert "只能上报本人负责的网格内的事件" in response.content.decode()
    assert Case.objects.count() == 0


def test_photos_must_be_images_within_the_limit(people, field, settings):
    client = client_for(field["worker"])
    response = client.post(URL, report(field, photos=[SimpleUploadedFile("a.pdf", b"%PDF-1.4\n" + b"0" * 200)]))
    assert "照片只能是JPG、PNG、WebP或GIF图片" in response.content.decode()
    settings.ATTACHMENT_MAX_BYTES = 100
    response = client.post(URL, report(field))
    assert "文件过大" in response.content.decode()
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0


def test_location_outside_the_county_or_half_given_is_refused(people, field):
    client = client_for(field["worker"])
    lng, lat = centre(20, 20)  # county B
    response = client.post(URL, report(field, longitude=str(lng), latitude=str(lat)))
    assert "不在本县(区)范围内" in response.content.decode()
    response = client.post(URL, report(field, longitude=""))
    assert "定位不完整" in response.content.decode()
    assert Case.objects.count() == 0
    # no location at all is fine (optional)
    assert client.post(URL, report(field, longitude="", latitude="")).status_code == 302


def test_a_dispute_needs_a_party_an_incident_does_not(people, field):
    client = client_for(field["worker"])
    dispute = report(field, category=str(people.category.pk))
    response = client.post(URL, dispute)
    assert "矛盾纠纷至少登记一名当事人" in response.content.decode()
    assert Case.objects.count() == 0
    response = client.post(URL, {**report(field, category=str(people.category.pk)), "party_name": "王五",
                                 "party_phone": "13812345678"})
    assert response.status_code == 302
    assert Case.objects.get().parties.get().name == "王五"


def test_location_picks_among_several_grids(people, field):
    hold(field["other"], field["worker"])
    client = client_for(field["worker"])
    lng, lat = centre(1, 0)
    assert client.post(URL, report(field, longitude=str(lng), latitude=str(lat))).status_code == 302
    assert Case.objects.get().grid_id == field["other"].pk
    # no grid and no location: asked to choose
    response = client.post(URL, report(field, longitude="", latitude="", submit_token="tok-f2"))
    assert "请选择事件所在的网格" in response.content.decode()


def test_my_reports_are_mine_only_in_constant_queries(people, field, django_assert_num_queries):
    client = client_for(field["worker"])
    for n in range(3):
        client.post(URL, report(field, submit_token=f"tok-{n}", description=f"第{n}件"))
    # another worker of another township reports too
    far_worker = UserFactory(role=Role.GRID_WORKER, region=people.tree.village_b1x)
    hold(field["far"], far_worker)
    lng, lat = centre(20, 20)
    client_for(far_worker).post(URL, report(field, submit_token="tok-far", description="城关的事",
                                            longitude=str(lng), latitude=str(lat)))
    assert Case.objects.count() == 4
    with django_assert_num_queries(2):
        from disputes.selectors.field import field_reports_mine
        rows = field_reports_mine(scope=scope_for(field["worker"]), user_id=field["worker"].pk)
    assert [r.title for r in rows] == ["第2件", "第1件", "第0件"]
    page = client.get(MINE).content.decode()
    assert "城关的事" not in page and page.count('data-testid="report"') == 3
    assert "第0件" not in client_for(far_worker).get(MINE).content.decode()


def test_who_may_open_the_pages(people, field):
    # a clerk holds no grid: the page says so; a leader may not register at all: 403
    assert 'data-testid="no-grids"' in client_for(people.clerk_a1).get(URL).content.decode()
    assert client_for(people.leader_a).get(URL).status_code == 403
    assert client_for(people.clerk_a1).post(URL, report(field)).status_code == 200
    assert Case.objects.count() == 0
    # signed out: to the login page
    from django.test import Client
    assert Client().get(URL).status_code == 302 and Client().get(MINE).status_code == 302


def test_home_screen_manifest_starts_at_the_field_report(people, field):
    import json

    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.urls import resolve

    manifest = json.loads(Path(finders.find("disputes/field-report.webmanifest")).read_text(encoding="utf-8"))
    assert resolve(manifest["start_url"]).url_name == "field_report"
    assert manifest["start_url"].startswith(manifest["scope"])
    for icon in manifest["icons"]:
        assert finders.find(f"disputes/{icon['src']}"), icon
    page = client_for(field["worker"]).get(URL).content.decode()
    assert f'rel="manifest" href="{settings.STATIC_URL}disputes/field-report.webmanifest"' in page
