"""Assessment API v1 routes (under /api/v1/). The paths are a published contract."""
from django.urls import path

from assessment import api

app_name = "assessment_api"

urlpatterns = [
    path("assessment-periods/", api.AssessmentPeriodListApi.as_view(), name="period-list"),
    path("rankings/", api.RankingApi.as_view(), name="ranking"),
    path("rankings/<int:period>/<int:region>/", api.RankingDetailApi.as_view(), name="ranking-detail"),
    path("indicators/", api.IndicatorListApi.as_view(), name="indicator-list"),
    path("vetoes/", api.VetoListCreateApi.as_view(), name="veto-list"),
    path("vetoes/<int:id>/decide/", api.VetoDecideApi.as_view(), name="veto-decide"),
]
