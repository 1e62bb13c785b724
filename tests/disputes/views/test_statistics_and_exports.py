"""统计分析 page, its JSON and Excel downloads; the case list's Excel export (masked, or in full
and audited for the roles that may reveal), large exports through a background job only
its owner can download; the wall screen."""
from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse

from disputes.models import CaseState, WarningLevel
from disputes.tasks import case_export_task
from governance.models import AuditLog, ExportJob, ExportStatus, Role
from tests.disputes.views.conftest import PHONE_ZHANG, client_for
from tests.factories import UserFactory

STATS = reverse("disputes:statistics")
EXPORT = reverse("disputes:list_export")


def workbook(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(body)).active


def test_statistics_page_renders_charts_locally_with_drill_down_links(people):
    people.case(village=people.tree.village_a1x, state=CaseState.IN_PROGRESS, warning_level=WarningLevel.RED)
    response = client_for(people.dispatcher_a).get(STATS, {"period": "month"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/echarts/echarts.min.js" in html and "disputes/statistics.js" in html
    assert 'data-testid="cell-region-overdue"' in html
    data = client_for(people.dispatcher_a).get(reverse("disputes:statistics_data"), {"period": "month"}).json()
    region = next(t for t in data["tables"] if t["name"] == "region")
    town = next(r for r in region["rows"] if r["region"]["value"] == people.tree.town_a1.name)
    assert town["overdue"]["value"] == 1
    assert town["overdue"]["url"].startswith(reverse("disputes:list") + "?")


def test_statistics_are_scoped_and_refuse_bad_input(people):
    people.case(village=people.tree.village_a1x, title="A镇案件")
    client = client_for(people.dispatcher_b1)
    html = client.get(STATS).content.decode()
    assert people.tree.town_a1.name not in html and people.tree.village_a1x.name not in html
    assert client.get(STATS, {"region": people.tree.town_a1.pk}).status_code == 404
    # a bad period or category on the page: the message above this month's figures, in the layout
    for bad, message in (({"period": "nope"}, ""), ({"parent": "x"}, "类别无效"),
                         ({"period": "custom", "start": "2020-01-01", "end": "2026-12-01"}, "统计周期不能超过三年")):
        page = client.get(STATS, bad)
        assert page.status_code == 200, bad
        html = page.content.decode()
        assert 'class="app-messages"' in html and message in html and 'data-testid="cell-region-overdue"' in html
    # the chart data and the export still refuse it (400)
    assert client.get(reverse("disputes:statistics_data"), {"period": "nope"}).status_code == 400
    refused = client_for(people.clerk_a1).get(STATS)
    assert refused.status_code == 403 and "统计分析仅供调度员和领导使用" in refused.content.decode()


def test_statistic_table_exports_real_numbers(people):
    people.case(village=people.tree.village_a1x, state=CaseState.IN_PROGRESS, warning_level=WarningLevel.RED)
    client = client_for(people.dispatcher_a)
    response = client.get(reverse("disputes:statistic_export", args=["region"]), {"period": "month"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = workbook(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("区域", "登记量", "在办", "逾期", "本期办结")
    town = next(r for r in rows if r[0] == people.tree.town_a1.name)
    assert town[3] == 1 and isinstance(town[3], int)
    rates = workbook(client.get(reverse("disputes:statistic_export", args=["rates"])))
    assert rates["D1"].value == "按期办结率"
    assert client.get(reverse("disputes:statistic_export", args=["nope"])).status_code == 404


def test_case_list_export_has_the_list_rows_masked_with_real_dates(people):
    case = people.register(title="排水纠纷导出")
    people.case(village=people.tree.village_b1x, title="别县案件")
    client = client_for(people.dispatcher_a)
    response = client.get(EXPORT, {"q": "排水"})
    sheet = workbook(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == case.number
    assert rows[1][9].__class__.__name__ == "datetime"  # 登记时间 is a real date
    assert PHONE_ZHANG not in str(rows[1]) and "138****5678" in str(rows[1])
    assert "别县案件" not in str(rows)
    assert client.get(EXPORT, {"region": people.tree.town_b1.pk}).status_code == 404


def test_reveal_export_is_for_center_staff_and_audited(people):
    people.register()
    assert client_for(people.leader_a).get(EXPORT, {"reveal": "1"}).status_code == 403
    response = client_for(people.clerk_a1).get(EXPORT, {"reveal": "1"})
    assert PHONE_ZHANG in str(list(workbook(response).iter_rows(values_only=True)))
    assert AuditLog.objects.filter(action="cases.export_reveal", actor=people.clerk_a1).count() == 1


@override_settings(EXPORT_ASYNC_ROWS=2)
def test_large_export_runs_as_a_job_only_its_owner_downloads(people, django_capture_on_commit_callbacks,
                                                              monkeypatch):
    for _ in range(3):
        people.case(village=people.tree.village_a1x)
    sent = []
    monkeypatch.setattr(case_export_task, "delay", lambda job_id: sent.append(job_id))
    client = client_for(people.dispatcher_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("export-status", args=[job.pk])
    assert sent == [job.pk] and job.rows_total == 3
    assert client.get(reverse("export-status", args=[job.pk])).context["running"]
    case_export_task(job.pk)  # the task body, as a worker runs it
    case_export_task(job.pk)  # a duplicate delivery writes nothing twice
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.rows_done == 3
    download = client.get(reverse("export-download", args=[job.pk]))
    assert len(list(workbook(download).iter_rows())) == 4
    stranger = client_for(UserFactory(role=Role.DISPATCHER, region=people.tree.county_a))
    assert stranger.get(reverse("export-status", args=[job.pk])).status_code == 404
    assert stranger.get(reverse("export-download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("who", ["dispatcher_a", "dispatcher_b1"])
def test_wall_renders_dark_with_its_warning_slot_and_scoped_figures(people, who):
    people.case(village=people.tree.village_a1x, warning_level=WarningLevel.RED, state=CaseState.IN_PROGRESS)
    response = client_for(getattr(people, who)).get(reverse("disputes:wall"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-bs-theme="dark"' in html and "disputes/wall.js" in html and 'data-testid="wall-warnings"' in html
    red = next(t for t in response.context["tiles"] if t["figure"].key == "red")
    assert red["figure"].value == (1 if who == "dispatcher_a" else 0)


def test_a_township_exports_only_its_township(people):
    people.case(village=people.tree.village_a1x, title="A镇案件", state=CaseState.IN_PROGRESS,
                warning_level=WarningLevel.RED)
    mine = people.case(village=people.tree.village_b1x, title="本镇案件")
    client = client_for(people.dispatcher_b1)
    rows = list(workbook(client.get(reverse("disputes:statistic_export", args=["villages"]))).iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [people.tree.village_b1x.name]
    listed = list(workbook(client.get(EXPORT)).iter_rows(values_only=True))
    assert [r[0] for r in listed[1:]] == [mine.number]
    assert client.get(reverse("disputes:statistic_export", args=["region"]),
                      {"region": people.tree.town_a1.pk}).status_code == 404
