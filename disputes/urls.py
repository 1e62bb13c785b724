"""Disputes pages (mounted at /cases/ by governance/urls.py)."""
from django.urls import path

from disputes import views

app_name = "disputes"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_intake, name="intake"),
    path("new/grids/", views.intake_grid_options, name="intake_grids"),
    path("new/hints/", views.intake_hints, name="hints"),
    path("inbox/", views.case_inbox, name="inbox"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/data/", views.dashboard_data, name="dashboard_data"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/parties/<int:party_id>/<str:field>/reveal/", views.party_reveal, name="party_reveal"),
    path("<int:case_id>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:case_id>/mediations/<int:mediation_id>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("<int:case_id>/<str:action>/", views.case_action, name="action"),
]
