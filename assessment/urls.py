from django.urls import path

from assessment import views, work_views

app_name = "assessment"

urlpatterns = [
    path("", views.rankings, name="rankings"),
    path("export/", views.rankings_export, name="rankings_export"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:period_id>/progress/", views.period_progress, name="period_progress"),
    path("periods/<int:period_id>/<str:action>/", views.period_action, name="period_action"),
    path("vetoes/", work_views.vetoes, name="vetoes"),
    path("vetoes/<int:veto_id>/decide/", work_views.veto_decision, name="veto_decide"),
    path("scores/", work_views.scoring, name="scoring"),
    path("letters/", work_views.letters, name="letters"),
    path("scores/<int:manual_id>/decide/", work_views.scoring_decision, name="scoring_decide"),
    path("<int:period_id>/<int:unit_id>/", views.unit_detail, name="unit"),
    path("<int:period_id>/<int:unit_id>/adjust/", work_views.adjustment_propose_page, name="adjust"),
    path("adjustments/<int:adjustment_id>/decide/", work_views.adjustment_decision, name="adjustment_decide"),
    path("<int:period_id>/<int:unit_id>/export/", views.unit_export, name="unit_export"),
    path("<int:period_id>/<int:unit_id>/print/", views.unit_print, name="unit_print"),
]
