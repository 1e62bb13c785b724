"""Grids API v1 routes (under /api/v1/). The paths are a published contract."""
from django.urls import path

from grids import api

app_name = "grids_api"

urlpatterns = [
    path("grids/", api.GridListApi.as_view(), name="grid-list"),
    path("grid-workers/", api.GridWorkerListApi.as_view(), name="grid-worker-list"),
    path("patrols/", api.PatrolListCreateApi.as_view(), name="patrol-list"),
]
