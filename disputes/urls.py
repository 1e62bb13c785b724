"""Disputes pages (mounted at /cases/ by governance/urls.py)."""
from django.urls import path

from disputes import dashboard_views, exports_views, field_views, statistics_views, views

app_name = "disputes"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_intake, name="intake"),
    path("new/grids/", views.intake_grid_options, name="intake_grids"),
    path("new/hints/", views.intake_hints, name="hints"),
    path("field-report/", field_views.field_report, name="field_report"),
    path("field-report/mine/", field_views.field_reports, name="field_reports"),
    path("inbox/", views.case_inbox, name="inbox"),
    path("export.xlsx", exports_views.case_list_export, name="list_export"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/data/", views.dashboard_data, name="dashboard_data"),
    path("dashboard/figures/", dashboard_views.dashboard_figures, name="dashboard_figures"),
    path("dashboard/queues/<str:name>/", dashboard_views.dashboard_queue, name="dashboard_queue"),
    path("dashboard/dispatch/<int:case_id>/", dashboard_views.queue_dispatch, name="dashboard_dispatch"),
    path("dashboard/dispatch/bulk/", dashboard_views.queue_dispatch_bulk, name="dashboard_dispatch_bulk"),
    path("dashboard/<str:action>/<int:case_id>/", dashboard_views.queue_oversee, name="dashboard_oversee"),
    path("dashboard/wall/", dashboard_views.wall, name="wall"),
    path("statistics/", statistics_views.statistics, name="statistics"),
    path("statistics/data/", statistics_views.statistics_data, name="statistics_data"),
    path("statistics/<str:name>.xlsx", statistics_views.statistic_export, name="statistic_export"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/parties/<int:party_id>/<str:field>/reveal/", views.party_reveal, name="party_reveal"),
    path("<int:case_id>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:case_id>/mediations/<int:mediation_id>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("<int:case_id>/mediations/<int:mediation_id>/agreement/", views.agreement_print, name="agreement"),
    path("<int:case_id>/mediations/<int:mediation_id>/record/", views.mediation_record_print, name="mediation_record"),
    path("<int:case_id>/mediations/<int:mediation_id>/record.pdf", views.mediation_record_pdf,
         name="mediation_record_pdf"),
    path("<int:case_id>/receipt/", views.receipt_print, name="receipt"),
    path("<int:case_id>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("<int:case_id>/rejection-notice/", views.rejection_notice_print, name="rejection_notice"),
    path("<int:case_id>/rejection-notice.pdf", views.rejection_notice_pdf, name="rejection_notice_pdf"),
    path("<int:case_id>/dossier/", views.dossier_print, name="dossier"),
    path("<int:case_id>/dossier.pdf", views.dossier_pdf, name="dossier_pdf"),
    path("<int:case_id>/<str:action>/", views.case_action, name="action"),
]
