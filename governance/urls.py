"""The project URLconf: the kernel's pages and API, and every app's, from governance.routing."""
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from governance import views
from governance.api import ApiDocsPermission
from governance.routing import app_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    # Login required when settings.API_DOCS_REQUIRE_LOGIN (the default with DEBUG off).
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[ApiDocsPermission]), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[ApiDocsPermission]),
         name="api-docs"),
    path("api/v1/", include("governance.api_urls")),
    # Anything else under /api/ (a non-integer id, a typo): the JSON 404, never an HTML page.
    re_path(r"^api/", views.api_not_found, name="api-not-found"),
    path("i18n/", include("django.conf.urls.i18n")),
    *app_urlpatterns(),
    path("", include("governance.web_urls")),
]

# Error pages in the site language inside the layout (governance/views.py).
handler403 = "governance.views.permission_denied"
handler404 = "governance.views.page_not_found"
handler500 = "governance.views.server_error"
