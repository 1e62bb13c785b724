from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.rankings, name="rankings"),
    path("export/", views.rankings_export, name="rankings_export"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:period_id>/progress/", views.period_progress, name="period_progress"),
    path("periods/<int:period_id>/<str:action>/", views.period_action, name="period_action"),
    path("<int:period_id>/<int:unit_id>/", views.unit_detail, name="unit"),
    path("<int:period_id>/<int:unit_id>/export/", views.unit_export, name="unit_export"),
    path("<int:period_id>/<int:unit_id>/print/", views.unit_print, name="unit_print"),
]
