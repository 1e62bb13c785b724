"""API v1: every app's API routes are included here."""
from django.urls import include, path

urlpatterns = [
    path("", include("disputes.api_urls")),
]
