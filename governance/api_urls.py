"""API v1: the kernel's account routes, then every app's (AppConfig.api_urls_module)."""
from django.urls import path

from governance import api
from governance.routing import app_api_urlpatterns

urlpatterns = [
    path("auth/token/", api.TokenObtainApi.as_view(), name="api-token"),
    path("auth/logout/", api.TokenRevokeApi.as_view(), name="api-logout"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("regions/", api.RegionListApi.as_view(), name="api-regions"),
    path("departments/", api.DepartmentListApi.as_view(), name="api-departments"),
    *app_api_urlpatterns(),
]
