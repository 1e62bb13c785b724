"""API v1: every app's API routes are included here."""
from django.urls import include, path

from governance import api

urlpatterns = [
    path("auth/token/", api.TokenObtainApi.as_view(), name="api-token"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("", include("disputes.api_urls")),
]
