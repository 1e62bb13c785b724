"""研判报告: the month's figures and the sentences built from them, the request → task →
archived files (PDF and .docx) per region and month with versions, and jurisdiction."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.test import Client

from disputes.models import AnalysisReport, CaseEvent, CaseState, ReportState, WarningKind
from disputes.reports import report_docx, report_summary
from disputes.selectors.reports import unscoped_report_figures
from disputes.services.warnings import warnings_evaluate_all
from governance import clock
from governance.models import Role
from governance.workdays import SHANGHAI
from tests.disputes.warnings.conftest import case_at
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db
MAY = dt.datetime(2026, 5, 10, 10, 0, tzinfo=SHANGHAI)
APRIL = dt.datetime(2026, 4, 10, 10, 0, tzinfo=SHANGHAI)
JUNE = dt.datetime(2026, 6, 3, 9, 0, tzinfo=SHANGHAI)
URL = "/analysis/reports/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def month_data(people, only_rule, category):
    """Township A1 in May: 3 registered (one rejected), 2 resolved (one after a red card while
    handled), 2 callbacks (one satisfied); April: 1 registered. A2 and county B have their own."""
    only_rule(WarningKind.GROUP, min_people=5)
    tree = people.tree
    other = CategoryFactory(code="W-CONTRACT", name="合同纠纷")
    a = case_at(MAY, tree.village_a1x, category, state=CaseState.RESOLVED, accepted_at=MAY, resolved_at=MAY,
                people_involved=7)
    b = case_at(MAY, tree.village_a1x, category, state=CaseState.RESOLVED, accepted_at=MAY, resolved_at=MAY)
    case_at(MAY, tree.village_a1y, other, state=CaseState.REJECTED)
    case_at(APRIL, tree.village_a1x, category)
    case_at(MAY, tree.village_a2x, category)
    case_at(MAY, tree.village_b1x, category)
    CaseEvent.objects.create(case=b, created_at=MAY, action="red", from_state="in_progress", to_state="in_progress")
    CaseEvent.objects.create(case=a, created_at=MAY, action="callback", data={"satisfied": True})
    CaseEvent.objects.create(case=b, created_at=MAY, action="callback", data={"satisfied": False})
    with clock.frozen_at(MAY):
        warnings_evaluate_all()
    return tree


def test_figures_of_the_month_and_the_previous_one(month_data):
    figures = unscoped_report_figures(region=month_data.town_a1, month=dt.date(2026, 5, 1))
    cur, prev = figures.current, figures.previous
    assert (cur.registered, cur.accepted, cur.resolved, cur.on_time) == (3, 2, 2, 1)
    assert (cur.callbacks, cur.satisfied) == (2, 1)
    assert prev.registered == 1 and prev.resolved == 0
    assert figures.top_categories[0] == ("邻里纠纷", 2)
    assert figures.top_villages[0] == ("云梦堤社区", 2)
    assert [name for name, _r, _s in figures.children] == ["云梦堤社区", "青年路社区"]
    assert len(figures.daily) == 31 and sum(n for _d, n in figures.daily) == 3
    assert len(figures.warnings) == 1


def test_summary_sentences_follow_the_numbers(month_data):
    figures = unscoped_report_figures(region=month_data.town_a1, month=dt.date(2026, 5, 1))
    text = "".join(report_summary(figures))
    assert "2026年5月，七一路街道共登记矛盾纠纷3件，较上月增加2件（上升200.0%）" in text
    assert "按期办结率50.0%（1/2）" in text and "群众满意率50.0%（1/2）" in text
    assert "「邻里纠纷」最多" in text and "研判预警1条（群体性纠纷1条）" in text

    june = unscoped_report_figures(region=month_data.town_a1, month=dt.date(2026, 6, 1))
    june_text = "".join(report_summary(june))
    assert "共登记矛盾纠纷0件，较上月减少3件（下降100.0%）" in june_text
    assert "本月无办结案件" in june_text and "本月未产生研判预警" in june_text


def test_docx_carries_the_summary_and_tables(month_data):
    figures = unscoped_report_figures(region=month_data.town_a1, month=dt.date(2026, 5, 1))
    content = report_docx(figures, generated_at=JUNE, version=1)
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    assert "七一路街道2026年5月矛盾纠纷研判报告" in xml and "按期办结率" in xml
    assert any(name.startswith("word/media/") for name in zipfile.ZipFile(io.BytesIO(content)).namelist())


def test_request_generates_archives_and_regenerates_a_new_version(people, month_data,
                                                                  django_capture_on_commit_callbacks):
    client = client_for(people.town_dispatcher)
    with clock.frozen_at(JUNE), django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"region": month_data.town_a1.pk, "month": "2026-05"}, follow=True)
    assert "已提交生成第1版报告" in response.content.decode()
    report = AnalysisReport.objects.get()
    assert (report.state, report.version, len(report.history)) == (ReportState.READY, 1, 1)
    first_pdf = report.pdf.name

    pdf = client.get(f"{URL}{report.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    docx = client.get(f"{URL}{report.pk}.docx")
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"
    assert client.get(f"{URL}{report.pk}.xls").status_code == 404

    with clock.frozen_at(JUNE), django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"region": month_data.town_a1.pk, "month": "2026-05"})
    report.refresh_from_db()
    assert (report.state, report.version, len(report.history)) == (ReportState.READY, 2, 2)
    assert report.pdf.name != first_pdf and not report.pdf.storage.exists(first_pdf)
    assert AnalysisReport.objects.count() == 1


def test_a_pending_report_is_not_requested_twice(people, month_data):
    client = client_for(people.county_dispatcher)
    with clock.frozen_at(JUNE):
        client.post(URL, {"region": month_data.county_a.pk, "month": "2026-05"})
        again = client.post(URL, {"region": month_data.county_a.pk, "month": "2026-05"}, follow=True)
    assert "该报告正在生成" in again.content.decode()
    assert AnalysisReport.objects.get().version == 1


def test_jurisdiction_and_bad_input(people, month_data, django_capture_on_commit_callbacks):
    with clock.frozen_at(JUNE), django_capture_on_commit_callbacks(execute=True):
        client_for(people.county_dispatcher).post(URL, {"region": month_data.county_a.pk, "month": "2026-05"})
    report = AnalysisReport.objects.get()
    town = client_for(people.town_dispatcher)
    # The county's report is not the township's: not listed, not downloadable
    assert 'data-testid="report-row"' not in town.get(URL).content.decode()
    assert town.get(f"{URL}{report.pk}.pdf").status_code == 404
    assert client_for(people.far_dispatcher).get(f"{URL}{report.pk}.pdf").status_code == 404
    county_page = client_for(people.county_leader).get(URL).content.decode()
    assert county_page.count('data-testid="report-row"') == 1

    with clock.frozen_at(JUNE):
        outside = town.post(URL, {"region": month_data.county_b.pk, "month": "2026-05"}, follow=True)
        future = town.post(URL, {"region": month_data.town_a1.pk, "month": "2026-07"}, follow=True)
        garbage = town.post(URL, {"region": month_data.town_a1.pk, "month": "2026-13"}, follow=True)
    assert outside.status_code == 200 and AnalysisReport.objects.count() == 1  # not a choice: a form error
    assert "只能生成已开始月份的报告" in future.content.decode()
    assert "请选择有效的月份" in garbage.content.decode()

    staff = UserFactory(role=Role.WINDOW_STAFF, region=month_data.town_a1)
    assert client_for(staff).get(URL).status_code == 200
    assert client_for(staff).post(URL, {"region": month_data.town_a1.pk, "month": "2026-05"}).status_code == 403


def test_pdf_embeds_a_cjk_font_and_states_the_summary(month_data):
    from disputes.reports import report_pdf
    from tests.disputes.views.documents import font_names, pdf_text

    figures = unscoped_report_figures(region=month_data.town_a1, month=dt.date(2026, 5, 1))
    content = report_pdf(figures, generated_at=JUNE, version=3)
    assert any("CJK" in name for name in font_names(content))
    text = pdf_text(content)
    assert "七一路街道2026年5月矛盾纠纷研判报告" in text and "第3版" in text
    assert "共登记矛盾纠纷3件" in text and "每日登记量" in text  # the chart's title: SVG laid out as text
