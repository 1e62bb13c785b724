"""Disputes API v1 routes (under /api/v1/). The paths are a published contract."""
from django.urls import path

from disputes import api, api_field, api_reference, dashboard_api, warning_api

app_name = "disputes_api"

urlpatterns = [
    path("cases/", api.CaseListCreateApi.as_view(), name="case-list"),
    path("cases/<int:id>/", api.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<int:id>/events/", api.CaseEventListApi.as_view(), name="case-events"),
    path("cases/<int:id>/parties/<int:party_id>/reveal/", api.PartyRevealApi.as_view(), name="party-reveal"),
    path("field-reports/", api_field.FieldReportListCreateApi.as_view(), name="field-report-list"),
    path("case-hints/", api.CaseHintListApi.as_view(), name="case-hints"),
    path("categories/", api_reference.CategoryListApi.as_view(), name="category-list"),
    path("risk-grades/", api_reference.RiskGradeListApi.as_view(), name="risk-grade-list"),
    path("warnings/", warning_api.WarningListApi.as_view(), name="warning-list"),
    path("warnings/<int:id>/acknowledge/", warning_api.WarningAcknowledgeApi.as_view(), name="warning-acknowledge"),
    path("warnings/<int:id>/assign/", warning_api.WarningAssignApi.as_view(), name="warning-assign"),
    path("dashboard/", dashboard_api.DashboardApi.as_view(), name="dashboard"),
    path("statistics/<str:name>/", dashboard_api.StatisticApi.as_view(), name="statistic"),
    *(
        path(f"cases/<int:id>/{action}/", view.as_view(), name=f"case-{action}")
        for action, view in api.CASE_ACTION_APIS.items()
    ),
]
