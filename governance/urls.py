"""The one place that wires all apps together."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("governance.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cases/", include("disputes.urls")),
    path("grids/", include("grids.urls")),
    path("", include("governance.web_urls")),
]
