"""The project URLconf: the kernel's pages and API, and every app's, from governance.routing."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from governance.routing import app_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("governance.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    *app_urlpatterns(),
    path("", include("governance.web_urls")),
]

# Error pages in the site language inside the layout (governance/views.py).
handler403 = "governance.views.permission_denied"
handler404 = "governance.views.page_not_found"
handler500 = "governance.views.server_error"
