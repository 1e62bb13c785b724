"""The project's URLs plus a view that fails, to see the 500 page (tests only)."""
from django.urls import path

from governance.urls import handler403, handler404, handler500  # noqa: F401
from governance.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("the database went away")


urlpatterns = [path("boom/", boom), *project_urlpatterns]
